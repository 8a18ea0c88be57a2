/**
 * The station's NotifyEvents (OCPP 2.0.1 N07/N08): the trips of its variable monitors and its
 * hardware problems, sent in the order they happened, and kept while they cannot be delivered.
 *
 * - The monitoring level (SetMonitoringLevel, MonitoringCtrlr.ActiveMonitoringLevel) decides what
 *   is reported at all: an event whose severity number is above it is dropped. A hardware problem
 *   has severity 1 (HardwareFailure).
 * - While the station has no accepted registration (offline), an event is kept only when its
 *   severity number is at most MonitoringCtrlr.OfflineQueuingSeverity; the others are dropped.
 * - The queue is a journal (`<dataDir>/notify-events.log` under `evse run`, in memory in fleets
 *   and tests): an event is on disk before it is sent and leaves the queue once the CSMS answered
 *   it, so events wait through outages and restarts and go out in order after the next Accepted
 *   registration, one NotifyEvent each (`generatedAt` the sending time, `timestamp` the event's).
 * - Not answered in time on a live connection: sent again after RETRY_MS × attempt, never given
 *   up for that. A CallError answer: tried MAX_ATTEMPTS times, then dropped (logged). A lost
 *   connection is no attempt.
 * - At most MAX_QUEUED events wait; beyond that the least severe (highest severity number), oldest
 *   first, is dropped (logged): a monitor reporting every few seconds during a long outage must not
 *   push out the hardware fault that began it.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../../hal/index.js';
import { OcppLinkError, isLinkDown } from '../errors.js';
import type { OcppLink } from '../OcppLink.js';
import type { EventDataType } from '../../ocpp201/messages.js';
import type { TransactionJournal } from '../../store/TransactionJournal.js';
import { call201 } from './call201.js';

/** One NotifyEvent waiting for the CSMS, as journaled. */
export interface QueuedNotifyEvent {
  kind: 'notifyEvent';
  severity: number;
  event: EventDataType;
}

export interface NotifyEventsParts {
  link: Pick<OcppLink, 'call' | 'isAccepted' | 'on'>;
  clock: Clock;
  log: Logger;
  queue: TransactionJournal<QueuedNotifyEvent>;
  /** Events of a severity number above this are not reported (ActiveMonitoringLevel). */
  level(): number;
  /** Offline, events of a severity number above this are not kept (OfflineQueuingSeverity). */
  offlineQueuingSeverity(): number;
}

/** Severity of a hardware problem (HardWiredNotification): 1, HardwareFailure. */
export const HARDWARE_FAILURE = 1;
const MAX_ATTEMPTS = 3;
const RETRY_MS = 30_000;
export const MAX_QUEUED = 200;

export class NotifyEvents {
  /** Appends in flight, chained: delivery never overtakes an event still being written. */
  private appending: Promise<unknown> = Promise.resolve();
  private sending: Promise<void> | undefined;
  private attempts = 0;
  private retryTimer: TimerId | undefined;
  private stopped = false;
  /** eventIds: counted from the start time in s, so a restart does not reuse the last run's. */
  private nextEventId: number;

  constructor(private readonly p: NotifyEventsParts) {
    this.nextEventId = Math.floor(p.clock.now() / 1000) % 2_000_000_000;
    p.link.on('state', (state) => {
      if (state !== 'accepted') return;
      this.attempts = 0;
      this.p.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.kick();
    });
  }

  /**
   * Reports an event (its eventId is given here) unless the monitoring level or, offline,
   * OfflineQueuingSeverity leaves it out. Returns at once; delivery follows in order.
   */
  raise(severity: number, event: Omit<EventDataType, 'eventId'>): void {
    if (this.stopped) return;
    const eventId = this.nextEventId++;
    const what = { eventId, severity, component: event.component.name, variable: event.variable.name, trigger: event.trigger };
    if (severity > this.p.level()) {
      this.p.log.debug(what, 'NotifyEvent not reported: above the monitoring level');
      return;
    }
    if (!this.p.link.isAccepted && severity > this.p.offlineQueuingSeverity()) {
      this.p.log.info(what, 'NotifyEvent dropped: offline and above OfflineQueuingSeverity');
      return;
    }
    this.appending = this.appending
      .then(() => this.p.queue.append({ kind: 'notifyEvent', severity, event: { eventId, ...event } }))
      .then(() => this.dropOverflow())
      .catch((err: unknown) => this.p.log.error({ err, ...what }, 'NotifyEvent could not be queued; sending it is not retried'));
    void this.appending.then(() => this.kick());
  }

  /** No more sending (the queue stays for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.p.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.appending;
  }

  private kick(): void {
    if (this.sending || this.stopped || this.retryTimer !== undefined || !this.p.link.isAccepted) return;
    this.sending = this.deliver().finally(() => {
      this.sending = undefined;
    });
  }

  private async deliver(): Promise<void> {
    for (;;) {
      await this.appending;
      const next = this.p.queue.pending()[0];
      if (!next || this.stopped || !this.p.link.isAccepted) return;
      try {
        await call201(this.p.link, 'NotifyEvent', { generatedAt: new Date(this.p.clock.now()).toISOString(), seqNo: 0, eventData: [next.entry.event] });
      } catch (err) {
        if (isLinkDown(err)) return; // again after the next Accepted registration
        const code = err instanceof OcppLinkError ? err.code : 'FAILED';
        const timedOut = code === 'TIMEOUT';
        if (code !== 'INVALID_REQUEST' && (timedOut || ++this.attempts < MAX_ATTEMPTS)) {
          const delay = RETRY_MS * Math.max(1, this.attempts);
          this.p.log.warn({ err, eventId: next.entry.event.eventId, retryInMs: delay }, 'NotifyEvent not delivered; sending it again later');
          this.retryTimer = this.p.clock.setTimeout(() => {
            this.retryTimer = undefined;
            this.kick();
          }, delay);
          return;
        }
        this.p.log.error({ err, eventId: next.entry.event.eventId, attempts: this.attempts }, 'NotifyEvent given up');
      }
      this.attempts = 0;
      try {
        await this.p.queue.ack(next.seq);
      } catch (err) {
        this.p.log.error({ err }, 'NotifyEvent queue: cannot record a delivery; it may be sent again after a restart');
        return;
      }
    }
  }

  /** Beyond MAX_QUEUED: the least severe events go first, the oldest of them first. */
  private async dropOverflow(): Promise<void> {
    const pending = this.p.queue.pending();
    const excess = pending.length - MAX_QUEUED;
    if (excess <= 0) return;
    // The head may be in flight: never drop it (it would be acknowledged twice).
    const dropped = pending.slice(1).map((r, i) => ({ seq: r.seq, severity: r.entry.severity, at: i }))
      .sort((a, b) => b.severity - a.severity || a.at - b.at)
      .slice(0, excess)
      .map((r) => r.seq);
    this.p.log.warn({ dropped: dropped.length }, 'NotifyEvent queue full: the least severe events dropped');
    await this.p.queue.ack(...dropped);
  }
}
