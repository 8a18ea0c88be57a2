/**
 * The composite schedule (OCPP 1.6 §3.13.4, 2.0.1 K08): what the installed charging profiles allow
 * on one connector at a time, and over a span of time as periods. Pure functions.
 *
 * At an instant:
 * - within each purpose the valid profile with the highest stack level whose schedule is running
 *   at that instant wins (a connector's own TxDefault before the charger-wide one at the same level);
 *   when its schedule has ended, the next lower one applies;
 * - a Tx profile, where one is installed (only during a session), replaces TxDefault;
 * - the ChargePointMax profile caps the result: the lower of the two wins.
 * Limits are compared as A per phase: W / (nominal voltage × phases); phases = the period's
 * numberPhases (default 3), never more than the connector has wired.
 *
 * Recurring schedules repeat every 24 h (Daily) or 7 × 24 h (Weekly) from their startSchedule, in
 * the charger's clock time, which is UTC: the repository has no time-zone setting, so a daily
 * schedule keeps its UTC time across daylight-saving changes (docs/smart-charging.md).
 */
import type { ChargingProfile, ConnectorSituation, ProfilePurpose, RateUnit, SchedulePeriod } from './chargingProfile.js';

const DAY_MS = 86_400_000;
const RECURRENCE_MS = { Daily: DAY_MS, Weekly: 7 * DAY_MS } as const;

/** What the profiles allow at an instant. */
export interface ProfileLimit {
  /** A per phase. */
  amps: number;
  phases: number;
  /** The purpose and profile that set it. */
  purpose: ProfilePurpose;
  profileId: number;
  /** The EV's lowest rate (A per phase) from the winning Tx/TxDefault profile, if it gave one. */
  minAmps?: number;
}

interface PeriodValue {
  amps: number;
  phases: number;
  minAmps?: number;
}

/** The start of the schedule run that covers `t` (undefined: the profile has no start yet). */
function runStart(p: ChargingProfile, t: number, relativeStart: number): number | undefined {
  switch (p.kind) {
    case 'Absolute':
      return p.schedule.startSchedule;
    case 'Relative':
      return relativeStart;
    case 'Recurring': {
      const s = p.schedule.startSchedule;
      if (s === undefined) return undefined;
      const every = RECURRENCE_MS[p.recurrency ?? 'Daily'];
      return s + Math.floor((t - s) / every) * every;
    }
  }
}

function toAmps(limit: number, unit: RateUnit, phases: number, voltageV: number): number {
  return unit === 'A' ? limit : limit / (voltageV * phases);
}

/** One profile's value at `t`, or undefined when it does not apply then (not valid, not started, ended). */
function valueAt(p: ChargingProfile, t: number, s: ConnectorSituation, relativeStart: number): PeriodValue | undefined {
  if (p.validFrom !== undefined && t < p.validFrom) return undefined;
  if (p.validTo !== undefined && t >= p.validTo) return undefined;
  const start = runStart(p, t, relativeStart);
  if (start === undefined || t < start) return undefined;
  const offsetMs = t - start;
  const { schedule } = p;
  if (schedule.duration !== undefined && offsetMs >= schedule.duration * 1000) return undefined;
  let period: SchedulePeriod | undefined;
  for (const candidate of schedule.periods) {
    if (candidate.startPeriod * 1000 > offsetMs) break;
    period = candidate;
  }
  if (!period) return undefined;
  const phases = Math.min(period.numberPhases ?? 3, s.phases);
  const amps = toAmps(period.limit, schedule.unit, phases, s.voltageV);
  const min = schedule.minChargingRate;
  return { amps, phases, ...(min !== undefined && min > 0 && { minAmps: toAmps(min, schedule.unit, phases, s.voltageV) }) };
}

function appliesTo(p: ChargingProfile, connectorId: number): boolean {
  return p.purpose === 'ChargePointMax' ? p.connectorId === 0 : p.connectorId === connectorId || (p.purpose === 'TxDefault' && p.connectorId === 0);
}

/** Highest stack level first; at the same level a connector's own profile before the charger-wide one. */
function byPrecedence(a: ChargingProfile, b: ChargingProfile): number {
  return b.stackLevel - a.stackLevel || b.connectorId - a.connectorId;
}

function winner(profiles: readonly ChargingProfile[], purpose: ProfilePurpose, t: number, s: ConnectorSituation, relativeStart: number): ProfileLimit | undefined {
  const candidates = profiles.filter((p) => p.purpose === purpose && appliesTo(p, s.connectorId)).sort(byPrecedence);
  for (const p of candidates) {
    const v = valueAt(p, t, s, relativeStart);
    if (v) return { ...v, purpose, profileId: p.id };
  }
  return undefined;
}

