/**
 * The utilisation summary of a charger or a fleet: sessions and energy per day, and the shares of
 * connector time plugged in (occupancy), charging, faulted and unavailable. One function for
 * `evse sessions` (from the session history file) and the fleet report (from running totals), so
 * both say the same thing in the same words.
 *
 * It works in two steps: a {@link UsageTally} of plain sums, which adds up exactly across threads,
 * shards and files, and {@link summarizeUsage}, which turns a tally into rates and percentages.
 */
import { idleAfterChargeMs, sessionDurationMs, type SessionRecord, type UsageInterval } from '../store/usageTypes.js';

const DAY_MS = 86_400_000;

/** Sums only: two tallies add up field by field ({@link addTallies}). */
export interface UsageTally {
  /** Connectors observed. */
  connectors: number;
  /** Connector time observed, ms: the period × the connectors (the denominator of every share). */
  connectorMs: number;
  /** Sessions that started in the period. */
  sessions: number;
  /** Energy of those sessions, Wh (a session still running counts with 0). */
  energyWh: number;
  /** Of those, the ones whose transaction stopped, and their summed duration. */
  stoppedSessions: number;
  sessionMs: number;
  /** Of those, the ones the EV has left, and their summed idle time after charging. */
  completeSessions: number;
  idleAfterChargeMs: number;
  /** Connector time in each condition within the period, ms. */
  pluggedMs: number;
  chargingMs: number;
  faultedMs: number;
  unavailableMs: number;
}

export interface UsageSummary {
  connectors: number;
  /** Length of the period in days (connector time / connectors). */
  days: number;
  sessions: number;
  sessionsPerDay: number;
  energyKWh: number;
  kWhPerDay: number;
  /** null when no session stopped yet. */
  kWhPerSession: number | null;
  averageSessionMinutes: number | null;
  averageIdleAfterChargeMinutes: number | null;
  /** Shares of connector time, 0–100. Occupancy is time with an EV plugged in. */
  occupancyPercent: number;
  chargingPercent: number;
  faultedPercent: number;
  unavailablePercent: number;
}

export function emptyTally(connectors = 0): UsageTally {
  return {
    connectors,
    connectorMs: 0,
    sessions: 0,
    energyWh: 0,
    stoppedSessions: 0,
    sessionMs: 0,
    completeSessions: 0,
    idleAfterChargeMs: 0,
    pluggedMs: 0,
    chargingMs: 0,
    faultedMs: 0,
    unavailableMs: 0,
  };
}

const FIELDS = Object.keys(emptyTally()) as (keyof UsageTally)[];

/** Field-by-field sum (threads, shards). */
export function addTallies(...tallies: readonly UsageTally[]): UsageTally {
  const out = emptyTally();
  for (const t of tallies) for (const f of FIELDS) out[f] += t[f] ?? 0;
  return out;
}

/** A period of clock time, [from, to). */
export interface Period {
  from: number;
  to: number;
}

/** Counts a session that started within `period` (all sessions without one). */
export function countSession(tally: UsageTally, r: SessionRecord, period?: Period): void {
  if (period && (r.startedAt < period.from || r.startedAt >= period.to)) return;
  tally.sessions++;
  tally.energyWh += r.energyWh ?? 0;
  const duration = sessionDurationMs(r);
  if (duration !== undefined) {
    tally.stoppedSessions++;
    tally.sessionMs += duration;
  }
  const idle = idleAfterChargeMs(r);
  if (idle !== undefined) {
    tally.completeSessions++;
    tally.idleAfterChargeMs += idle;
  }
}

/** Adds the part of an interval that lies within `period`; one that has not ended counts until `openUntil`. */
export function countInterval(tally: UsageTally, i: UsageInterval, period: Period, openUntil = period.to): void {
  const from = Math.max(i.from, period.from);
  const to = Math.min(i.to ?? openUntil, period.to);
  if (to <= from) return;
  const ms = to - from;
  switch (i.kind) {
    case 'plugged':
      tally.pluggedMs += ms;
      break;
    case 'charging':
      tally.chargingMs += ms;
      break;
    case 'faulted':
      tally.faultedMs += ms;
      break;
    case 'unavailable':
      tally.unavailableMs += ms;
      break;
  }
}

/**
 * The tally of a history over `period` for `connectors` connectors: the sessions that started in
 * it and the connector time in it (intervals still open count until `openUntil`, default the end).
 */
export function tallyHistory(h: { sessions: readonly SessionRecord[]; intervals: readonly UsageInterval[]; connectors: number }, period: Period, openUntil = period.to): UsageTally {
  const tally = emptyTally(h.connectors);
  tally.connectorMs = h.connectors * Math.max(0, period.to - period.from);
  for (const r of h.sessions) countSession(tally, r, period);
  for (const i of h.intervals) countInterval(tally, i, period, openUntil);
  return tally;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));
const percent = (part: number, whole: number) => (whole > 0 ? round((100 * part) / whole, 2) : 0);
const perDay = (v: number, days: number) => (days > 0 ? round(v / days, 2) : 0);

export function summarizeUsage(t: UsageTally): UsageSummary {
  const days = t.connectors > 0 ? t.connectorMs / t.connectors / DAY_MS : 0;
  const energyKWh = t.energyWh / 1000;
  return {
    connectors: t.connectors,
    days: round(days, 3),
    sessions: t.sessions,
    sessionsPerDay: perDay(t.sessions, days),
    energyKWh: round(energyKWh, 3),
    kWhPerDay: perDay(energyKWh, days),
    kWhPerSession: t.stoppedSessions > 0 ? round(energyKWh / t.stoppedSessions, 3) : null,
    averageSessionMinutes: t.stoppedSessions > 0 ? round(t.sessionMs / t.stoppedSessions / 60_000, 1) : null,
    averageIdleAfterChargeMinutes: t.completeSessions > 0 ? round(t.idleAfterChargeMs / t.completeSessions / 60_000, 1) : null,
    occupancyPercent: percent(t.pluggedMs, t.connectorMs),
    chargingPercent: percent(t.chargingMs, t.connectorMs),
    faultedPercent: percent(t.faultedMs, t.connectorMs),
    unavailablePercent: percent(t.unavailableMs, t.connectorMs),
  };
}

/** One line for people, e.g. `12 sessions (1.71/day), 123.4 kWh (17.63/day), occupancy 23.1 %, …`. */
export function describeUsage(s: UsageSummary): string {
  const avg = s.averageSessionMinutes === null ? '' : `, average session ${s.averageSessionMinutes} min`;
  const idle = s.averageIdleAfterChargeMinutes === null ? '' : `, idle after charging ${s.averageIdleAfterChargeMinutes} min`;
  return (
    `${s.sessions} sessions (${s.sessionsPerDay}/day), ${s.energyKWh.toFixed(1)} kWh (${s.kWhPerDay}/day)${avg}${idle}; ` +
    `occupancy ${s.occupancyPercent} %, charging ${s.chargingPercent} %, faulted ${s.faultedPercent} %, unavailable ${s.unavailablePercent} % ` +
    `of ${s.days} days × ${s.connectors} connector${s.connectors === 1 ? '' : 's'}`
  );
}
