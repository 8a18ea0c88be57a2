/**
 * Delivers journaled transaction messages to the CSMS in order, one at a time, exactly once per
 * confirmation: a record leaves the journal only after the CSMS answered it.
 *
 * - While the link is not accepted nothing is sent; delivery resumes on the next accepted boot.
 * - A StopTransaction or MeterValues of a transaction whose StartTransaction is not yet confirmed
 *   waits behind it (journal order) and is sent with the transactionId the CSMS assigned.
 * - A CallError from the CSMS is retried after TransactionMessageRetryInterval × attempt, up to
 *   TransactionMessageAttempts; then the message is given up (logged). Lost connections do not
 *   count as attempts.
 * - A journal write that records a delivery (the `started` answer, an acknowledgement) and fails
 *   (disk full or read-only mid-session) is reported (`onJournalError`) and retried every
 *   REPAIR_RETRY_MS before anything else is sent: the delivered message is not sent again by this
 *   process, and nothing new piles up behind a journal that cannot record it.
 * - A MeterValues or StopTransaction of a running transaction whose append fails is not dropped: it
 *   is kept in memory (with everything enqueued after it, so the journal order stays the send
 *   order) and appended again every REPAIR_RETRY_MS until the journal takes it; then it goes out
 *   like any other. A StartTransaction that cannot be journaled is refused (the session does not
 *   start). If the process ends first, recovery ends the transaction with reason PowerLoss.
 * - Causal order ({@link MessageOrder}): a StartTransaction or StopTransaction holds its
 *   connector's ticket until it is handed to the link, so the statuses that followed it wait. After
 *   a lost connection the records not yet confirmed are sent again: {@link resume} gives them
 *   tickets anew, so the statuses reported after the reconnect follow them again.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/index.js';
import type { JournalEntry, JournalRecord, TokenKindOf, TransactionJournal } from '../store/TransactionJournal.js';
import type { StartTransactionRequest, StartTransactionResponse, StopTransactionRequest, StopTransactionResponse } from '../ocpp16/messages.js';
import type { OcppCaller, TokenAnswer } from '../ocpp/OcppCaller.js';
import type { IdTagStatus } from '../ocpp16/vocabulary.js';
import type { MessageOrder } from './MessageOrder.js';

/** A transaction the journal shows started and not stopped (see {@link TransactionSender.openTransactions}). */
export interface InterruptedTransaction {
  localId: string;
  connectorId: number;
  meterStart: number | undefined;
  /** Known from the StartTransaction record, or from the journaled answer (records written since it holds them). */
  idTag?: string;
  /** The kind of `idTag`, where known (agent/auth/idToken.ts). */
  idTokenType?: TokenKindOf['idTokenType'];
  /** StartTransaction.timestamp. */
  timestamp?: string;
  /** The CSMS's verdict on the idTag, once StartTransaction was answered. */
  idTagStatus?: IdTagStatus;
}

export interface TransactionSenderOptions {
  journal: TransactionJournal;
  link: OcppCaller;
  clock: Clock;
  log: Logger;
  /** Current TransactionMessageAttempts / TransactionMessageRetryInterval (s), read at each retry. */
  retryPolicy: () => { attempts: number; intervalS: number };
  /** Called when the CSMS confirmed a StartTransaction (`request` is what was sent). */
  onStartConfirmed: (localId: string, connectorId: number, response: StartTransactionResponse, request: StartTransactionRequest & TokenKindOf) => void;
  /** Called when the CSMS answered a StopTransaction (`request` is what was sent); must not throw (the stop would be sent again). */
  onStopConfirmed?: (localId: string, connectorId: number, response: StopTransactionResponse, request: StopTransactionRequest & TokenKindOf) => void;
  /**
   * Called when the CSMS answered the authorization of a transaction begun without one (an 'update'
   * Authorized: OCPP 2.0.1 TransactionEvent Updated with the idToken) with what it says of the idTag.
   */
  onAuthorizationAnswered?: (localId: string, connectorId: number, transactionId: number, idTag: string, idTokenType: TokenKindOf['idTokenType'], answer: TokenAnswer) => void;
  /** A journal write failed (append, or recording a delivery). */
  onJournalError?: (err: unknown) => void;
  /** A journal write succeeded (lets a storage fault clear as soon as the disk takes writes again). */
  onJournalWrite?: () => void;
  /** Per-connector causal order of statuses and transaction messages (default: one of its own). */
  order?: MessageOrder;
}

/** How often journal writes that record a delivery are retried while they fail. */
const REPAIR_RETRY_MS = 5000;

