/**
 * TransactionSender: ordered, one-at-a-time, confirmed delivery of journaled transaction messages.
 * The OCPP link is a small fake OcppCaller whose calls stay open until the test answers them
 * (so "one at a time" and "waits for the Start response" are observable); the journal, the clock
 * and the logger are real.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import type { Ocpp16Action, RequestOf, ResponseOf, StartTransactionResponse } from '../ocpp16/messages.js';
import { JournalError } from '../store/JournalError.js';
import { MemoryJournal, type JournalEntry } from '../store/TransactionJournal.js';
import { TransactionSender, type TransactionSenderOptions } from './TransactionSender.js';

interface OpenCall {
  action: string;
  payload: Record<string, unknown>;
  resolve: (response: unknown) => void;
  reject: (err: Error) => void;
}

/** Fake link: every call waits for the test to answer it. */
class ManualCaller implements OcppCaller {
  isAccepted = true;
  readonly calls: OpenCall[] = [];

  call<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>> {
    return new Promise((resolve, reject) =>
      this.calls.push({ action, payload: payload as Record<string, unknown>, resolve: resolve as (r: unknown) => void, reject }),
    );
  }

  /** The call in flight (the last one made), checked to be the only unanswered one. */
  get last(): OpenCall {
    const call = this.calls.at(-1);
    if (!call) throw new Error('no call made');
    return call;
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(policy = { attempts: 3, intervalS: 10 }) {
  const clock = new SimulatedClock();
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'warn' }, sink);
  const journal = new MemoryJournal();
  const link = new ManualCaller();
  const confirmed: { localId: string; connectorId: number; response: StartTransactionResponse; idTag: string }[] = [];
  const sender = new TransactionSender({
    journal,
    link,
    clock,
    log,
    retryPolicy: () => policy,
    onStartConfirmed: (localId, connectorId, response, request) => void confirmed.push({ localId, connectorId, response, idTag: request.idTag }),
  });
  return { clock, lines, journal, link, sender, confirmed, policy };
}

/** A sender on `journal` with a silent log, 3 attempts every 10 s and no confirmation listener; `extra` adds or replaces options. */
function senderOn(journal: MemoryJournal, extra: Partial<TransactionSenderOptions> & { link?: ManualCaller; clock?: SimulatedClock } = {}) {
  const { link = new ManualCaller(), clock = new SimulatedClock(), ...rest } = extra;
  const sender = new TransactionSender({
    journal,
    link,
    clock,
    log: pino({ level: 'silent' }),
    retryPolicy: () => ({ attempts: 3, intervalS: 10 }),
    onStartConfirmed: () => undefined,
    ...rest,
  });
  return { link, clock, sender };
}

const start = (localId: string, connectorId = 1): JournalEntry => ({
  kind: 'start',
  localId,
  connectorId,
  payload: { connectorId, idTag: 'TAG', meterStart: 100, timestamp: '2026-01-01T00:00:00.000Z' },
});
const meter = (localId: string, wh: number, connectorId = 1): JournalEntry => ({
  kind: 'meter',
  localId,
  connectorId,
  payload: { connectorId, meterValue: [{ timestamp: '2026-01-01T00:01:00.000Z', sampledValue: [{ value: String(wh) }] }] },
});
const stop = (localId: string, connectorId = 1): JournalEntry => ({
  kind: 'stop',
  localId,
  connectorId,
  payload: { meterStop: 900, timestamp: '2026-01-01T00:02:00.000Z', reason: 'Local' },
});
const accepted = (transactionId: number): StartTransactionResponse => ({ transactionId, idTagInfo: { status: 'Accepted' } });

