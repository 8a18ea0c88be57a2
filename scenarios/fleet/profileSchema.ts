/**
 * The shape of a fleet behaviour profile: its TypeScript types and the JSON Schema that checks a
 * profile tree (compiled once per process with the project's one ajv, agent/jsonSchema.ts). Cross-field rules
 * (shares, windows, medians) live in profile.ts.
 */
import { Ajv as ProjectAjv } from '../../agent/jsonSchema.js';
import type { ConfigValue } from '../../agent/ocpp16/configurationKeys.js';
import { SITES_SCHEMA, type SiteProfile } from './sites.js';
import type { OcppVersionMix } from './ocppVersions.js';

/** A number (fixed), `{min, max}` (uniform) or `{median, p90}` (lognormal, optionally clamped to min/max). */
export type Distribution = number | { min: number; max: number } | { median: number; p90: number; min?: number; max?: number };

export const FAULT_KINDS = ['meterTimeout', 'relayStuck', 'relayWeld', 'pilotError', 'lockJam', 'networkOutage'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Days of the week as a profile names them; index 0 is Monday. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface FaultRate {
  /** Expected occurrences per charger per profile day (Poisson). */
  perDay: number;
  /** How long the fault lasts, profile minutes (default 10); relayWeld is permanent for the run. */
  minutes?: Distribution;
}

/** The arrival rates of one kind of day. */
export type DailyArrivals =
  /** EVs arriving at a free connector per profile hour, one value per hour of day 0..23. */
  | { perHour: number[] }
  /** A baseline rate plus Gaussian peaks (hour of day, height above baseline, width = standard deviation in hours). */
  | { baseline: number; peaks: { hour: number; perHour: number; widthHours: number }[] };

/** Weekday arrivals, and (optionally) other rates for Saturdays and Sundays; without them weekends equal weekdays. */
export type Arrivals = DailyArrivals & { weekend?: DailyArrivals };

/** One vehicle model of the fleet's drivers. */
export interface EvProfile {
  /** Counted per session in the report (`ev:<name>`). */
  name: string;
  /** Share of sessions with this model; the shares of all models add up to 1. */
  share: number;
  /** Usable battery capacity, kWh. */
  batteryKWh: number;
  /** On-board charger limit per phase, A. */
  maxCurrentA: number;
  /** Phases its on-board charger uses. */
  phases: 1 | 3;
  /** State of charge when it plugs in, a fraction 0..1. */
  socStart: Distribution;
  /** It asks for ventilation while charging (pilot state D instead of C); default false. */
  ventilation?: boolean;
}

/** What every charger of the fleet can do (its hardware is the simulated twin). */
export interface ChargerProfile {
  /** The site can ventilate: an EV asking for it (pilot D) charges; false: it is refused (Faulted). */
  ventilation: boolean;
}

/**
 * Session distributions for arrivals in the profile hours [from, to) of the day; `from > to`
 * wraps past midnight (`{from: 18, to: 6}`). Fields it leaves out come from `sessions`.
 */
export interface SessionWindow {
  from: number;
  to: number;
  minutes?: Distribution;
  energyKWh?: Distribution | null;
  dwellMinutes?: Distribution;
}

export interface FleetProfile {
  name: string;
  /**
   * Profile time: the hour of day and the day of the week at the fleet's start, and profile
   * seconds per wall-clock second.
   */
  time: { startHour: number; startDay: Weekday; acceleration: number };
  arrivals: Arrivals;
  /** The chargers' capabilities (optional in a file; default `{ventilation: false}`). */
  charger: ChargerProfile;
  /** Vehicle models; each session draws one by its share. */
  evs: EvProfile[];
  sessions: {
    /** Longest a driver lets the EV charge, profile minutes. */
    minutes: Distribution;
    /** Energy the EV wants, kWh; null: no target (the EV charges for `minutes`). */
    energyKWh: Distribution | null;
    /** The EV stays plugged in after charging ended, profile minutes, before the driver ends the session. */
    dwellMinutes: Distribution;
    /** Share of sessions started remotely (the EV plugs in and waits for RemoteStartTransaction). */
    remoteShare: number;
    /** How long a remote-start driver waits for the CSMS before leaving, profile minutes. */
    remotePatienceMinutes: number;
    /** Other distributions by hour of arrival (non-overlapping windows). */
    byHour: SessionWindow[];
  };
  faults: Partial<Record<FaultKind, FaultRate>>;
  /** OCPP configuration keys of every charger. */
  ocpp: Record<string, ConfigValue>;
  /** Keys for a share of the chargers (chosen by seed and charger position, stable across runs). */
  ocppGroups: { share: number; ocpp: Record<string, ConfigValue> }[];
  /** Sites with a grid limit, on consecutive fleet positions (sites.ts; optional in a file, default none). */
  sites: SiteProfile[];
  /** Percent of the chargers per OCPP version, assigned by position (ocppVersions.ts); absent: all 1.6. */
  ocppVersions?: OcppVersionMix;
}

// ── schema ──────────────────────────────────────────────────────────────────────────────────

const nonNegative = { type: 'number', minimum: 0 } as const;
const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const fraction = { type: 'number', minimum: 0, maximum: 1 } as const;
const closed = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({ type: 'object', properties, required, additionalProperties: false });
const distributionOf = (value: object, median: object) => ({
  oneOf: [value, closed({ min: value, max: value }), closed({ median, p90: median, min: value, max: value }, ['median', 'p90'])],
});
const distribution = distributionOf(nonNegative, positive);
const hour = { type: 'number', minimum: 0, exclusiveMaximum: 24 } as const;
const rate = { type: 'number', minimum: 0, maximum: 3600 } as const;
const ocppMap = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };

