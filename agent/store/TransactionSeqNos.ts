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

/**
 * The floors as a flat list `[transactionId, floor, transactionId, floor, …]`, the oldest
 * transaction first: a charger has one or two open at a time, and a Map with its hash table took
 * ≈ 190 B per charging charger of a fleet where this takes ≈ 60.
 */
type Floors = (string | number)[];

export class TransactionSeqNos {
  private writing: Promise<void> = SETTLED;

  private constructor(
    private readonly file: string | null,
    /** Made at the first transaction (a fleet charger may never have one). */
    private floors: Floors | undefined,
    private readonly log: Logger,
  ) {}

  /** Reads the file; a missing or unreadable one starts empty (logged when unreadable). */
  static async open(file: string | null, log: Logger): Promise<TransactionSeqNos> {
    const floors: Floors = [];
    if (file) {
      try {
        const body = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; next?: unknown };
        if (body.version !== 1 || typeof body.next !== 'object' || body.next === null) throw new Error('unexpected structure');
        for (const [id, n] of Object.entries(body.next)) if (Number.isSafeInteger(n) && (n as number) >= 0) floors.push(id, n as number);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read transaction seqNos; open transactions number their events from 0');
      }
    }
    return new TransactionSeqNos(file, floors.length > 0 ? floors : undefined, log);
  }

  static inMemory(log: Logger): TransactionSeqNos {
    return new TransactionSeqNos(null, undefined, log);
  }

  /**
   * (Records journaled without a number only.) The seqNo for the next event of `transactionId`, at once (so its message can take its place in
   * the send order now), and `durable`, which settles once the count is on disk: send after it.
   */
  take(transactionId: string): { seqNo: number; durable: Promise<void> } {
    const n = this.floor(transactionId);
    this.setNewest(transactionId, n + 1);
    return { seqNo: n, durable: this.persist() };
  }

  /** The lowest number not known used for this transaction (0: none). */
  floor(transactionId: string): number {
    const at = this.indexOf(transactionId);
    return at < 0 ? 0 : (this.floors![at + 1] as number);
  }

  /**
   * The CSMS confirmed event `seqNo` of the transaction: durable here before its journal record
   * goes (settles then). The transaction moves to the newest end (the oldest are dropped first).
   */
  passed(transactionId: string, seqNo: number): Promise<void> {
    const before = this.floor(transactionId);
    const n = Math.max(before, seqNo + 1);
    if (this.indexOf(transactionId) >= 0 && before === n) return this.writing;
    this.setNewest(transactionId, n);
    return this.persist();
  }

  /** The transaction has ended (its Ended event is confirmed): its count is no longer needed. */
  forget(transactionId: string): Promise<void> {
    const at = this.indexOf(transactionId);
    if (at < 0) return this.writing;
    this.floors!.splice(at, 2);
    return this.persist();
  }

  private indexOf(transactionId: string): number {
    const floors = this.floors;
    if (floors) for (let i = 0; i < floors.length; i += 2) if (floors[i] === transactionId) return i;
    return -1;
  }

  /** Sets the floor and moves the transaction to the newest end; beyond MAX_TRANSACTIONS the oldest go. */
  private setNewest(transactionId: string, floor: number): void {
    const floors = (this.floors ??= []);
    const at = this.indexOf(transactionId);
    if (at >= 0) floors.splice(at, 2);
    floors.push(transactionId, floor);
    if (floors.length > 2 * MAX_TRANSACTIONS) floors.splice(0, floors.length - 2 * MAX_TRANSACTIONS);
  }

  private persist(): Promise<void> {
    const file = this.file;
    if (!file) return this.writing;
    const next: Record<string, number> = {};
    const floors = this.floors ?? [];
    for (let i = 0; i < floors.length; i += 2) next[floors[i] as string] = floors[i + 1] as number;
    const body = `${JSON.stringify({ version: 1, next })}\n`;
    this.writing = writeAfter(this.writing, file, body, this.log, 'transaction seqNos').then(() => undefined);
    return this.writing;
  }
}
