/**
 * Fleet behaviour profiles: what the drivers and the hardware of a virtual fleet do (arrivals by
 * hour of day, session length and energy, RFID vs remote starts, dwell time, faults) and the OCPP
 * configuration its chargers start with. A profile file lists only what differs from the default
 * profile ({@link mergeOverDefault}); {@link parseProfile} validates the result against a JSON
 * Schema (ajv, as loaded by ocpp-rpc) plus cross-field rules and OCPP key checks, and reports every
 * problem with its field path.
 */
import { createRequire } from 'node:module';
import { checkInitialValues, type ConfigValue } from '../../agent/ocpp/v16/configurationKeys.js';

/** A number (fixed), `{min, max}` (uniform) or `{median, p90}` (lognormal, optionally clamped to min/max). */
export type Distribution = number | { min: number; max: number } | { median: number; p90: number; min?: number; max?: number };

export const FAULT_KINDS = ['meterTimeout', 'relayStuck', 'relayWeld', 'pilotError', 'lockJam', 'networkOutage'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRate {
  /** Expected occurrences per charger per profile day (Poisson). */
  perDay: number;
  /** How long the fault lasts, profile minutes (default 10); relayWeld is permanent for the run. */
  minutes?: Distribution;
}

export type Arrivals =
  /** EVs arriving at a free connector per profile hour, one value per hour of day 0..23. */
  | { perHour: number[] }
  /** A baseline rate plus Gaussian peaks (hour of day, height above baseline, width = standard deviation in hours). */
  | { baseline: number; peaks: { hour: number; perHour: number; widthHours: number }[] };

export interface FleetProfile {
  name: string;
  /** Profile time: the hour of day at the fleet's start, and profile seconds per wall-clock second. */
  time: { startHour: number; acceleration: number };
  arrivals: Arrivals;
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
  };
  faults: Partial<Record<FaultKind, FaultRate>>;
  /** OCPP configuration keys of every charger. */
  ocpp: Record<string, ConfigValue>;
  /** Keys for a share of the chargers (chosen by seed and charger position, stable across runs). */
  ocppGroups: { share: number; ocpp: Record<string, ConfigValue> }[];
}