const perHour = { type: 'array', items: rate, minItems: 24, maxItems: 24 };
const baselinePeaks = {
  baseline: rate,
  peaks: { type: 'array', maxItems: 24, items: closed({ hour, perHour: rate, widthHours: { type: 'number', minimum: 0.1, maximum: 12 } }) },
};
const daily = { oneOf: [closed({ perHour }), closed(baselinePeaks)] };

const SCHEMA = closed(
  {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    time: closed({ startHour: hour, startDay: { enum: WEEKDAYS }, acceleration: { type: 'number', minimum: 0.001, maximum: 100_000 } }, ['startHour', 'acceleration']),
    arrivals: { oneOf: [closed({ perHour, weekend: daily }, ['perHour']), closed({ ...baselinePeaks, weekend: daily }, ['baseline', 'peaks'])] },
    charger: closed({ ventilation: { type: 'boolean' } }, []),
    evs: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: closed({
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,40}$' },
        share: fraction,
        batteryKWh: { type: 'number', minimum: 1, maximum: 1000 },
        maxCurrentA: { type: 'number', minimum: 6, maximum: 80 },
        phases: { enum: [1, 3] },
        socStart: distributionOf(fraction, { type: 'number', exclusiveMinimum: 0, maximum: 1 }),
        ventilation: { type: 'boolean' },
      }, ['name', 'share', 'batteryKWh', 'maxCurrentA', 'phases', 'socStart']),
    },
    sessions: closed(
      {
        minutes: distribution,
        energyKWh: { oneOf: [{ type: 'null' }, distribution] },
        dwellMinutes: distribution,
        remoteShare: fraction,
        remotePatienceMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 1440 },
        byHour: {
          type: 'array',
          maxItems: 24,
          items: closed({ from: hour, to: { type: 'number', exclusiveMinimum: 0, maximum: 24 }, minutes: distribution, energyKWh: { oneOf: [{ type: 'null' }, distribution] }, dwellMinutes: distribution }, ['from', 'to']),
        },
      },
      ['minutes', 'energyKWh', 'dwellMinutes', 'remoteShare', 'remotePatienceMinutes'],
    ),
    faults: closed(Object.fromEntries(FAULT_KINDS.map((k) => [k, closed({ perDay: { type: 'number', minimum: 0, maximum: 1_000_000 }, minutes: distribution }, ['perDay'])])), []),
    ocpp: ocppMap,
    ocppGroups: { type: 'array', maxItems: 16, items: closed({ share: fraction, ocpp: ocppMap }) },
    sites: SITES_SCHEMA,
    // Keys and percentages are checked in profile.ts (mixProblems), with messages naming the version.
    ocppVersions: { type: 'object', minProperties: 1 },
  },
  ['name', 'time', 'arrivals', 'evs', 'sessions', 'faults', 'ocpp', 'ocppGroups'],
);

export interface AjvError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: { readonly missingProperty?: string; readonly additionalProperty?: string; readonly allowedValues?: readonly unknown[] };
  readonly message?: string;
}
type AjvValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
type AjvClass = new (options: { allErrors: boolean; strict: boolean; validateSchema: boolean }) => { compile(schema: unknown): AjvValidate };
// The project's one ajv (agent/jsonSchema.ts), checked against the part used here.
const Ajv: AjvClass = ProjectAjv;
/** Checks the shape of a profile tree; its `errors` list what is wrong. */
export const validateShape = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(SCHEMA);
