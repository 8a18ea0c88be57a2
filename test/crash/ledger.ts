/**
 * The ledger check of the crash campaign (campaign.ts): what the CSMS recorded must show every
 * session exactly once, whatever moments the charger was killed at.
 *
 * One message may legitimately arrive twice: a StopTransaction the CSMS answered just before the
 * charger died, and that the restarted charger sends again, *identical* (same transactionId,
 * meterStop, timestamp, reason, …). Between the CSMS's answer arriving and the acknowledgement
 * reaching the disk (one fdatasync, a few ms) a kill leaves the charger unable to know whether
 * the message got through; OCPP 1.6 offers no way to ask. Sending it again is the only choice that
 * never loses a transaction (at-least-once delivery), so no charge point can close that window; a
 * CSMS recognises the resend because it is byte-for-byte the same stop for a transaction it has
 * already closed. Anything else counts as a failure: a second *different* stop for a transaction
 * (a real duplicate: another meterStop, timestamp or reason), a second StartTransaction, a
 * session missing or present twice, a stop before its start, meterStop < meterStart, MeterValues
 * out of time order, a stop for an unknown transaction, a schema violation.
 *
 * OCPP 2.0.1 (ledgerOf201): the TransactionEvents Started and Ended stand for the StartTransaction
 * and StopTransaction calls, and an identical Started sent again is a resend too (2.0.1 transaction
 * ids are the station's own, so a resent Started names the same transaction). Each transaction's
 * events must carry the seqNos 0..n without a gap, a number received twice being the same event
 * twice (seqNoFailures).
 *
 * With the simulated meter persisted across kills (bin/simState.ts) the energy is checked too: the
 * register never goes back between sessions, and a PowerLoss stop carries at least the last register
 * the CSMS saw for that transaction — both less at most `unsavedWh` (what a kill may lose).
 */
import type { EmbeddedCsms, TrafficRecord } from '../../scenarios/csms/EmbeddedCsms.js';
import type { TransactionRecord } from '../../scenarios/csms/ChargePointState.js';

/** What the check reads from the CSMS (plain data, so the check itself is tested without one). */
export interface LedgerView {
  /** StartTransaction / StopTransaction calls received, in arrival order. */
  starts: readonly Pick<TrafficRecord, 'seq' | 'payload'>[];
  stops: readonly Pick<TrafficRecord, 'seq' | 'payload'>[];
  transactions: readonly TransactionRecord[];
  unknownStops: readonly unknown[];
  violations: readonly unknown[];
  /** OCPP 2.0.1: identical resends already taken out of `starts`, and what the seqNo check found. */
  resent?: readonly string[];
  seqNoFailures?: readonly string[];
}

export interface LedgerReport {
  failures: string[];
  /** Identical resends of an already answered StopTransaction (see the file header). */
  resends: string[];
  /** Largest step back of the energy register seen (Wh), for the report. */
  maxRegisterStepBackWh: number;
}

export function ledgerOf(csms: EmbeddedCsms, chargePointId: string): LedgerView {
  const calls = (action: string) => csms.traffic((r) => r.chargePointId === chargePointId && r.direction === 'in' && r.kind === 'call' && r.action === action);
  return {
    starts: calls('StartTransaction'),
    stops: calls('StopTransaction'),
    transactions: csms.transactions(chargePointId),
    unknownStops: csms.chargePoint(chargePointId)?.unknownStops ?? [],
    violations: csms.violations(chargePointId),
  };
}

interface Event201 {
  eventType: string;
  seqNo: number;
  timestamp: string;
  transactionInfo: { transactionId: string; stoppedReason?: string };
  evse?: { id: number };
  idToken?: { idToken: string };
  meterValue?: { sampledValue: { value: number; context?: string; measurand?: string }[] }[];
}

