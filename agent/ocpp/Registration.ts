/**
 * Registration policy of one link (OCPP 1.6 §4.2): when to send BootNotification and what an
 * answer means. Accepted → the CSMS's `interval` becomes HeartbeatInterval; Pending/Rejected →
 * boot again after `interval`, and not before, on any connection; a failed boot call or an
 * `interval` of 0 backs off with equal jitter. The link sends the boots and keeps the state.
 *
 * Per-link cost: a few fields and the boot timer on the shared clock (no closures of its own).
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/clock.js';
import { equalJitterDelay, type BackoffWindow } from './backoff.js';
import type { OcppLinkOptions } from './OcppLinkTypes.js';
import type { BootNotificationRequest, BootNotificationResponse } from '../ocpp16/messages.js';

const DEFAULT_BOOT_RETRY: BackoffWindow = { initialDelayMs: 30_000, maxDelayMs: 600_000 };

export class Registration {
  private bootAttempt = 0;
  /** After Pending/Rejected: no BootNotification before this clock time, on any connection. */
  private bootNotBefore = 0;
  private bootTimer: TimerId | undefined;
  /** The link's state while it may not boot: what the CSMS answered last. */
  waitingAs: 'pending' | 'rejected' = 'pending';

  /** `bootDue` is called when the boot timer fires. */
  constructor(
    private readonly opts: Pick<OcppLinkOptions, 'clock' | 'boot' | 'bootRetry' | 'config'>,
    private readonly log: Logger,
    private readonly random: () => number,
    private readonly bootDue: () => void,
  ) {}

  private get clock(): Clock {
    return this.opts.clock;
  }

  /** The BootNotification payload for the next boot (may throw: a caller-supplied function). */
  request(): BootNotificationRequest {
    return typeof this.opts.boot === 'function' ? this.opts.boot() : this.opts.boot;
  }

  /** On a new connection: how long the CSMS told us to wait before booting (0 = boot now). */
  waitBeforeBoot(): number {
    return Math.max(0, this.bootNotBefore - this.clock.now());
  }

  /**
   * Applies a BootNotification answer (the boot timer is cancelled). Returns undefined when it is
   * Accepted, else the delay before the next boot (`waitingAs` tells Pending from Rejected).
   */
  answered(answer: BootNotificationResponse): number | undefined {
    const interval = Math.max(0, answer.interval);
    this.log.info({ status: answer.status, interval }, 'BootNotification answered');
    this.cancel();
    if (answer.status === 'Accepted') {
      this.bootAttempt = 0;
      this.bootNotBefore = 0;
      return undefined;
    }
    const delay = interval > 0 ? interval * 1000 : this.retryDelay();
    this.bootNotBefore = this.clock.now() + delay;
    this.waitingAs = answer.status === 'Pending' ? 'pending' : 'rejected';
    return delay;
  }

  /** The back-off before retrying a boot that failed (or was answered with interval 0). */
  retryDelay(): number {
    return equalJitterDelay(this.bootAttempt++, this.opts.bootRetry ?? DEFAULT_BOOT_RETRY, this.random);
  }

  /** Boots (calls `bootDue`) after `delayMs` of the clock, replacing a boot already scheduled. */
  scheduleBoot(delayMs: number): void {
    this.clock.clearTimeout(this.bootTimer);
    this.bootTimer = this.clock.setTimeout(this.bootDue, delayMs);
  }

  /** The boot timer fired (or the boot starts now): it is no longer scheduled. */
  booting(): void {
    this.bootTimer = undefined;
  }

  /** Cancels a scheduled boot (the connection ended, or an answer came). */
  cancel(): void {
    this.clock.clearTimeout(this.bootTimer);
    this.bootTimer = undefined;
  }

  /** Accepted with an interval: it becomes HeartbeatInterval (persisted), if in range. */
  adoptHeartbeatInterval(seconds: number): void {
    try {
      this.opts.config.set('HeartbeatInterval', seconds).catch((err: unknown) => this.log.error({ err }, 'cannot persist HeartbeatInterval'));
    } catch (err) {
      this.log.warn({ err, seconds }, 'HeartbeatInterval from the CSMS out of range; keeping the configured one');
    }
  }
}
