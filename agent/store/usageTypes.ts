/**
 * The vocabulary of usage data for planning: one {@link SessionRecord} per charging session
 * (transaction) and {@link UsageInterval}s of connector time (EV plugged in, charging, faulted,
 * unavailable). Written by the {@link UsageTracker} to a {@link UsageSink}: the durable session
 * history of `evse run` (agent/store/SessionHistory.ts) or a fleet's running totals. Times are
 * epoch ms of the agent's clock.
 */
import type { StopReason } from '../ocpp16/vocabulary.js';

export interface SessionRecord {
  /** The transaction's local id (the journal's): unique per charger, stable across restarts. */
  id: string;
  connectorId: number;
  /** The CSMS's transactionId, once it answered the StartTransaction. */
  transactionId?: number;
  /** SHA-256 of salt + idTag (agent/auth/idTagHash.ts); never the idTag itself. */
  idTagHash?: string;
  /** When the EV was plugged in, when that was before the transaction started. */
  pluggedInAt?: number;
  startedAt: number;
  stoppedAt?: number;
  /** When the EV left the connector (or the next session on the same plug-in began). */
  unpluggedAt?: number;
  meterStartWh?: number;
  /** meterStop − meterStart, once stopped. */
  energyWh?: number;
  /** Time in status Charging (energy flowing) during the transaction. */
  chargingMs: number;
  /** When the last stretch of charging ended. */
  chargeEndedAt?: number;
  stopReason?: StopReason;
  /** Each distinct fault seen on the connector during the session: OCPP errorCode, and the info text. */
  faults: string[];
  /**
   * The agent was not running for part of the session (crash, power cut): times around the gap
   * are when the agent last wrote or first saw again, and the gap counts as neither charging nor idle.
   */
  interrupted?: true;
}

/** A session is `active` until its transaction stops, `stopped` until the EV leaves, then `complete`. */
export type SessionState = 'active' | 'stopped' | 'complete';

export function sessionState(r: Pick<SessionRecord, 'stoppedAt' | 'unpluggedAt'>): SessionState {
  if (r.stoppedAt === undefined) return 'active';
  return r.unpluggedAt === undefined ? 'stopped' : 'complete';
}

/** Transaction duration, ms (undefined while it runs). */
export function sessionDurationMs(r: SessionRecord): number | undefined {
  return r.stoppedAt === undefined ? undefined : Math.max(0, r.stoppedAt - r.startedAt);
}

/**
 * Time plugged in but not drawing power after the charge ended, until the EV left, ms: from the
 * end of the last charging stretch (or, if it never charged, the start) to the unplug. Undefined
 * until the session is complete.
 */
export function idleAfterChargeMs(r: SessionRecord): number | undefined {
  if (r.unpluggedAt === undefined || r.stoppedAt === undefined) return undefined;
  return Math.max(0, r.unpluggedAt - (r.chargeEndedAt ?? r.startedAt));
}

export type IntervalKind = 'plugged' | 'charging' | 'faulted' | 'unavailable';
export const INTERVAL_KINDS: readonly IntervalKind[] = ['plugged', 'charging', 'faulted', 'unavailable'];

/** A stretch of one connector's time in one condition; `to` is absent while it lasts. */
export interface UsageInterval {
  connectorId: number;
  kind: IntervalKind;
  from: number;
  to?: number;
}

/** The identity of an interval (its latest version wins). */
export const intervalKey = (i: Pick<UsageInterval, 'connectorId' | 'kind' | 'from'>): string => `${i.connectorId}/${i.kind}/${i.from}`;

/** Where the {@link UsageTracker} writes. Calls come synchronously, in the order things happened. */
export interface UsageSink {
  /** A session record changed; `complete` once nothing will change it any more. */
  session(record: Readonly<SessionRecord>, complete: boolean): void;
  /** An interval began (`to` absent) or ended. */
  interval(interval: Readonly<UsageInterval>): void;
}

/** What a tracker takes over from the one before it (a restart, a Reset): see SessionHistory.resumeState(). */
export interface UsageResume {
  /** Sessions not complete yet. */
  sessions: SessionRecord[];
  /** Intervals that had not ended. */
  intervals: UsageInterval[];
  /** The last moment the previous tracker is known to have been running (open intervals end there). */
  aliveAt?: number;
}
