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
 * Recurring schedules repeat every day (Daily) or week (Weekly) at the local time of day (and
 * weekday) of their startSchedule in the charger's time zone (the situation's `timeZone`, UTC when
 * absent), and their periods start at local times too: a daily run from 18:00 with a period at
 * +12 h switches at 06:00 local, also in the night the clocks change (that run is then 23 or 25 h
 * long in elapsed time). Local times the clocks skip or repeat resolve as ./localTime.ts says.
 * Absolute and Relative schedules count elapsed seconds (docs/smart-charging.md).
 */
import type { ChargingProfile, ConnectorSituation, ProfilePurpose, RateUnit, SchedulePeriod } from './chargingProfile.js';
import { fromWall, isUtc, toWall } from './localTime.js';

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

/**
 * One run of a profile's schedule: where it starts and, for a recurring schedule in a local time
 * zone, the local (wall) time it starts at, from which its periods count in local time.
 */
interface Run {
  start: number;
  wall?: number;
  timeZone?: string;
}

/** The instant `offsetS` seconds into a run (local seconds for a local recurring run). */
function instantIn(run: Run, offsetS: number): number {
  return run.wall === undefined || run.timeZone === undefined ? run.start + offsetS * 1000 : fromWall(run.wall + offsetS * 1000, run.timeZone);
}

/** The recurrence `k` runs after the one starting at wall time `wallStart`. */
function recurrence(wallStart: number, k: number, every: number, timeZone: string): Run {
  const wall = wallStart + k * every;
  return { start: fromWall(wall, timeZone), wall, timeZone };
}

/** The schedule run that covers `t` (undefined: the profile has no start yet). */
function runAt(p: ChargingProfile, t: number, relativeStart: number, timeZone: string | undefined): Run | undefined {
  switch (p.kind) {
    case 'Absolute':
      return p.schedule.startSchedule === undefined ? undefined : { start: p.schedule.startSchedule };
    case 'Relative':
      return { start: relativeStart };
    case 'Recurring': {
      const s = p.schedule.startSchedule;
      if (s === undefined) return undefined;
      const every = RECURRENCE_MS[p.recurrency ?? 'Daily'];
      if (isUtc(timeZone)) return { start: s + Math.floor((t - s) / every) * every };
      const tz = timeZone as string;
      const wallStart = toWall(s, tz);
      // Counted in wall time, then corrected by one where a repeated hour puts `t` on the other side.
      let k = Math.floor((toWall(t, tz) - wallStart) / every);
      if (recurrence(wallStart, k + 1, every, tz).start <= t) k += 1;
      else if (recurrence(wallStart, k, every, tz).start > t) k -= 1;
      return recurrence(wallStart, k, every, tz);
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
  const run = runAt(p, t, relativeStart, s.timeZone);
  if (run === undefined || t < run.start) return undefined;
  const { schedule } = p;
  if (schedule.duration !== undefined && t >= instantIn(run, schedule.duration)) return undefined;
  let period: SchedulePeriod | undefined;
  for (const candidate of schedule.periods) {
    if (instantIn(run, candidate.startPeriod) > t) break;
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
function boundaries(p: ChargingProfile, from: number, to: number, relativeStart: number, timeZone: string | undefined): number[] {
  const out: number[] = [];
  const add = (t: number) => {
    if (t > from && t < to) out.push(t);
  };
  if (p.validFrom !== undefined) add(p.validFrom);
  if (p.validTo !== undefined) add(p.validTo);
  const inRun = (run: Run) => {
    add(run.start);
    for (const period of p.schedule.periods) add(instantIn(run, period.startPeriod));
    if (p.schedule.duration !== undefined) add(instantIn(run, p.schedule.duration));
  };
  const first = runAt(p, from, relativeStart, timeZone);
  if (first === undefined) return out;
  inRun(first);
  if (p.kind !== 'Recurring') return out;
  const every = RECURRENCE_MS[p.recurrency ?? 'Daily'];
  const { wall, timeZone: tz } = first;
  for (let k = 1, start = first.start; start < to; k++) {
    const run = wall !== undefined && tz !== undefined ? recurrence(wall, k, every, tz) : { start: first.start + k * every };
    inRun(run);
    start = run.start;
  }
  return out;
}

/** The next instant after `from` (and before `to`) at which what the profiles allow on the connector may change. */
export function nextChange(profiles: readonly ChargingProfile[], s: ConnectorSituation, from: number, to: number): number | undefined {
  const relativeStart = s.sessionStart ?? from;
  let next: number | undefined;
  for (const p of profiles) {
    if (!appliesTo(p, s.connectorId)) continue;
    for (const t of boundaries(p, from, to, relativeStart, s.timeZone)) if (next === undefined || t < next) next = t;
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
  for (const p of profiles) if (appliesTo(p, s.connectorId)) for (const t of boundaries(p, from, to, relativeStart, s.timeZone)) instants.add(t);
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
