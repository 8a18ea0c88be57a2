/**
 * TransactionEvent numbering over the durable journal: the seqNo and the facts of each event are
 * fixed when it is journaled, so a restart (the journal and the seqNo file reopened, a fresh sender
 * and TransactionEvents, as after SIGKILL) sends an unanswered event again as the same event and
 * numbers the next one without a gap. The journal (FileJournal), the seqNo file, the clock and
 * the TransactionSender are real; the link is a small fake that records each call and holds it
 * until the test answers (the strict 2.0.1 CSMS tests, transactionEvent.test.ts and
 * test/evseRun.ocpp201.test.ts, check the same over real WebSockets).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { FileJournal } from '../store/FileJournal.js';
import type { JournalEntry } from '../store/TransactionJournal.js';
import { TransactionSeqNos } from '../store/TransactionSeqNos.js';
import { TransactionSender } from './TransactionSender.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import { TransactionEvents, transactionIdOf } from '../ocpp/v201/TransactionEvents.js';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 0, 1, 12);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

interface Sent {
  action: string;
  payload: Record<string, unknown>;
  answer: () => void;
}

/** One run of the station: the journal and seqNo file opened from `dir`, a sender, its TransactionEvents. */
async function station(dir: string) {
  const sent: Sent[] = [];
  const link = {
    call: async (action: string, payload: unknown, after?: Promise<unknown>) => {
      await after;
      return new Promise((resolve) => sent.push({ action, payload: payload as Record<string, unknown>, answer: () => resolve({}) }));
    },
  };
  const journal = await FileJournal.open({ file: join(dir, 'journal.log'), log });
  const seqNos = await TransactionSeqNos.open(join(dir, 'transaction-seqnos.json'), log);
  const events = new TransactionEvents(link as never, seqNos);
  const caller: OcppCaller = { isAccepted: true, journaled: events, call: (() => Promise.reject(new Error('not journaled'))) as OcppCaller['call'] };
  const clock = new SimulatedClock(T0);
  const sender = new TransactionSender({
    journal, link: caller, clock, log,
    retryPolicy: () => ({ attempts: 3, intervalS: 1 }),
    onStartConfirmed: () => undefined,
  });
  /** The call in flight, once it is made. */
  const next = async (n: number): Promise<Sent> => {
    await vi.waitFor(() => expect(sent.length).toBeGreaterThanOrEqual(n), { timeout: 3000, interval: 2 });
    return sent[n - 1]!;
  };
  const stop = async () => {
    sender.stop();
    await journal.close();
  };
  return { sent, next, sender, journal, events, stop };
}

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'txevents-'));
  dirs.push(d);
  return d;
}

