/**
 * Each open transaction's TransactionEvent seqNo floor (OCPP 2.0.1), kept in a small file in the
 * data directory (or only in memory, for fleets and tests): every number below it has been used.
 *
 * Events are numbered when they are journaled, and the number is durable with the journal record
 * (agent/store/TransactionJournal.ts, JournaledEvent), so a replay after a restart sends the same
 * event under the same number. The journal forgets a record once the CSMS confirmed it; before
 * that, {@link TransactionSeqNos.passed} records here that its number is used, so the next number
 * of a transaction is always max(this floor, the highest number still in the journal + 1): a crash
 * at any point neither reuses nor skips a number.
 *
 * {@link TransactionSeqNos.take} numbers an event at send time, written ahead: only for records
 * journaled by a build that did not number them (an upgrade with a transaction open).
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAfter } from './writeAtomically.js';

/** Open transactions remembered at most: one that never ended (its journal lost) must not grow the file forever. */
const MAX_TRANSACTIONS = 64;

/** Nothing being written (shared: a settled promise never changes, and 10,000 fleet chargers each had one). */
const SETTLED: Promise<void> = Promise.resolve();

export class TransactionSeqNos {
  private writing: Promise<void> = SETTLED;

  private constructor(
    private readonly file: string | null,
    /** Made at the first transaction (a fleet charger may never have one). */
    private next: Map<string, number> | undefined,
    private readonly log: Logger,
  ) {}

  /** Reads the file; a missing or unreadable one starts empty (logged when unreadable). */
  static async open(file: string | null, log: Logger): Promise<TransactionSeqNos> {
    const next = new Map<string, number>();
    if (file) {
      try {
        const body = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; next?: unknown };
        if (body.version !== 1 || typeof body.next !== 'object' || body.next === null) throw new Error('unexpected structure');
        for (const [id, n] of Object.entries(body.next)) if (Number.isSafeInteger(n) && (n as number) >= 0) next.set(id, n as number);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read transaction seqNos; open transactions number their events from 0');
      }
    }
    return new TransactionSeqNos(file, next, log);
  }

  static inMemory(log: Logger): TransactionSeqNos {
    return new TransactionSeqNos(null, undefined, log);
  }

  /**
   * (Records journaled without a number only.) The seqNo for the next event of `transactionId`, at once (so its message can take its place in
   * the send order now), and `durable`, which settles once the count is on disk: send after it.
   */
  take(transactionId: string): { seqNo: number; durable: Promise<void> } {
    const next = (this.next ??= new Map());
    const n = next.get(transactionId) ?? 0;
    next.delete(transactionId); // re-inserted last: the oldest transactions come first
    next.set(transactionId, n + 1);
    this.dropOldest();
    return { seqNo: n, durable: this.persist() };
  }

  /** The lowest number not known used for this transaction (0: none). */
  floor(transactionId: string): number {
    return this.next?.get(transactionId) ?? 0;
  }

  /**
   * The CSMS confirmed event `seqNo` of the transaction: durable here before its journal record
   * goes (settles then). The transaction moves to the newest end (the oldest are dropped first).
   */
  passed(transactionId: string, seqNo: number): Promise<void> {
    const next = (this.next ??= new Map());
    const n = Math.max(next.get(transactionId) ?? 0, seqNo + 1);
    if (next.get(transactionId) === n) return this.writing;
    next.delete(transactionId);
    next.set(transactionId, n);
    this.dropOldest();
    return this.persist();
  }

  private dropOldest(): void {
    const next = this.next;
    if (!next) return;
    for (const oldest of next.keys()) {
      if (next.size <= MAX_TRANSACTIONS) break;
      next.delete(oldest);
    }
  }

  /** The transaction has ended (its Ended event is confirmed): its count is no longer needed. */
  forget(transactionId: string): Promise<void> {
    if (!this.next?.delete(transactionId)) return this.writing;
    return this.persist();
  }

  private persist(): Promise<void> {
    const file = this.file;
    if (!file) return this.writing;
    const body = `${JSON.stringify({ version: 1, next: Object.fromEntries(this.next ?? []) })}\n`;
    this.writing = writeAfter(this.writing, file, body, this.log, 'transaction seqNos').then(() => undefined);
    return this.writing;
  }
}