/**
 * What the profiles allow on the connector at `t` (undefined: no profile limits it then).
 * `relativeStart` is where Relative schedules start when the situation has no session (default `t`).
 */
export function profileLimitAt(profiles: readonly ChargingProfile[], s: ConnectorSituation, t: number, relativeStart = s.sessionStart ?? t): ProfileLimit | undefined {
  const tx = winner(profiles, 'Tx', t, s, relativeStart) ?? winner(profiles, 'TxDefault', t, s, relativeStart);
  const max = winner(profiles, 'ChargePointMax', t, s, relativeStart);
  if (!tx) return max;
  if (!max || tx.amps <= max.amps) return tx;
  return { ...max, ...(tx.minAmps !== undefined && { minAmps: tx.minAmps }) };
}

/** Instants in (from, to) at which a profile's value may change. */
function boundaries(p: ChargingProfile, from: number, to: number, relativeStart: number): number[] {
  const out: number[] = [];
  const add = (t: number) => {
    if (t > from && t < to) out.push(t);
  };
  if (p.validFrom !== undefined) add(p.validFrom);
  if (p.validTo !== undefined) add(p.validTo);
  const run = (start: number) => {
    for (const period of p.schedule.periods) add(start + period.startPeriod * 1000);
    if (p.schedule.duration !== undefined) add(start + p.schedule.duration * 1000);
  };
  if (p.kind !== 'Recurring') {
    const start = runStart(p, from, relativeStart);
    if (start !== undefined) run(start);
    return out;
  }
  const first = runStart(p, from, relativeStart);
  if (first === undefined) return out;
  const every = RECURRENCE_MS[p.recurrency ?? 'Daily'];
  for (let start = first; start < to; start += every) run(start);
  return out;
}

/** The next instant after `from` (and before `to`) at which what the profiles allow on the connector may change. */
export function nextChange(profiles: readonly ChargingProfile[], s: ConnectorSituation, from: number, to: number): number | undefined {
  const relativeStart = s.sessionStart ?? from;
  let next: number | undefined;
  for (const p of profiles) {
    if (!appliesTo(p, s.connectorId)) continue;
    for (const t of boundaries(p, from, to, relativeStart)) if (next === undefined || t < next) next = t;
  }
  return next;
}

export interface CompositePeriod {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
}

export interface CompositeSchedule {
  /** Epoch ms: `from`. */
  start: number;
  duration: number;
  unit: RateUnit;
  periods: CompositePeriod[];
  minChargingRate?: number;
}

/** Rounded down (never above what the profiles allow) to 0.1 A or 1 W, the wire's resolution. */
function inUnit(amps: number, phases: number, unit: RateUnit, voltageV: number): number {
  return unit === 'A' ? Math.floor(amps * 10 + 1e-9) / 10 : Math.floor(amps * voltageV * phases + 1e-6);
}

/**
 * The composite schedule of the connector from `from` for `durationS` seconds in `unit`: the
 * profiles' limits, capped at `ceilingA` (the hardware maximum and local limits; also where no
 * profile applies), as periods that each differ from the one before.
 */
export function compositeSchedule(
  profiles: readonly ChargingProfile[],
  s: ConnectorSituation,
  opts: { from: number; durationS: number; unit: RateUnit; ceilingA: number },
): CompositeSchedule {
  const { from, durationS, unit, ceilingA } = opts;
  const to = from + durationS * 1000;
  const relativeStart = s.sessionStart ?? from;
  const instants = new Set<number>([from]);
  for (const p of profiles) if (appliesTo(p, s.connectorId)) for (const t of boundaries(p, from, to, relativeStart)) instants.add(t);
  const periods: CompositePeriod[] = [];
  let minChargingRate: number | undefined;
  let last: string | undefined;
  for (const t of [...instants].sort((a, b) => a - b)) {
    const limit = profileLimitAt(profiles, s, t, relativeStart);
    const capped = !limit || limit.amps > ceilingA;
    const phases = capped ? s.phases : limit.phases;
    const value = inUnit(capped ? ceilingA : limit.amps, phases, unit, s.voltageV);
    if (t === from && limit?.minAmps !== undefined) minChargingRate = inUnit(limit.minAmps, phases, unit, s.voltageV);
    const key = `${value}/${phases}`;
    if (key === last) continue;
    last = key;
    periods.push({ startPeriod: Math.round((t - from) / 1000), limit: value, ...(phases !== 3 && { numberPhases: phases }) });
  }
  return { start: from, duration: durationS, unit, periods, ...(minChargingRate !== undefined && { minChargingRate }) };
}