export class TransactionSender {
  /** localId -> the CSMS transactionId, once confirmed (made on first use: an idle charger has none). */
  private transactionIds: Map<string, number> | undefined;
  /** The StartTransaction call in flight, if any ({@link startAnswered}). */
  private startCall: Promise<unknown> | undefined;
  private sending = false;
  private attempts = 0;
  private retryTimer: TimerId | undefined;
  /** Journal writes recording a delivery that failed: retried before anything else is sent. */
  private repair: (() => Promise<void>) | undefined;
  private stopped = false;
  /** Appends not yet durable: not idle until they are (a durable journal takes real time). */
  private appending = 0;
  private idleWaiters: (() => void)[] = [];
  /** Entries whose append failed, oldest first: appended again before anything newer. */
  private readonly unwritten: JournalEntry[] = [];
  private rewriteTimer: TimerId | undefined;
  private rewriting: Promise<void> | undefined;
  /** Order tickets of journaled start/stop records not yet handed to the link, by seq (made on first use). */
  private tickets: Map<number, number> | undefined;
  /** Order tickets of entries kept in `unwritten` (same index), or 0. */
  private readonly unwrittenTickets: number[] = [];

  constructor(private readonly o: TransactionSenderOptions) {
    // Rebuild the localId -> transactionId map from journaled confirmations (after a restart).
    for (const { entry } of o.journal.pending()) {
      if (entry.kind === 'started') (this.transactionIds ??= new Map()).set(entry.localId, entry.transactionId);
    }
  }

  /**
   * Journals an entry (durably, if the journal is) and schedules its delivery. `ticket` (a
   * {@link MessageOrder} ticket of the entry's connector) is held until the entry is handed to the
   * link, or given back at once if the entry is refused.
   */
  async enqueue(entry: JournalEntry, ticket = 0): Promise<void> {
    // Numbered now, in call order, which is the journal order (OCPP 2.0.1 seqNo; 1.6: as it is).
    const wire = this.o.link.journaled;
    if (wire) entry = wire.stamp(entry, () => this.pendingEntries());
    this.appending++;
    try {
      // Entries kept after a failed append go first: the journal order is the send order.
      while (this.unwritten.length > 0) await this.writeUnwritten();
      const record = await this.o.journal.append(entry);
      if (ticket !== 0) (this.tickets ??= new Map()).set(record.seq, ticket);
      this.o.onJournalWrite?.();
    } catch (err) {
      this.o.onJournalError?.(err);
      // A session that cannot be journaled does not start; one that runs must not lose its messages.
      if (entry.kind !== 'meter' && entry.kind !== 'stop') {
        this.o.order?.release(ticket);
        throw err;
      }
      this.keepUnwritten(entry, err, ticket);
    } finally {
      this.appending--;
      this.kick();
    }
  }

  /** The entries journaled (or kept in memory) and not yet confirmed, oldest first. */
  *pendingEntries(): Generator<JournalEntry> {
    for (const { entry } of this.o.journal.pending()) yield entry;
    yield* this.unwritten;
  }

  /**
   * Whether this version reports charging state changes during a transaction ('update' entries)
   * and what began it (a start's `cause`): OCPP 2.0.1's TransactionEvent (ChargingStateChanged,
   * CablePluggedIn); 1.6 says it with StatusNotification alone, its journal stays as it was.
   */
  get reportsChargingState(): boolean {
    return this.o.link.journaled !== undefined;
  }

  /** True while the sender holds this order ticket (its entry is journaled or kept, not yet handed). */
  holds(ticket: number): boolean {
    if (this.unwrittenTickets.includes(ticket)) return true;
    if (this.tickets) for (const t of this.tickets.values()) if (t === ticket) return true;
    return false;
  }

  private keepUnwritten(entry: JournalEntry, err: unknown, ticket: number): void {
    this.unwritten.push(entry);
    this.unwrittenTickets.push(ticket);
    this.o.log.error({ err, action: entry.kind, localId: entry.localId }, 'transaction message could not be journaled: kept in memory, journaled and sent once the storage takes writes again');
    this.armRewrite();
  }

  private armRewrite(): void {
    if (this.rewriteTimer !== undefined || this.stopped) return;
    this.rewriteTimer = this.o.clock.setTimeout(() => {
      this.rewriteTimer = undefined;
      this.writeUnwritten().then(
        () => this.kick(),
        () => this.armRewrite(),
      );
    }, REPAIR_RETRY_MS);
  }