describe('TransactionSender', () => {
  it('delivers in journal order, one call at a time, filling in the transactionId the CSMS assigned', async () => {
    const { link, sender, journal, confirmed } = setup();
    await sender.enqueue(start('tx1'));
    await sender.enqueue(meter('tx1', 200));
    await sender.enqueue(meter('tx1', 300));
    await sender.enqueue(stop('tx1'));
    expect(link.calls.map((c) => c.action)).toEqual(['StartTransaction']);
    expect(sender.backlog).toBe(4);

    link.last.resolve(accepted(42));
    await flush();
    expect(confirmed).toEqual([{ localId: 'tx1', connectorId: 1, response: accepted(42), idTag: 'TAG' }]);
    expect(sender.transactionIdOf('tx1')).toBe(42);
    expect(link.calls.map((c) => c.action)).toEqual(['StartTransaction', 'MeterValues']);
    expect(link.last.payload).toMatchObject({ transactionId: 42, meterValue: [{ sampledValue: [{ value: '200' }] }] });

    link.last.resolve({});
    await flush();
    expect(link.last.payload).toMatchObject({ transactionId: 42, meterValue: [{ sampledValue: [{ value: '300' }] }] });
    link.last.resolve({});
    await flush();
    expect(link.last).toMatchObject({ action: 'StopTransaction', payload: { transactionId: 42, meterStop: 900, reason: 'Local' } });
    link.last.resolve({});
    await flush();
    expect(link.calls).toHaveLength(4);
    expect(journal.pending()).toEqual([]);
    expect(sender.backlog).toBe(0);
    expect(sender.transactionIdOf('tx1')).toBeUndefined(); // forgotten with its stop
  });

  it('the identifier\'s kind journaled with a start and a stop goes only to a link that has kinds (2.0.1), and recovery knows it', async () => {
    const typedStart: JournalEntry = { kind: 'start', localId: 'tx1', connectorId: 1, payload: { connectorId: 1, idTag: '4711', idTokenType: 'KeyCode', meterStart: 100, timestamp: '2026-01-01T00:00:00.000Z' } };
    const typedStop: JournalEntry = { kind: 'stop', localId: 'tx1', connectorId: 1, payload: { meterStop: 900, timestamp: '2026-01-01T00:02:00.000Z', reason: 'Local', idTag: 'CARD', idTokenType: 'ISO15693' } };
    for (const kinds of [false, true]) {
      const journal = new MemoryJournal();
      const link = Object.assign(new ManualCaller(), kinds ? { tokenKinds: true } : {});
      const { sender } = senderOn(journal, { link });
      await sender.enqueue(typedStart);
      expect(sender.openTransactions()).toEqual([expect.objectContaining({ localId: 'tx1', idTag: '4711', idTokenType: 'KeyCode' })]);
      await sender.enqueue(typedStop);
      // The journal itself keeps the kinds (a restart sends them again with them).
      expect(journal.pending().map((r) => r.entry)).toEqual([typedStart, typedStop]);
      expect(link.last.payload).toEqual(kinds ? typedStart.payload : { connectorId: 1, idTag: '4711', meterStart: 100, timestamp: '2026-01-01T00:00:00.000Z' });
      link.last.resolve(accepted(7));
      await flush();
      expect(link.last).toMatchObject({ action: 'StopTransaction' });
      expect(link.last.payload).toEqual({ meterStop: 900, timestamp: '2026-01-01T00:02:00.000Z', reason: 'Local', idTag: 'CARD', transactionId: 7, ...(kinds && { idTokenType: 'ISO15693' }) });
      link.last.resolve({});
      await flush();
    }
  });

  it('hands each StopTransaction answer back with the request it answers (not for a CallError)', async () => {
    const answers: unknown[] = [];
    const { link, sender } = senderOn(new MemoryJournal(), { onStopConfirmed: (localId, connectorId, response, request) => void answers.push({ localId, connectorId, response, request }) });
    const withTag = (localId: string, idTag: string): JournalEntry => ({
      kind: 'stop',
      localId,
      connectorId: 2,
      payload: { idTag, meterStop: 900, timestamp: '2026-01-01T00:02:00.000Z', reason: 'Local' },
    });
    await sender.enqueue(start('tx1', 2));
    await sender.enqueue(withTag('tx1', 'A'));
    link.last.resolve(accepted(7));
    await flush();
    link.last.resolve({ idTagInfo: { status: 'Blocked' } });
    await flush();
    expect(answers).toEqual([
      { localId: 'tx1', connectorId: 2, response: { idTagInfo: { status: 'Blocked' } }, request: { transactionId: 7, idTag: 'A', meterStop: 900, timestamp: '2026-01-01T00:02:00.000Z', reason: 'Local' } },
    ]);

    await sender.enqueue(start('tx2', 2));
    await sender.enqueue(withTag('tx2', 'B'));
    link.last.resolve(accepted(8));
    await flush();
    link.last.reject(new Error('CallError InternalError'));
    await flush();
    expect(answers).toHaveLength(1);
  });

  it('a transaction started and stopped offline goes out after reconnect; the Stop waits for the Start response and carries its id', async () => {
    const { link, sender } = setup();
    link.isAccepted = false;
    await sender.enqueue(start('tx1'));
    await sender.enqueue(stop('tx1'));
    await sender.whenIdle(); // blocked offline counts as idle
    expect(link.calls).toEqual([]);

    link.isAccepted = true;
    sender.kick(); // what the agent does on an accepted boot
    expect(link.calls.map((c) => c.action)).toEqual(['StartTransaction']);
    await flush();
    expect(link.calls).toHaveLength(1); // the Stop waits for the Start's answer
    link.last.resolve(accepted(7));
    await flush();
    expect(link.last).toMatchObject({ action: 'StopTransaction', payload: { transactionId: 7 } });
  });

  it('retries a CallError after RetryInterval × attempt, gives up after TransactionMessageAttempts (logged) and moves on', async () => {
    const { link, sender, clock, lines, journal } = setup({ attempts: 3, intervalS: 10 });
    await sender.enqueue(meter('tx1', 200));
    await sender.enqueue(meter('tx1', 300));
    link.last.reject(new Error('CallError InternalError'));
    await flush();
    clock.advance(9_999);
    await flush();
    expect(link.calls).toHaveLength(1);
    clock.advance(1); // 1 × 10 s
    await flush();
    expect(link.calls).toHaveLength(2);
    expect(link.last.payload).toMatchObject({ meterValue: [{ sampledValue: [{ value: '200' }] }] });

    link.last.reject(new Error('CallError InternalError'));
    await flush();
    clock.advance(19_999);
    await flush();
    expect(link.calls).toHaveLength(2);
    clock.advance(1); // 2 × 10 s
    await flush();
    expect(link.calls).toHaveLength(3);

    link.last.reject(new Error('CallError InternalError'));
    await flush();
    // Third failure: given up, logged, and the next message goes out at once.
    expect(lines.filter((l) => l.msg === 'transaction message given up after TransactionMessageAttempts')).toHaveLength(1);
    expect(link.calls).toHaveLength(4);
    expect(link.last.payload).toMatchObject({ meterValue: [{ sampledValue: [{ value: '300' }] }] });
    link.last.resolve({});
    await flush();
    expect(journal.pending()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a StartTransaction given up leaves its StopTransaction undeliverable: dropped and logged, not sent without an id', async () => {
    const { link, sender, clock, lines, journal } = setup({ attempts: 1, intervalS: 10 });
    await sender.enqueue(start('tx1'));
    await sender.enqueue(stop('tx1'));
    link.last.reject(new Error('CallError'));
    await flush();
    await flush();
    expect(link.calls.map((c) => c.action)).toEqual(['StartTransaction']);
    expect(lines.map((l) => l.msg)).toEqual([
      'transaction message given up after TransactionMessageAttempts',
      'StopTransaction dropped: its StartTransaction was never confirmed',
    ]);
    expect(journal.pending()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a failure while the link is not accepted spends no attempt; delivery resumes on the next kick', async () => {
    const { link, sender, clock, lines } = setup({ attempts: 2, intervalS: 10 });
    await sender.enqueue(meter('tx1', 200));
    link.isAccepted = false; // connection lost while the call was out
    link.last.reject(new Error('DISCONNECTED'));
    await flush();
    expect(clock.pendingTimers).toBe(0); // no retry timer: offline waits for the next boot
    clock.advance(3_600_000);
    await flush();
    expect(link.calls).toHaveLength(1);

    link.isAccepted = true;
    sender.kick();
    expect(link.calls).toHaveLength(2);
    link.last.reject(new Error('CallError'));
    await flush();
    expect(lines.some((l) => String(l.msg).includes('given up'))).toBe(false); // 1 of 2 attempts spent
    clock.advance(10_000);
    await flush();
    expect(link.calls).toHaveLength(3);
    link.last.reject(new Error('CallError'));
    await flush();
    expect(lines.filter((l) => String(l.msg).includes('given up'))).toHaveLength(1);
  });

  it('whenIdle: pending while a call is in flight, resolved once delivered, and not held up by a retry waiting on the clock', async () => {
    const { link, sender } = setup({ attempts: 3, intervalS: 10 });
    await sender.whenIdle(); // nothing to do
    await sender.enqueue(meter('tx1', 200));
    let idle = false;
    void sender.whenIdle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    link.last.resolve({});
    await flush();
    expect(idle).toBe(true);

    // A retry is due only when virtual time moves on: nothing is in flight, so this is idle too
    // (otherwise an agent settling I/O between clock steps would stall until its real-time cap).
    await sender.enqueue(meter('tx1', 300));
    link.last.reject(new Error('CallError'));
    await flush();
    let idleDuringRetry = false;
    void sender.whenIdle().then(() => (idleDuringRetry = true));
    await flush();
    expect(idleDuringRetry).toBe(true);
  });

  it('stop() cancels a pending retry and releases waiters', async () => {
    const { link, sender, clock } = setup();
    await sender.enqueue(meter('tx1', 200));
    link.last.reject(new Error('CallError'));
    await flush();
    expect(clock.pendingTimers).toBe(1);
    sender.stop();
    expect(clock.pendingTimers).toBe(0);
    await sender.whenIdle();
    clock.advance(60_000);
    await flush();
    expect(link.calls).toHaveLength(1);
  });

  it('rebuilds transaction ids from journaled confirmations (a restart with a durable journal)', async () => {
    const journal = new MemoryJournal();
    await journal.append({ kind: 'started', localId: 'tx1', connectorId: 1, transactionId: 99 });
    await journal.append(stop('tx1'));
    const { link, sender } = senderOn(journal);
    expect(sender.transactionIdOf('tx1')).toBe(99);
    expect(sender.backlog).toBe(1);
    sender.kick();
    expect(link.last).toMatchObject({ action: 'StopTransaction', payload: { transactionId: 99 } });
    link.last.resolve({});
    await flush();
    expect(journal.pending()).toEqual([]);
  });

  it('reports an acknowledgement the journal cannot write, never resends that message, and records it once writes work again', async () => {
    /** Acknowledgements fail like a read-only disk while `readOnly` is set (a wrapper: see journalFailure.test.ts for real disks). */
    class ReadOnlyAcks extends MemoryJournal {
      readOnly = false;
      override ack(...seqs: number[]): Promise<void> {
        return this.readOnly ? Promise.reject(new JournalError('JOURNAL_READ_ONLY', 'read-only (test)')) : super.ack(...seqs);
      }
    }
    const journal = new ReadOnlyAcks();
    await journal.append({ kind: 'started', localId: 'tx1', connectorId: 1, transactionId: 5 });
    const errors: unknown[] = [];
    let writes = 0;
    const { link, clock, sender } = senderOn(journal, { onJournalError: (err) => void errors.push(err), onJournalWrite: () => void writes++ });
    await sender.enqueue(meter('tx1', 200));
    await sender.enqueue(stop('tx1'));
    journal.readOnly = true;
    link.last.resolve({}); // MeterValues answered; its acknowledgement fails
    await flush();
    expect(errors).toEqual([expect.objectContaining({ code: 'JOURNAL_READ_ONLY' })]);
    expect(link.calls.map((c) => c.action)).toEqual(['MeterValues']); // nothing more until it is recorded
    await sender.whenIdle(); // waiting for the retry counts as idle (virtual time)
    clock.advance(60_000);
    await flush();
    expect(link.calls.map((c) => c.action)).toEqual(['MeterValues']); // not resent; retries keep failing
    expect(errors.length).toBeGreaterThan(1);

    journal.readOnly = false;
    const writesBefore = writes;
    clock.advance(5000);
    await flush();
    expect(writes).toBeGreaterThan(writesBefore);
    expect(link.calls.map((c) => c.action)).toEqual(['MeterValues', 'StopTransaction']);
    expect(link.last.payload).toMatchObject({ transactionId: 5 });
    link.last.resolve({});
    await flush();
    expect(journal.pending()).toEqual([]);
  });

  it('keeps a StopTransaction whose append fails (disk full mid-session) in memory, in order, and sends it once the journal takes it; a start is refused', async () => {
    /** Appends fail like a full disk while `full` is set (a wrapper: see journalFailure.test.ts for real disks). */
    class FullDisk extends MemoryJournal {
      full = false;
      override append(entry: JournalEntry) {
        return this.full ? Promise.reject(new JournalError('JOURNAL_FULL', 'no space left (test)')) : super.append(entry);
      }
    }
    const journal = new FullDisk();
    await journal.append({ kind: 'started', localId: 'tx1', connectorId: 1, transactionId: 5 });
    const errors: unknown[] = [];
    const { link, clock, sender } = senderOn(journal, { onJournalError: (err) => void errors.push(err) });
    journal.full = true;
    await sender.enqueue(meter('tx1', 200)); // does not throw: kept
    await sender.enqueue(stop('tx1'));
    await expect(sender.enqueue(start('tx2'))).rejects.toMatchObject({ code: 'JOURNAL_FULL' });
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(sender.backlog).toBe(2);
    expect(link.calls).toEqual([]); // nothing leaves unjournaled
    await sender.whenIdle(); // waiting for storage counts as idle (virtual time)
    clock.advance(15_000);
    await flush();
    expect(link.calls).toEqual([]); // still full: still kept, retried

    journal.full = false;
    clock.advance(5000);
    await flush();
    expect(journal.pending().map((r) => r.entry.kind)).toEqual(['started', 'meter', 'stop']);
    expect(link.calls.map((c) => c.action)).toEqual(['MeterValues']);
    link.last.resolve({});
    await flush();
    expect(link.calls.map((c) => c.action)).toEqual(['MeterValues', 'StopTransaction']);
    expect(link.last.payload).toMatchObject({ transactionId: 5, meterStop: 900 });
    link.last.resolve({});
    await flush();
    expect(journal.pending()).toEqual([]);
    expect(sender.backlog).toBe(0);
  });

  it('a message enqueued while earlier ones are kept goes behind them (journal order = send order)', async () => {
    class FlakyDisk extends MemoryJournal {
      failures = 0;
      override append(entry: JournalEntry) {
        if (this.failures > 0) {
          this.failures--;
          return Promise.reject(new JournalError('JOURNAL_FULL', 'no space left (test)'));
        }
        return super.append(entry);
      }
    }
    const journal = new FlakyDisk();
    await journal.append({ kind: 'started', localId: 'tx1', connectorId: 1, transactionId: 5 });
    journal.failures = 1;
    const link = new ManualCaller();
    link.isAccepted = false;
    const { sender } = senderOn(journal, { link });
    await sender.enqueue(meter('tx1', 200)); // fails once: kept
    await sender.enqueue(stop('tx1')); // the disk works again: the kept meter values are written first
    expect(journal.pending().map((r) => r.entry.kind)).toEqual(['started', 'meter', 'stop']);
  });
});

describe('TransactionSender: ConnectorUnplugged (OCA California Pricing) behind its transaction', () => {
  const unplugged = (localId: string, transactionId?: number): JournalEntry => ({ kind: 'unplugged', localId, connectorId: 1, ...(transactionId !== undefined && { transactionId }), timestamp: '2026-01-01T00:30:00.000Z' });

  it('goes after the StopTransaction with the id the CSMS gave; the id is kept for it across a restart, and the transaction is not taken for interrupted', async () => {
    const { link, sender, journal } = setup();
    await sender.enqueue(start('tx1'));
    await sender.enqueue(stop('tx1'));
    await sender.enqueue(unplugged('tx1'));
    link.last.resolve(accepted(42));
    await flush();
    // Handed to the link in journal order (the link sends one at a time).
    expect(link.calls.map((c) => c.action)).toEqual(['StartTransaction', 'StopTransaction', 'DataTransfer']);
    link.calls[1]!.resolve({});
    await flush();
    // The stop is delivered, the unplug still waits: a restart now must neither lose the id nor stop the transaction again.
    const restarted = senderOn(journal);
    expect(restarted.sender.openTransactions()).toEqual([]);
    expect(restarted.sender.transactionIdOf('tx1')).toBe(42);
    expect(link.last).toMatchObject({ action: 'DataTransfer', payload: { vendorId: 'org.openchargealliance.costmsg', messageId: 'ConnectorUnplugged', data: JSON.stringify({ transactionId: 42, timestamp: '2026-01-01T00:30:00.000Z' }) } });
    link.last.resolve({ status: 'Accepted' });
    await flush();
    expect(journal.pending()).toEqual([]);
    expect(sender.transactionIdOf('tx1')).toBeUndefined();
  });

  it('carries the id it was given when its transaction was delivered and forgotten before the unplug', async () => {
    const { link, sender, journal } = setup();
    await sender.enqueue(unplugged('gone', 7));
    expect(link.last.payload).toMatchObject({ data: JSON.stringify({ transactionId: 7, timestamp: '2026-01-01T00:30:00.000Z' }) });
    link.last.resolve({ status: 'UnknownVendorId' }); // a CSMS without the extension: delivered all the same
    await flush();
    expect(journal.pending()).toEqual([]);
  });
});
