/**
 * The notifications of remote maintenance (FirmwareStatusNotification, SignedFirmwareStatusNotification,
 * DiagnosticsStatusNotification, LogStatusNotification), in the order they happened. They are not
 * transaction messages (no journal), but the CSMS follows an update by them, so one that cannot go
 * out now (not connected, not yet Accepted, no answer) waits for the next Accepted boot instead of
 * being lost; a CallError drops it. The queue is bounded: the oldest go first when it is full.
 */
import type { Logger } from 'pino';
import { OcppLinkError } from '../errors.js';
import type { OcppCaller } from '../OcppCaller.js';
import type { Ocpp16Action, RequestOf } from '../../ocpp16/messages.js';

export type MaintenanceAction = Extract<Ocpp16Action, 'FirmwareStatusNotification' | 'SignedFirmwareStatusNotification' | 'DiagnosticsStatusNotification' | 'LogStatusNotification'>;

interface Pending {
  action: MaintenanceAction;
  payload: RequestOf<MaintenanceAction>;
  attempts: number;
}

const LIMIT = 64;
const ATTEMPTS = 5;
/** Errors after which the same notification is tried again at the next Accepted boot. */
const WAIT_AND_RETRY: ReadonlySet<string> = new Set(['NOT_CONNECTED', 'NOT_ACCEPTED', 'TIMEOUT', 'DISCONNECTED']);

export class MaintenanceNotifications {
  private readonly queue: Pending[] = [];
  private sending = false;
  private disposed = false;

  /**
   * `link`: whose Accepted boots resume the queue; `caller`: what the notifications go through (a
   * 2.0.1 charger's translates them; default `link`).
   */
  constructor(
    private readonly link: OcppCaller & { on(event: 'accepted', fn: () => void): unknown; off(event: 'accepted', fn: () => void): unknown },
    private readonly log: Logger,
    private readonly caller: OcppCaller = link,
  ) {
    link.on('accepted', this.onAccepted);
  }

  send<A extends MaintenanceAction>(action: A, payload: RequestOf<A>): void {
    if (this.disposed) return;
    if (this.queue.length >= LIMIT) {
      const dropped = this.queue.shift();
      this.log.warn({ action: dropped?.action }, 'maintenance notification dropped: too many waiting');
    }
    this.queue.push({ action, payload, attempts: 0 });
    void this.drain();
  }

  /** Notifications not yet delivered. */
  get waiting(): number {
    return this.queue.length;
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.link.off('accepted', this.onAccepted);
  }

  private readonly onAccepted = (): void => void this.drain();

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (!this.disposed && this.link.isAccepted) {
        const next = this.queue[0];
        if (!next) return;
        next.attempts++;
        try {
          await this.caller.call(next.action, next.payload);
          this.queue.shift();
        } catch (err) {
          const code = err instanceof OcppLinkError ? err.code : 'FAILED';
          // Still accepted (a lost answer): try again now; otherwise at the next Accepted boot.
          if (WAIT_AND_RETRY.has(code) && next.attempts < ATTEMPTS) continue;
          this.queue.shift();
          this.log.warn({ err, action: next.action }, 'maintenance notification not delivered');
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