const register201 = (e: Event201, context: string): number | undefined =>
  e.meterValue?.flatMap((mv) => mv.sampledValue).find((v) => v.context === context && (v.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register')?.value;

/**
 * Per transaction, in arrival order: its events' seqNos are 0..n without a gap, and a seqNo
 * received twice is the same event twice (a resend whose answer was lost), never two events.
 */
export function seqNoFailures(events: readonly Event201[]): string[] {
  const failures: string[] = [];
  const byTx = new Map<string, Map<number, string>>();
  for (const e of events) {
    const id = e.transactionInfo.transactionId;
    const seen = byTx.get(id) ?? new Map<number, string>();
    byTx.set(id, seen);
    const before = seen.get(e.seqNo);
    if (before !== undefined && before !== canonical(e)) failures.push(`transaction ${id}: two different events under seqNo ${e.seqNo}`);
    seen.set(e.seqNo, canonical(e));
  }
  for (const [id, seen] of byTx) {
    const numbers = [...seen.keys()].sort((a, b) => a - b);
    const missing = numbers.length === 0 ? [] : Array.from({ length: numbers.at(-1)! + 1 }, (_, i) => i).filter((n) => !seen.has(n));
    if (missing.length > 0) failures.push(`transaction ${id}: seqNo ${missing.join(', ')} never received (a gap)`);
  }
  return failures;
}

/** The ledger of a 2.0.1 charger: Started / Ended as the starts and stops (see the file header). */
export function ledgerOf201(csms: EmbeddedCsms, chargePointId: string): LedgerView {
  const records = csms.traffic((r) => r.chargePointId === chargePointId && r.direction === 'in' && r.kind === 'call' && r.action === 'TransactionEvent');
  const events = records.map((r) => r.payload as Event201);
  const starts: Pick<TrafficRecord, 'seq' | 'payload'>[] = [];
  const stops: Pick<TrafficRecord, 'seq' | 'payload'>[] = [];
  const resent: string[] = [];
  const startsSeen = new Set<string>();
  records.forEach((r, i) => {
    const e = events[i]!;
    const id = e.transactionInfo.transactionId;
    if (e.eventType === 'Started') {
      if (startsSeen.has(canonical(e))) {
        resent.push(`transaction ${id}: Started resent, identical`);
        return;
      }
      startsSeen.add(canonical(e));
      starts.push({ seq: r.seq, payload: { connectorId: e.evse?.id, idTag: e.idToken?.idToken, meterStart: register201(e, 'Transaction.Begin'), timestamp: e.timestamp } });
    } else if (e.eventType === 'Ended') {
      stops.push({ seq: r.seq, payload: { transactionId: Number(id), meterStop: register201(e, 'Transaction.End'), timestamp: e.timestamp, reason: e.transactionInfo.stoppedReason } });
    }
  });
  return {
    starts,
    stops,
    transactions: csms.transactions(chargePointId),
    unknownStops: [],
    violations: csms.violations(chargePointId),
    resent,
    seqNoFailures: seqNoFailures(events),
  };
}

/** JSON with sorted keys: two payloads are the same message whatever order their keys came in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const registerOf = (mv: TransactionRecord['meterValues'][number]): number | undefined => {
  const v = mv.sampledValue.find((s) => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register' && s.context !== 'Transaction.Begin');
  return v === undefined ? undefined : Number(v.value);
};

export function checkLedger(view: LedgerView, tags: readonly string[], options: { unsavedWh?: number } = {}): LedgerReport {
  const unsavedWh = options.unsavedWh ?? Infinity;
  const failures: string[] = [...(view.seqNoFailures ?? [])];
  const resends: string[] = [...(view.resent ?? [])];
  const keys = new Set<string>();
  for (const s of view.starts) {
    const p = s.payload as { connectorId: number; idTag: string; meterStart: number; timestamp: string };
    const key = `${p.connectorId}|${p.idTag}|${p.meterStart}|${p.timestamp}`;
    if (keys.has(key)) failures.push(`StartTransaction sent twice (a kill between its answer and journaling it): ${key}`);
    keys.add(key);
  }
  const txs = view.transactions;
  for (const tag of tags) {
    const n = txs.filter((t) => t.idTag === tag).length;
    if (n !== 1) failures.push(`session ${tag}: ${n} transactions in the ledger (expected exactly 1)`);
  }
  let maxRegisterStepBackWh = 0;
  let previousStop: { transactionId: number; meterStop: number } | undefined;
  for (const t of txs) {
    if (t.duplicateOf !== undefined) failures.push(`transaction ${t.transactionId} duplicates ${t.duplicateOf}`);
    if (previousStop) {
      const back = previousStop.meterStop - t.meterStart;
      maxRegisterStepBackWh = Math.max(maxRegisterStepBackWh, back);
      if (back > unsavedWh) failures.push(`transaction ${t.transactionId}: meterStart ${t.meterStart} is ${back} Wh below the meterStop of ${previousStop.transactionId} (the meter register went back)`);
    }
    if (!t.stop) {
      failures.push(`transaction ${t.transactionId} (${t.idTag}) never stopped`);
      previousStop = undefined;
      continue;
    }
    previousStop = { transactionId: t.transactionId, meterStop: t.stop.meterStop };
    if (t.stop.meterStop < t.meterStart) failures.push(`transaction ${t.transactionId}: meterStop ${t.stop.meterStop} < meterStart ${t.meterStart}`);
    const mine = view.stops.filter((s) => (s.payload as { transactionId: number }).transactionId === t.transactionId);
    if (mine.length > 1 && new Set(mine.map((m) => canonical(m.payload))).size === 1) {
      resends.push(`transaction ${t.transactionId}: StopTransaction resent ${mine.length - 1}×, identical`);
    } else if (mine.length !== 1) {
      const what = mine.map((m) => {
        const p = m.payload as { reason?: string; timestamp: string; meterStop: number };
        return `${p.reason ?? 'Local'}@${p.timestamp} meterStop ${p.meterStop}`;
      });
      failures.push(`transaction ${t.transactionId}: ${mine.length} different StopTransaction calls: ${what.join(', ')}`);
    }
    const start = view.starts.find((s) => (s.payload as { idTag: string }).idTag === t.idTag);
    if (start && mine[0] && mine[0].seq < start.seq) failures.push(`transaction ${t.transactionId}: StopTransaction before StartTransaction`);
    const times = t.meterValues.map((m) => Date.parse(m.timestamp));
    for (let i = 1; i < times.length; i++) {
      if (times[i]! < times[i - 1]!) {
        failures.push(`transaction ${t.transactionId}: meter values out of time order at #${i} (${t.meterValues[i - 1]!.timestamp} > ${t.meterValues[i]!.timestamp})`);
        break;
      }
    }
    if (Date.parse(t.stop.timestamp) < Date.parse(t.startTimestamp)) failures.push(`transaction ${t.transactionId}: stops before it starts`);
    if (t.stop.reason === 'PowerLoss') {
      const seen = Math.max(-Infinity, ...t.meterValues.map(registerOf).filter((v): v is number => v !== undefined && Number.isFinite(v)));
      if (t.stop.meterStop < seen - unsavedWh) failures.push(`transaction ${t.transactionId}: PowerLoss meterStop ${t.stop.meterStop} lost more than ${unsavedWh} Wh of the ${seen} Wh already reported`);
    }
  }
  if (view.unknownStops.length > 0) failures.push(`${view.unknownStops.length} StopTransaction for unknown transaction ids`);
  for (const v of view.violations) failures.push(`schema violation: ${JSON.stringify(v)}`);
  return { failures, resends, maxRegisterStepBackWh };
}
