/**
 * The crash campaign's ledger check on hand-made ledgers: an identical StopTransaction resend is a
 * resend, a different second stop is a duplicate (failure), and the other invariants each fail.
 */
import { describe, expect, it } from 'vitest';
import type { TransactionRecord } from '../../scenarios/csms/ChargePointState.js';
import { checkLedger, seqNoFailures, type LedgerView } from './ledger.js';

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function tx(id: number, idTag: string, meterStart: number, meterStop: number | undefined, extra: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    transactionId: id,
    chargePointId: 'CP',
    connectorId: 1,
    idTag,
    meterStart,
    startTimestamp: T(id * 10),
    idTagStatus: 'Accepted',
    meterValues: [],
    ...(meterStop !== undefined && { stop: { meterStop, timestamp: T(id * 10 + 5), reason: 'Remote' } as TransactionRecord['stop'] }),
    ...extra,
  };
}

/** A ledger of two sessions, each started and stopped once. */
function sound(): LedgerView & { stops: { seq: number; payload: unknown }[] } {
  const transactions = [tx(1, 'A', 0, 100), tx(2, 'B', 100, 250)];
  return {
    starts: transactions.map((t, i) => ({ seq: i * 10 + 1, payload: { connectorId: 1, idTag: t.idTag, meterStart: t.meterStart, timestamp: t.startTimestamp } })),
    stops: transactions.map((t, i) => ({ seq: i * 10 + 5, payload: { transactionId: t.transactionId, meterStop: t.stop!.meterStop, timestamp: t.stop!.timestamp, reason: 'Remote' } })),
    transactions,
    unknownStops: [],
    violations: [],
  };
}