  /** Appends the kept entries in order (one writer at a time); rejects at the first that still fails. */
  private writeUnwritten(): Promise<void> {
    this.rewriting ??= (async () => {
      try {
        while (this.unwritten.length > 0) {
          const record = await this.o.journal.append(this.unwritten[0]!);
          this.unwritten.shift();
          const ticket = this.unwrittenTickets.shift() ?? 0;
          if (ticket !== 0) (this.tickets ??= new Map()).set(record.seq, ticket);
          this.o.onJournalWrite?.();
        }
      } catch (err) {
        this.o.onJournalError?.(err);
        throw err;
      } finally {
        this.rewriting = undefined;
      }
    })();
    return this.rewriting;
  }

  /**
   * Transactions the journal knows were started (StartTransaction journaled, confirmed or not) and
   * not stopped: after a restart these are the ones a power cut interrupted.
   */
  openTransactions(): InterruptedTransaction[] {
    const open = new Map<string, InterruptedTransaction>();
    for (const { entry } of this.o.journal.pending()) {
      if (entry.kind === 'start') {
        const { idTag, idTokenType, meterStart, timestamp } = entry.payload;
        // Begun without an identifier: nobody's session to resume.
        open.set(entry.localId, { localId: entry.localId, connectorId: entry.connectorId, meterStart, ...(!entry.withoutIdToken && { idTag }), ...(idTokenType !== undefined && { idTokenType }), timestamp });
      } else if (entry.kind === 'started') {
        const known = open.get(entry.localId);
        const idTagStatus = entry.idTagStatus === undefined ? {} : { idTagStatus: entry.idTagStatus };
        if (known) open.set(entry.localId, { ...known, ...idTagStatus });
        else {
          open.set(entry.localId, {
            localId: entry.localId,
            connectorId: entry.connectorId,
            meterStart: entry.meterStart,
            ...(entry.idTag !== undefined && { idTag: entry.idTag }),
            ...(entry.idTokenType !== undefined && { idTokenType: entry.idTokenType }),
            ...(entry.timestamp !== undefined && { timestamp: entry.timestamp }),
            ...idTagStatus,
          });
        }
      }
    }
    // A ConnectorUnplugged comes only after its transaction's stop (which may be delivered already).
    for (const { entry } of this.o.journal.pending()) if (entry.kind === 'stop' || entry.kind === 'unplugged') open.delete(entry.localId);
    return [...open.values()];
  }

  /** The CSMS transactionId of a local transaction, once known. */
  /**
   * Settles once the StartTransaction now in flight is answered and its transactionId known here
   * (or it failed); undefined when none is in flight. A CSMS call naming that id may arrive in the
   * same read as the answer, before the answer is taken in (RemoteStopTransaction right after
   * StartTransaction.conf).
   */
  startAnswered(): Promise<void> | undefined {
    const call = this.startCall;
    // Settled after the continuation above that records the id: reactions run in the order they were added.
    return call?.then(
      () => new Promise<void>((resolve) => setImmediate(resolve)),
      () => undefined,
    );
  }

  transactionIdOf(localId: string): number | undefined {
    return this.transactionIds?.get(localId);
  }

  /** Number of messages still to deliver (journaled, or kept in memory while the journal fails). */
  get backlog(): number {
    return this.journaledBacklog() + this.unwritten.length;
  }

  /**
   * Transactions the CSMS has not confirmed as stopped: running ones, and ended ones whose
   * StopTransaction is not answered yet (records of a transaction leave the journal together, when
   * its StopTransaction is confirmed or given up).
   */
  get unconfirmedTransactions(): number {
    const ids = new Set<string>();
    for (const { entry } of this.o.journal.pending()) ids.add(entry.localId);
    for (const entry of this.unwritten) ids.add(entry.localId);
    return ids.size;
  }

  private journaledBacklog(): number {
    return this.o.journal.pending().filter((r) => r.entry.kind !== 'started').length;
  }

  /**
   * Resolves when nothing is in flight and nothing can be sent right now: the backlog is empty,
   * delivery is blocked offline, a retry waits for its interval on the clock, or the sender stopped.
   * (A retry is due only when the clock moves on, so under virtual time it must count as idle.)
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Call when the link becomes accepted: every start and stop not yet confirmed is sent (again)
   * now, so it takes its connector's ticket again before the statuses of this connection are
   * reported; then delivery starts.
   */
  resume(): void {
    this.retakeTickets();
    this.kick();
  }

  /**
   * Call once the link lost its accepted registration and what happens from now on is kept for
   * later (QueueAllMessages): the starts and stops handed to the link but not confirmed take their
   * connector's ticket again now, so the statuses kept from now on wait for them to be sent again.
   */
  suspend(): void {
    this.retakeTickets();
  }

