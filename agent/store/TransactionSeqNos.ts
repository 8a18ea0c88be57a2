/**
 * The next TransactionEvent seqNo of each open transaction (OCPP 2.0.1), kept in a small file in
 * the data directory so that a restart — SIGKILL, power loss — continues each transaction's
 * numbering instead of starting it again at 0 (or only in memory, for fleets and tests).
 *
 * Written ahead: a number is handed out only once the one after it is durable, so a crash never
 * hands the same number out twice. It may leave one unused (the process died between the write and
 * the send), and an event that was sent but not yet confirmed before a crash is sent again with a
 * new number: the CSMS sees every number once, in order.
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
   * The seqNo for the next event of `transactionId`, at once (so its message can take its place in
   * the send order now), and `durable`, which settles once the count is on disk: send after it.
   */
  take(transactionId: string): { seqNo: number; durable: Promise<void> } {
    const next = (this.next ??= new Map());
    const n = next.get(transactionId) ?? 0;
    next.delete(transactionId); // re-inserted last: the oldest transactions come first
    next.set(transactionId, n + 1);
    for (const oldest of next.keys()) {
      if (next.size <= MAX_TRANSACTIONS) break;
      next.delete(oldest);
    }
    return { seqNo: n, durable: this.persist() };
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
