/**
 * The security event service behind {@link SecurityEventSink}: every event goes to the local
 * security log; the whitepaper's critical ones also go to the CSMS as SecurityEventNotification,
 * durably and in order, offline too.
 *
 * Why a queue of its own and not the transaction journal: the transaction sender's rules (the
 * CSMS's transactionId filled in at send time, per-connector order tickets, the
 * TransactionMessage* retry keys, power-loss recovery) mean nothing for a security event, and a
 * burst of events must never delay a StopTransaction that bills a session. The storage is the
 * same, though: a {@link FileJournal} of its own (`<dataDir>/security/events.log`), so an event is
 * on disk before `raise` is done with it, survives a power cut, and leaves the queue only after
 * the CSMS answered it.
 *
 * Delivery: one call at a time in raise order, only while registration is Accepted (the link
 * refuses other requests anyway); {@link resume} on each Accepted boot. A CallError (or an answer
 * that breaks the schema) is retried after RETRY_MS × attempt, up to MAX_ATTEMPTS, then the event
 * is given up (it stays in the local log). A lost connection is no attempt. At most MAX_QUEUED
 * events wait; beyond that the oldest is dropped (logged): an attacker who can trigger events
 * must not fill the flash.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/clock.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import { OcppLinkError, isLinkDown } from '../ocpp/errors.js';
import type { SecurityEventNotificationRequest } from '../ocpp16/messages.js';
import type { TransactionJournal } from '../store/TransactionJournal.js';
import type { SecurityLog } from './SecurityLog.js';
import { CRITICAL_SECURITY_EVENTS, type SecurityEventSink, type SecurityEventType } from './securityEvents.js';

/** A critical event waiting for the CSMS, as journaled. */
export interface QueuedSecurityEvent {
  kind: 'securityEvent';
  payload: SecurityEventNotificationRequest;
}

export interface SecurityEventServiceOptions {
  clock: Clock;
  log: Logger;
  securityLog: SecurityLog;
  /** Where critical events wait for the CSMS (a FileJournal on a board, a MemoryJournal in fleets). */
  queue: TransactionJournal<QueuedSecurityEvent>;
}

const MAX_ATTEMPTS = 3;
const RETRY_MS = 60_000;
const MAX_QUEUED = 1000;
/** SecurityEventNotification.techInfo is a CiString255. */
const TECH_INFO_MAX = 255;

const ROUTINE_EVENTS: ReadonlySet<SecurityEventType> = new Set<SecurityEventType>(['StartupOfTheDevice', 'ResetOrReboot', 'FirmwareUpdated', 'SettingSystemTime']);

export class SecurityEventService implements SecurityEventSink {
  private link: OcppCaller | undefined;
  /** Appends in flight, chained: delivery never overtakes an event still being written. */
  private appending: Promise<unknown> = Promise.resolve();
  private sending = false;
  private attempts = 0;
  private retryTimer: TimerId | undefined;
  private stopped = false;
  /** Recording a delivery failed (disk): nothing more is sent until the next Accepted boot. */
  private stalled = false;
  private readonly log: Logger;

  constructor(private readonly o: SecurityEventServiceOptions) {
    this.log = o.log.child({ component: 'security' });
  }

  /**
   * Logs the event and, if critical, queues it for the CSMS. Never throws: a part reporting an
   * attack must not be hurt by the report.
   */
  raise(type: SecurityEventType, techInfo?: string): void {
    const timestamp = new Date(this.o.clock.now()).toISOString();
    const critical = CRITICAL_SECURITY_EVENTS.has(type);
    const info = techInfo === undefined ? undefined : clip(techInfo);
    // Routine events are information; the others may be an attack or a misconfiguration.
    const level = ROUTINE_EVENTS.has(type) ? 'info' : 'warn';
    this.log[level]({ securityEvent: type, techInfo: info, critical }, 'security event');
    void this.o.securityLog.append({ timestamp, type, ...(info !== undefined && { techInfo: info }), critical });
    if (!critical) return;
    const payload: SecurityEventNotificationRequest = { type, timestamp, ...(info !== undefined && { techInfo: info }) };
    this.appending = this.appending
      .then(() => this.o.queue.append({ kind: 'securityEvent', payload }))
      .then(() => this.dropOverflow())
      .catch((err: unknown) => this.log.error({ err, securityEvent: type }, 'security event could not be queued for the CSMS (kept in the security log)'))
      .finally(() => this.kick());
  }

  /** The link to send through; delivery starts at the next {@link resume}. */
  attach(link: OcppCaller): void {
    this.link = link;
    this.stopped = false;
  }

  /** Registration Accepted: what waits goes out now, in order. */
  resume(): void {
    this.attempts = 0;
    this.stalled = false;
    this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.kick();
  }

  /** Events waiting for the CSMS. */
  get backlog(): number {
    return this.o.queue.pending().length;
  }

  /** Stops sending (the queue stays); pending writes complete. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.link = undefined;
    await this.appending;
  }

  /** Settles once every raised event is written and nothing is being sent. */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 1000 && (this.sending || i === 0); i++) {
      await this.appending;
      await this.o.securityLog.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private kick(): void {
    if (this.sending || this.stopped || this.stalled || this.retryTimer !== undefined) return;
    const link = this.link;
    if (!link?.isAccepted) return;
    this.sending = true;
    void this.deliver(link).finally(() => {
      this.sending = false;
      // An event queued while the last round was finding the queue empty.
      if (!this.stalled && this.o.queue.pending().length > 0) this.kick();
    });
  }

  private async deliver(link: OcppCaller): Promise<void> {
    for (;;) {
      await this.appending;
      const next = this.o.queue.pending()[0];
      if (!next || this.stopped || !link.isAccepted || this.link !== link) return;
      try {
        await link.call('SecurityEventNotification', next.entry.payload);
      } catch (err) {
        if (isLinkDown(err)) return; // resumed on the next Accepted boot
        // No answer in time on a live connection: tried again later, never given up for it (the
        // CSMS did not refuse the event). A CallError is: after MAX_ATTEMPTS.
        const timedOut = err instanceof OcppLinkError && err.code === 'TIMEOUT';
        if (timedOut || ++this.attempts < MAX_ATTEMPTS) {
          const delay = RETRY_MS * Math.max(1, this.attempts);
          this.log.warn({ err, securityEvent: next.entry.payload.type, retryInMs: delay }, 'SecurityEventNotification failed; retrying');
          this.retryTimer = this.o.clock.setTimeout(() => {
            this.retryTimer = undefined;
            this.kick();
          }, delay);
          return;
        }
        this.log.error({ err, securityEvent: next.entry.payload.type, attempts: this.attempts }, 'SecurityEventNotification given up (the event stays in the security log)');
      }
      this.attempts = 0;
      try {
        await this.o.queue.ack(next.seq);
      } catch (err) {
        this.log.error({ err }, 'security event queue: cannot record a delivery; it may be sent again after a restart');
        this.stalled = true;
        return;
      }
    }
  }

  private async dropOverflow(): Promise<void> {
    const pending = this.o.queue.pending();
    if (pending.length <= MAX_QUEUED) return;
    const dropped = pending.slice(0, pending.length - MAX_QUEUED).map((r) => r.seq);
    this.log.error({ dropped: dropped.length }, 'security event queue full: oldest events dropped (they stay in the security log)');
    await this.o.queue.ack(...dropped);
  }
}

function clip(text: string): string {
  return text.length > TECH_INFO_MAX ? `${text.slice(0, TECH_INFO_MAX - 1)}…` : text;
}
