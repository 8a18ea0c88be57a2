/**
 * Disk problems (OCPP charging must never go unrecorded): a journal that cannot take a write —
 * disk full, read-only, failing — is found by a probe (at start, before a session starts, and every
 * minute while faulted, and after any successful write while faulted) or by any failed journal
 * write — an append, an acknowledgement, a compaction — and reported as a recoverable
 * STORAGE_FAULT on every connector: a StatusNotification Faulted/OtherError with an info text, and
 * the log. A faulted connector never closes its contactor, so a session that could not be journaled
 * is refused rather than charged unrecorded. The fault clears once a probe succeeds.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/index.js';
import { HalError } from '../../hal/index.js';
import type { ActiveFault } from './connectorTypes.js';
import { JournalError } from '../store/JournalError.js';
import type { TransactionJournal } from '../store/TransactionJournal.js';

/** No probe yet (shared: a settled promise never changes, and each of 10,000 fleet chargers had one). */
const SETTLED: Promise<void> = Promise.resolve();

const RECHECK_MS = 60_000;

export interface JournalHealthOptions {
  journal: TransactionJournal;
  clock: Clock;
  log: Logger;
  /** Raise (`fault`) or clear (`undefined`) the storage fault on every connector. */
  report: (fault: ActiveFault | undefined) => void;
}

export class JournalHealth {
  private fault: JournalError['code'] | undefined;
  private recheck: TimerId | undefined;
  private running = false;
  private checking = false;
  /** The probe in progress, for callers that let I/O settle (virtual time). */
  probing: Promise<unknown> = SETTLED;

  constructor(private readonly o: JournalHealthOptions) {}

  start(): void {
    this.running = true;
    void this.check();
  }

  stop(): void {
    this.running = false;
    this.o.clock.clearTimeout(this.recheck);
    this.recheck = undefined;
  }

  /** Resolves true when the journal takes writes (probing it if it can fail). */
  async check(): Promise<boolean> {
    this.o.clock.clearTimeout(this.recheck);
    this.recheck = undefined;
    if (!this.o.journal.probe || !this.running) return this.fault === undefined;
    const probing = this.o.journal.probe();
    this.probing = probing.catch(() => undefined);
    try {
      await probing;
    } catch (err) {
      this.failed(err);
      return false;
    }
    if (this.fault === undefined) return true;
    this.o.log.warn({ code: this.fault }, 'transaction journal writable again: sessions allowed');
    this.fault = undefined;
    this.o.report(undefined);
    return true;
  }

  /**
   * A journal write succeeded. While faulted, that is the moment to find out at once whether the
   * storage works again (the probe also retries an overdue compaction), rather than at the next
   * periodic recheck.
   */
  wrote(): void {
    if (this.fault === undefined || !this.running || this.checking) return;
    this.checking = true;
    void this.check().finally(() => (this.checking = false));
  }

  /** A journal write failed somewhere (start, stop, sample, acknowledgement): report it and probe again later. */
  failed(err: unknown): void {
    if (!(err instanceof JournalError) || err.code === 'JOURNAL_CLOSED' || !this.running) return;
    if (this.fault === undefined) {
      this.fault = err.code;
      this.o.log.error({ err, code: err.code }, 'transaction journal cannot be written: new charging sessions are refused');
      const what = err.code === 'JOURNAL_FULL' ? 'data disk full' : err.code === 'JOURNAL_READ_ONLY' ? 'data disk read-only' : 'data disk I/O error';
      const hal = new HalError('STORAGE_FAULT', 'journal', what);
      this.o.report({ code: hal.code, ocppErrorCode: hal.ocppErrorCode, recoverable: true, info: `${what}: journal` });
    }
    this.o.clock.clearTimeout(this.recheck);
    this.recheck = this.o.clock.setTimeout(() => void this.check(), RECHECK_MS);
  }
}