export interface ProfileIssue {
  readonly path: string;
  readonly message: string;
}

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(
    readonly source: string,
    readonly issues: readonly ProfileIssue[],
  ) {
    super(`invalid fleet profile ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

// ── schema ──────────────────────────────────────────────────────────────────────────────────

const nonNegative = { type: 'number', minimum: 0 } as const;
const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const closed = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({ type: 'object', properties, required, additionalProperties: false });
const distribution = {
  oneOf: [nonNegative, closed({ min: nonNegative, max: nonNegative }), closed({ median: positive, p90: positive, min: nonNegative, max: nonNegative }, ['median', 'p90'])],
};
const ocppMap = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };

const SCHEMA = closed(
  {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    time: closed({ startHour: { type: 'number', minimum: 0, exclusiveMaximum: 24 }, acceleration: { type: 'number', minimum: 0.001, maximum: 100_000 } }),
    arrivals: {
      oneOf: [
        closed({ perHour: { type: 'array', items: { type: 'number', minimum: 0, maximum: 3600 }, minItems: 24, maxItems: 24 } }),
        closed({
          baseline: { type: 'number', minimum: 0, maximum: 3600 },
          peaks: { type: 'array', maxItems: 24, items: closed({ hour: { type: 'number', minimum: 0, exclusiveMaximum: 24 }, perHour: { type: 'number', minimum: 0, maximum: 3600 }, widthHours: { type: 'number', minimum: 0.1, maximum: 12 } }) },
        }),
      ],
    },
    sessions: closed({
      minutes: distribution,
      energyKWh: { oneOf: [{ type: 'null' }, distribution] },
      dwellMinutes: distribution,
      remoteShare: { type: 'number', minimum: 0, maximum: 1 },
      remotePatienceMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 1440 },
    }),
    faults: closed(Object.fromEntries(FAULT_KINDS.map((k) => [k, closed({ perDay: { type: 'number', minimum: 0, maximum: 1_000_000 }, minutes: distribution }, ['perDay'])])), []),
    ocpp: ocppMap,
    ocppGroups: { type: 'array', maxItems: 16, items: closed({ share: { type: 'number', minimum: 0, maximum: 1 }, ocpp: ocppMap }) },
  },
  ['name', 'time', 'arrivals', 'sessions', 'faults', 'ocpp', 'ocppGroups'],
);

interface AjvError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: { readonly missingProperty?: string; readonly additionalProperty?: string };
  readonly message?: string;
}
type AjvValidate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
type AjvClass = new (options: { allErrors: boolean; strict: boolean; validateSchema: boolean }) => { compile(schema: unknown): AjvValidate };
// ajv 8 as ocpp-rpc loads it (see bin/settings.ts): one ajv in the process.
const Ajv = createRequire(createRequire(import.meta.url).resolve('ocpp-rpc'))('ajv') as AjvClass;
const validate = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(SCHEMA);

// ── parsing ─────────────────────────────────────────────────────────────────────────────────

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A profile file's content over the default: `time` and `sessions` merge key by key, `ocpp` keys
 * add to the default's, everything else (`arrivals`, `faults`, `ocppGroups`, `name`) replaces it.
 */
export function mergeOverDefault(base: FleetProfile, raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = { ...base, ...raw };
  for (const key of ['time', 'sessions', 'ocpp'] as const) if (isRecord(raw[key])) out[key] = { ...base[key], ...raw[key] };
  return out;
}

function valueAt(raw: unknown, path: string[]): unknown {
  let v = raw;
  for (const p of path) v = isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** Validates a complete profile tree; throws a {@link ProfileError} naming every bad field. */
export function parseProfile(raw: unknown, source = '(inline)'): FleetProfile {
  const issues: ProfileIssue[] = [];
  if (!validate(raw)) {
    const seen = new Set<string>();
    for (const e of withinBestBranches(validate.errors ?? [])) {
      const at = e.instancePath.split('/').slice(1);
      if (e.keyword === 'additionalProperties' && e.params.additionalProperty !== undefined) at.push(e.params.additionalProperty);
      if (e.keyword === 'required' && e.params.missingProperty !== undefined) at.push(e.params.missingProperty);
      const path = at.join('.') || '(top)';
      // oneOf reports each branch; one line per field is enough.
      if (seen.has(path)) continue;
      seen.add(path);
      const got = valueAt(raw, at);
      const message = e.keyword === 'additionalProperties' ? 'unknown field' : e.keyword === 'oneOf' ? oneOfHint(path) : (e.message ?? e.keyword);
      issues.push({ path, message: got === undefined || e.keyword === 'additionalProperties' ? message : `${message}, got ${JSON.stringify(got)}` });
    }
    // Keep the most specific issues: a field's own problem beats its parent's oneOf summary.
    throw new ProfileError(source, issues.filter((i) => !issues.some((o) => o !== i && o.path.startsWith(`${i.path}.`))));
  }
  const p = raw as FleetProfile;
  const distributions: [string, Distribution | null | undefined][] = [
    ['sessions.minutes', p.sessions.minutes],
    ['sessions.energyKWh', p.sessions.energyKWh],
    ['sessions.dwellMinutes', p.sessions.dwellMinutes],
    ...Object.entries(p.faults).map(([k, f]): [string, Distribution | undefined] => [`faults.${k}.minutes`, f?.minutes]),
  ];
  for (const [path, d] of distributions) checkDistribution(path, d, issues);
  const ocpp = checkOcpp('ocpp', p.ocpp, issues);
  const groups = p.ocppGroups.map((g, i) => ({ share: g.share, ocpp: checkOcpp(`ocppGroups.${i}.ocpp`, g.ocpp, issues) }));
  const shares = p.ocppGroups.reduce((n, g) => n + g.share, 0);
  if (shares > 1 + 1e-9) issues.push({ path: 'ocppGroups', message: `shares add up to ${shares}, more than 1` });
  if (issues.length > 0) throw new ProfileError(source, issues);
  return { ...p, ocpp, ocppGroups: groups };
}

/**
 * ajv reports every failing branch of a `oneOf`; keep only the branch the value came closest to
 * (fewest errors), or the `oneOf` error itself when even that branch has the wrong type.
 */
function withinBestBranches(all: AjvError[]): AjvError[] {
  let errors = all;
  for (const o of all.filter((e) => e.keyword === 'oneOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length)) {
    if (!errors.includes(o)) continue;
    const base = `${o.schemaPath}/`;
    const branchOf = (e: AjvError) => (e.schemaPath.startsWith(base) ? Number(e.schemaPath.slice(base.length).split('/')[0]) : undefined);
    const counts = new Map<number, number>();
    for (const e of errors) {
      const b = branchOf(e);
      if (b !== undefined) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const best = [...counts].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0]?.[0];
    const wrongType = errors.some((e) => branchOf(e) === best && e.instancePath === o.instancePath && e.keyword === 'type');
    errors = errors.filter((e) => (e === o ? wrongType : branchOf(e) === undefined || (!wrongType && branchOf(e) === best)));
  }
  return errors;
}

function oneOfHint(path: string): string {
  if (path === 'arrivals') return 'expected {perHour: [24 rates]} or {baseline, peaks: [{hour, perHour, widthHours}]}';
  const d = 'a number, {min, max} or {median, p90[, min, max]}';
  return path === 'sessions.energyKWh' ? `expected null (no target) or ${d}` : `expected ${d}`;
}

function checkDistribution(path: string, d: Distribution | null | undefined, issues: ProfileIssue[]): void {
  if (d === null || d === undefined || typeof d === 'number') return;
  if ('median' in d && d.p90 < d.median) issues.push({ path: `${path}.p90`, message: `must be ≥ median (${d.median}), got ${d.p90}` });
  if (d.min !== undefined && d.max !== undefined && d.max < d.min) issues.push({ path: `${path}.max`, message: `must be ≥ min (${d.min}), got ${d.max}` });
}

function checkOcpp(path: string, entries: Record<string, unknown>, issues: ProfileIssue[]): Record<string, ConfigValue> {
  const checked = checkInitialValues(entries);
  for (const issue of checked.issues) {
    const at = `${path}.${issue.name}`;
    issues.push('message' in issue ? { path: at, message: issue.message } : { path: at, message: `${issue.expected}, got ${JSON.stringify(issue.input)}` });
  }
  return checked.values;
}