  private retakeTickets(): void {
    const { order } = this.o;
    if (!order) return;
    for (const { seq, entry } of this.o.journal.pending()) {
      if ((entry.kind === 'start' || entry.kind === 'stop') && !this.tickets?.has(seq)) (this.tickets ??= new Map()).set(seq, order.reserve(entry.connectorId));
    }
  }

  /** Tries to deliver the next record. */
  kick(): void {
    if (this.sending) return;
    if (this.stopped || this.retryTimer !== undefined) return this.notifyIdle();
    const repair = this.repair;
    if (repair) {
      this.repair = undefined;
      this.sending = true;
      void this.recordDelivery(repair).finally(() => {
        this.sending = false;
        this.kick();
      });
      return;
    }
    const next = this.nextToSend();
    if (!next || !this.o.link.isAccepted) return this.notifyIdle();
    this.sending = true;
    void this.deliver(next).finally(() => {
      this.sending = false;
      this.kick();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.tickets) for (const ticket of this.tickets.values()) this.o.order?.release(ticket);
    this.tickets = undefined;
    this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.o.clock.clearTimeout(this.rewriteTimer);
    this.rewriteTimer = undefined;
    this.notifyIdle();
  }

  /** A journaled message as the link takes it: the identifier's kind only where the link has kinds (2.0.1). */
  private wire<P extends TokenKindOf>(payload: P): P {
    if (payload.idTokenType === undefined || this.o.link.tokenKinds) return payload;
    const { idTokenType: _kind, ...rest } = payload;
    return rest as P;
  }

  private isIdle(): boolean {
    return !this.sending && this.appending === 0 && (this.stopped || this.retryTimer !== undefined || this.journaledBacklog() === 0 || !this.o.link.isAccepted);
  }

  private nextToSend(): JournalRecord | undefined {
    return this.o.journal.pending().find((r) => r.entry.kind !== 'started');
  }

  private async deliver(record: JournalRecord): Promise<void> {
    const { entry } = record;
    try {
      switch (entry.kind) {
        case 'start': {
          if (this.transactionIds?.has(entry.localId)) {
            // Confirmed before a crash that came between journaling the answer and the ack: not again.
            this.handed(record);
            await this.recordDelivery(() => this.o.journal.ack(record.seq));
            break;
          }
          const journaled = this.o.link.journaled;
          const answer = journaled ? journaled.started(entry) : this.o.link.call('StartTransaction', this.wire(entry.payload));
          this.startCall = answer;
          this.handed(record);
          const response = await answer.finally(() => {
            if (this.startCall === answer) this.startCall = undefined;
          });
          (this.transactionIds ??= new Map()).set(entry.localId, response.transactionId);
          const started: JournalEntry = {
            kind: 'started',
            localId: entry.localId,
            connectorId: entry.connectorId,
            transactionId: response.transactionId,
            meterStart: entry.payload.meterStart,
            ...(!entry.withoutIdToken && { idTag: entry.payload.idTag }),
            ...(entry.payload.idTokenType !== undefined && { idTokenType: entry.payload.idTokenType }),
            idTagStatus: response.idTagInfo.status,
            timestamp: entry.payload.timestamp,
          };
          await this.recordDelivery(async () => {
            if (!this.o.journal.pending().some((r) => r.entry.kind === 'started' && r.entry.localId === entry.localId)) await this.o.journal.append(started);
            await this.o.journal.ack(record.seq);
          });
          // Also when the journal could not record the answer: the session goes on either way.
          this.o.onStartConfirmed(entry.localId, entry.connectorId, response, entry.payload);
          break;
        }
        case 'meter': {
          const transactionId = this.transactionIds?.get(entry.localId);
          const wire = this.o.link.journaled;
          if (wire && transactionId !== undefined) await wire.updated(entry, transactionId);
          else await this.o.link.call('MeterValues', { ...entry.payload, ...(transactionId !== undefined && { transactionId }) });
          await this.recordDelivery(() => this.o.journal.ack(record.seq));
          break;
        }
        case 'update': {
          const transactionId = this.transactionIds?.get(entry.localId);
          const wire = this.o.link.journaled;
          // Journaled only where the version reports it; its start given up, or the version changed since: not sent.
          if (wire && transactionId !== undefined) {
            const answer = await wire.changed(entry, transactionId);
            if (answer && entry.cause === 'Authorized' && entry.idTag !== undefined) this.o.onAuthorizationAnswered?.(entry.localId, entry.connectorId, transactionId, entry.idTag, entry.idTokenType, answer);
          } else this.o.log.warn({ localId: entry.localId, chargingState: entry.chargingState }, 'charging state change dropped: its transaction has no id, or this OCPP version does not report it');
          await this.recordDelivery(() => this.o.journal.ack(record.seq));
          break;
        }
        case 'stop': {
          const transactionId = this.transactionIds?.get(entry.localId);
          if (transactionId === undefined) {
            // Its StartTransaction was given up: the CSMS cannot accept a stop without an id.
            this.o.log.error({ localId: entry.localId }, 'StopTransaction dropped: its StartTransaction was never confirmed');
            this.handed(record);
          } else {
            const request = { ...entry.payload, transactionId };
            const journaled = this.o.link.journaled;
            const answer = journaled ? journaled.ended(entry, transactionId) : this.o.link.call('StopTransaction', this.wire(request));
            this.handed(record);
            this.o.onStopConfirmed?.(entry.localId, entry.connectorId, await answer, request);
          }
          await this.recordDelivery(() => this.forget(record));
          break;
        }
        case 'unplugged': {
          const transactionId = entry.transactionId ?? this.transactionIds?.get(entry.localId);
          if (transactionId === undefined) {
            this.o.log.error({ localId: entry.localId }, 'ConnectorUnplugged dropped: its transaction never got an id');
          } else {
            const data = JSON.stringify({ transactionId, timestamp: entry.timestamp });
            await this.o.link.call('DataTransfer', { vendorId: 'org.openchargealliance.costmsg', messageId: 'ConnectorUnplugged', data });
          }
          this.handed(record);
          // Its transaction's id was kept for it (forget): both go now.
          await this.recordDelivery(() => this.forget(record));
          break;
        }
        default:
          // A kind this build does not know (written by a newer one): not sendable, not kept forever.
          this.o.log.error({ action: (entry as { kind: string }).kind }, 'journaled message of an unknown kind dropped');
          await this.recordDelivery(() => this.o.journal.ack(record.seq));
          break;
      }
      this.attempts = 0;
    } catch (err) {
      await this.onFailure(record, err);
    }
  }

  /**
   * Runs the journal writes that record a delivery. If the storage fails, the failure is reported
   * and the writes are retried (whole, so they must be idempotent) before anything else is sent.
   */
  private async recordDelivery(work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.o.onJournalWrite?.();
    } catch (err) {
      this.o.onJournalError?.(err);
      if (this.stopped) return;
      this.o.log.error({ err }, 'message delivered, but the journal could not record it: retrying that before anything else is sent');
      this.repair = work;
      this.retryTimer = this.o.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, REPAIR_RETRY_MS);
    }
  }

  /**
   * Acknowledges a stop together with its transaction's `started` record, atomically: a crash in
   * between would leave a `started` without a stop, which recovery would end a second time.
   */
  /**
   * A transaction's last message (its stop, or a ConnectorUnplugged after it) was delivered: its
   * journaled id goes too — unless a ConnectorUnplugged of it still waits and needs the id.
   */
  private async forget(last: JournalRecord): Promise<void> {
    const { localId } = last.entry;
    const pending = this.o.journal.pending();
    if (pending.some((r) => r.seq !== last.seq && r.entry.kind === 'unplugged' && r.entry.localId === localId)) {
      await this.o.journal.ack(last.seq);
      return;
    }
    const started = pending.filter((r) => r.entry.kind === 'started' && r.entry.localId === localId);
    await this.o.journal.ack(last.seq, ...started.map((r) => r.seq));
    this.transactionIds?.delete(localId);
  }

  private async onFailure(record: JournalRecord, err: unknown): Promise<void> {
    if (!this.o.link.isAccepted) return; // offline: resumes on the next accepted boot, no attempt spent
    this.attempts += 1;
    const { attempts, intervalS } = this.o.retryPolicy();
    const log = { err, action: record.entry.kind, localId: record.entry.localId, attempt: this.attempts };
    if (this.attempts >= attempts) {
      this.o.log.error(log, 'transaction message given up after TransactionMessageAttempts');
      this.attempts = 0;
      await this.recordDelivery(() => (record.entry.kind === 'stop' || record.entry.kind === 'unplugged' ? this.forget(record) : this.o.journal.ack(record.seq)));
      return;
    }
    this.o.log.warn(log, 'transaction message failed, will retry');
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, intervalS * 1000 * this.attempts);
  }

  /** The record is with the link (its call queued there) or will not be sent: its statuses may follow. */
  private handed(record: JournalRecord): void {
    const ticket = this.tickets?.get(record.seq);
    if (ticket === undefined) return;
    this.tickets!.delete(record.seq);
    if (this.tickets!.size === 0) this.tickets = undefined;
    this.o.order?.release(ticket);
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return; // e.g. another append still on its way to the disk
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