describe('crash campaign ledger check', () => {
  it('passes a sound ledger', () => {
    expect(checkLedger(sound(), ['A', 'B'], { unsavedWh: 20 })).toEqual({ failures: [], resends: [], maxRegisterStepBackWh: 0 });
  });

  it('counts an identical StopTransaction resend (same id, meterStop, timestamp, reason; any key order) as a resend, not a failure', () => {
    const view = sound();
    const p = view.stops[0]!.payload as Record<string, unknown>;
    view.stops.push({ seq: 7, payload: { reason: p.reason, timestamp: p.timestamp, meterStop: p.meterStop, transactionId: p.transactionId } });
    const report = checkLedger(view, ['A', 'B']);
    expect(report.failures).toEqual([]);
    expect(report.resends).toEqual(['transaction 1: StopTransaction resent 1×, identical']);
  });

  it.each([
    ['another meterStop', { meterStop: 120 }],
    ['another timestamp', { timestamp: T(99) }],
    ['another reason', { reason: 'PowerLoss' }],
  ])('counts a second StopTransaction with %s as a duplicate', (_what, change) => {
    const view = sound();
    view.stops.push({ seq: 7, payload: { ...(view.stops[0]!.payload as object), ...change } });
    const report = checkLedger(view, ['A', 'B']);
    expect(report.resends).toEqual([]);
    expect(report.failures).toEqual([expect.stringContaining('transaction 1: 2 different StopTransaction calls')]);
  });

  it('fails a resent StartTransaction, a missing or doubled session, a stop before its start and meterStop < meterStart', () => {
    const view = sound();
    view.starts = [...view.starts, { seq: 30, payload: view.starts[0]!.payload }];
    expect(checkLedger(view, ['A', 'B']).failures).toEqual([expect.stringContaining('StartTransaction sent twice')]);
    expect(checkLedger(sound(), ['A', 'B', 'C']).failures).toEqual(['session C: 0 transactions in the ledger (expected exactly 1)']);
    const early = sound();
    early.stops[1] = { ...early.stops[1]!, seq: 0 };
    expect(checkLedger(early, ['A', 'B']).failures).toEqual(['transaction 2: StopTransaction before StartTransaction']);
    const backwards = sound();
    backwards.transactions = [tx(1, 'A', 0, 100), tx(2, 'B', 300, 250)];
    expect(checkLedger(backwards, ['A', 'B']).failures).toEqual(['transaction 2: meterStop 250 < meterStart 300']);
    const open = sound();
    open.transactions = [tx(1, 'A', 0, 100), tx(2, 'B', 100, undefined)];
    expect(checkLedger(open, ['A', 'B']).failures).toEqual(['transaction 2 (B) never stopped']);
  });

  it('fails meter values out of time order, unknown stops and schema violations', () => {
    const view = sound();
    view.transactions = [
      tx(1, 'A', 0, 100, { meterValues: [{ timestamp: T(12), sampledValue: [{ value: '50' }] }, { timestamp: T(11), sampledValue: [{ value: '60' }] }] }),
      tx(2, 'B', 100, 250),
    ];
    view.unknownStops = [{}];
    view.violations = [{ by: 'chargePoint' }];
    expect(checkLedger(view, ['A', 'B']).failures).toEqual([
      expect.stringContaining('transaction 1: meter values out of time order at #1'),
      '1 StopTransaction for unknown transaction ids',
      'schema violation: {"by":"chargePoint"}',
    ]);
  });

  it('checks the energy: the register may go back between sessions and a PowerLoss stop may lose at most the unsaved interval', () => {
    const view = sound();
    view.transactions = [tx(1, 'A', 0, 100), tx(2, 'B', 85, 250)];
    expect(checkLedger(view, ['A', 'B'], { unsavedWh: 20 })).toMatchObject({ failures: [], maxRegisterStepBackWh: 15 });
    view.transactions = [tx(1, 'A', 0, 100), tx(2, 'B', 70, 250)];
    expect(checkLedger(view, ['A', 'B'], { unsavedWh: 20 }).failures).toEqual([expect.stringContaining('meterStart 70 is 30 Wh below the meterStop of 1')]);

    const lost = sound();
    const sample = (s: number, wh: number) => ({ timestamp: T(s), sampledValue: [{ value: String(wh) }] });
    lost.transactions = [tx(1, 'A', 0, 100, { meterValues: [sample(11, 90), sample(12, 130)], stop: { meterStop: 100, timestamp: T(15), reason: 'PowerLoss' } as TransactionRecord['stop'] }), tx(2, 'B', 100, 250)];
    expect(checkLedger(lost, ['A', 'B'], { unsavedWh: 20 }).failures).toEqual([expect.stringContaining('PowerLoss meterStop 100 lost more than 20 Wh of the 130 Wh')]);
  });

  it('OCPP 2.0.1: seqNos 0..n per transaction; a number twice is fine only as the same event resent', () => {
    const ev = (id: string, seqNo: number, eventType = 'Updated', extra: object = {}) => ({ eventType, seqNo, timestamp: T(seqNo), transactionInfo: { transactionId: id }, ...extra });
    expect(seqNoFailures([ev('1', 0, 'Started'), ev('1', 1), ev('2', 0, 'Started'), ev('1', 1), ev('1', 2, 'Ended'), ev('2', 1, 'Ended')])).toEqual([]);
    expect(seqNoFailures([ev('1', 0, 'Started'), ev('1', 2, 'Ended')])).toEqual(['transaction 1: seqNo 1 never received (a gap)']);
    expect(seqNoFailures([ev('1', 0, 'Started'), ev('1', 1), ev('1', 1, 'Updated', { offline: true })])).toEqual(['transaction 1: two different events under seqNo 1']);
    // Through checkLedger: its findings are failures, resends are counted as such.
    expect(checkLedger({ ...sound(), seqNoFailures: ['transaction 1: seqNo 1 never received (a gap)'], resent: ['transaction 1: Started resent, identical'] }, ['A', 'B'])).toMatchObject({
      failures: ['transaction 1: seqNo 1 never received (a gap)'],
      resends: ['transaction 1: Started resent, identical'],
    });
  });
});