const START = { connectorId: 1, idTag: 'CARD', meterStart: 100, timestamp: at(0) };
const TX = String(transactionIdOf(START));
const start: JournalEntry = { kind: 'start', localId: 'L1', connectorId: 1, payload: START, chargingState: 'Charging' };
const meter = (s: number, wh: number): JournalEntry => ({
  kind: 'meter', localId: 'L1', connectorId: 1,
  payload: { connectorId: 1, meterValue: [{ timestamp: at(s), sampledValue: [{ value: String(wh), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] },
});
const stop: JournalEntry = { kind: 'stop', localId: 'L1', connectorId: 1, payload: { meterStop: 500, timestamp: at(300), reason: 'Local', idTag: 'CARD' } };
const seqNoOf = (s: Sent) => (s.payload as { seqNo: number }).seqNo;

describe('TransactionEvent numbers fixed in the journal', () => {
  it('an event sent but not answered before a kill is sent again after the restart as the same event, and the next one follows without a gap', async () => {
    const dir = await dataDir();
    const one = await station(dir);
    await one.sender.enqueue(start);
    await one.sender.enqueue(meter(60, 200));
    await one.sender.enqueue(meter(120, 300));
    (await one.next(1)).answer();
    (await one.next(2)).answer();
    const unanswered = await one.next(3);
    expect(one.sent.map(seqNoOf)).toEqual([0, 1, 2]);
    // The number is in the journal record, durably, before anything is sent.
    expect(one.journal.pending().map((r) => [r.entry.kind, (r.entry as { event?: { seqNo: number } }).event?.seqNo])).toEqual([['meter', 2], ['started', undefined]]);
    await one.stop(); // as after SIGKILL: the unanswered meter stays journaled

    const two = await station(dir);
    await two.sender.enqueue(stop);
    const again = await two.next(1);
    expect(again.payload).toEqual(unanswered.payload);
    again.answer();
    const ended = await two.next(2);
    expect(ended.payload).toMatchObject({ eventType: 'Ended', seqNo: 3, triggerReason: 'StopAuthorized', transactionInfo: { transactionId: TX, stoppedReason: 'Local' } });
    ended.answer();
    await two.sender.whenIdle();
    expect(two.journal.pending()).toEqual([]);
    await two.stop();
  });

  it('numbers confirmed and gone from the journal are remembered in the seqNo file: the restart continues after them', async () => {
    const dir = await dataDir();
    const one = await station(dir);
    await one.sender.enqueue(start);
    await one.sender.enqueue(meter(60, 200));
    (await one.next(1)).answer();
    (await one.next(2)).answer();
    await one.sender.whenIdle();
    expect(one.journal.pending().map((r) => r.entry.kind)).toEqual(['started']);
    await one.stop();

    const two = await station(dir);
    await two.sender.enqueue(meter(120, 300));
    await two.sender.enqueue(stop);
    (await two.next(1)).answer();
    (await two.next(2)).answer();
    expect(two.sent.map(seqNoOf)).toEqual([2, 3]);
    await two.stop();
  });

  it('a start, a charging state change and a stop journaled while nothing is answered keep their journaled numbers and facts through two restarts', async () => {
    const dir = await dataDir();
    const one = await station(dir);
    // Remote start: its id and idToken are known only now, in memory; the journal keeps them.
    one.events.expectRemoteStart(1, { remoteStartId: 77, idToken: { idToken: 'CARD', type: 'Central' } });
    await one.sender.enqueue(start);
    await one.sender.enqueue({ kind: 'update', localId: 'L1', connectorId: 1, timestamp: at(30), chargingState: 'SuspendedEV', cause: 'ChargingStateChanged' });
    await one.sender.enqueue(stop);
    const first = await one.next(1);
    await one.stop();

    const two = await station(dir);
    two.sender.kick();
    expect((await two.next(1)).payload).toEqual(first.payload);
    expect(first.payload).toMatchObject({ eventType: 'Started', seqNo: 0, triggerReason: 'RemoteStart', idToken: { idToken: 'CARD', type: 'Central' }, transactionInfo: { remoteStartId: 77, chargingState: 'Charging' } });
    await two.stop();

    const three = await station(dir);
    three.sender.kick();
    (await three.next(1)).answer();
    (await three.next(2)).answer();
    (await three.next(3)).answer();
    expect(three.sent.map((s) => [s.payload.eventType, seqNoOf(s), s.payload.triggerReason])).toEqual([
      ['Started', 0, 'RemoteStart'],
      ['Updated', 1, 'ChargingStateChanged'],
      ['Ended', 2, 'StopAuthorized'],
    ]);
    expect(three.sent[1]!.payload).toMatchObject({ transactionInfo: { transactionId: TX, chargingState: 'SuspendedEV' }, timestamp: at(30) });
    await three.stop();
  });

  it('a ChargingRateChanged journaled before a kill is sent after the restart with its journaled number and its new offered current, before the stop', async () => {
    const dir = await dataDir();
    const one = await station(dir);
    await one.sender.enqueue(start);
    await one.sender.enqueue({ kind: 'update', localId: 'L1', connectorId: 1, timestamp: at(40), cause: 'ChargingRateChanged', limitA: 16 });
    await one.sender.enqueue(stop);
    (await one.next(1)).answer();
    await one.next(2); // the rate change is in flight, unanswered, when the process dies
    await one.stop();

    const two = await station(dir);
    two.sender.kick();
    (await two.next(1)).answer();
    (await two.next(2)).answer();
    expect(two.sent.map((s) => [s.payload.eventType, seqNoOf(s), s.payload.triggerReason])).toEqual([
      ['Updated', 1, 'ChargingRateChanged'],
      ['Ended', 2, 'StopAuthorized'],
    ]);
    expect(two.sent[0]!.payload).toEqual(one.sent[1]!.payload);
    expect(two.sent[0]!.payload).toMatchObject({
      timestamp: at(40), transactionInfo: { transactionId: TX },
      meterValue: [{ timestamp: at(40), sampledValue: [{ value: 16, measurand: 'Current.Offered', context: 'Other', unitOfMeasure: { unit: 'A' } }] }],
    });
    expect((two.sent[0]!.payload.transactionInfo as Record<string, unknown>).chargingState).toBeUndefined();
    await two.stop();
  });

  it('records journaled without numbers (an older build) are numbered when sent, from the file floor; new ones follow them', async () => {
    const dir = await dataDir();
    // The older build: Started (0) confirmed, its floor 1 in the file; a MeterValues journaled unnumbered.
    const old = await FileJournal.open({ file: join(dir, 'journal.log'), log });
    await old.append({ kind: 'started', localId: 'L1', connectorId: 1, transactionId: transactionIdOf(START), meterStart: 100, idTag: 'CARD', timestamp: START.timestamp });
    await old.append(meter(60, 200));
    await old.close();
    const seqNos = await TransactionSeqNos.open(join(dir, 'transaction-seqnos.json'), log);
    await seqNos.take(TX).durable;

    const two = await station(dir);
    await two.sender.enqueue(stop);
    (await two.next(1)).answer();
    (await two.next(2)).answer();
    expect(two.sent.map((s) => [s.payload.eventType, seqNoOf(s)])).toEqual([['Updated', 1], ['Ended', 2]]);
    await two.stop();
  });

  it('a MeterValues without values makes no event and takes no number', async () => {
    const dir = await dataDir();
    const one = await station(dir);
    await one.sender.enqueue(start);
    await one.sender.enqueue({ kind: 'meter', localId: 'L1', connectorId: 1, payload: { connectorId: 1, meterValue: [{ timestamp: at(60), sampledValue: [] }] } });
    await one.sender.enqueue(stop);
    (await one.next(1)).answer();
    (await one.next(2)).answer();
    expect(one.sent.map((s) => [s.payload.eventType, seqNoOf(s)])).toEqual([['Started', 0], ['Ended', 1]]);
    await one.stop();
  });

  it('1.6 (no numbering): the entries are journaled as they are given', async () => {
    const dir = await dataDir();
    const journal = await FileJournal.open({ file: join(dir, 'journal.log'), log });
    const caller: OcppCaller = { isAccepted: false, call: (() => new Promise(() => undefined)) as OcppCaller['call'] };
    const sender = new TransactionSender({ journal, link: caller, clock: new SimulatedClock(T0), log, retryPolicy: () => ({ attempts: 3, intervalS: 1 }), onStartConfirmed: () => undefined });
    await sender.enqueue(start);
    await sender.enqueue(stop);
    expect(journal.pending().map((r) => r.entry)).toEqual([start, stop]);
    expect(sender.reportsChargingState).toBe(false);
    sender.stop();
    await journal.close();
  });
});
