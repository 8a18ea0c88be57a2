/**
 * Carries out the machine's lock commands on one connector's lock, one after the other. A release
 * waits until the contactor is confirmed open (never release the plug under load; a welded
 * contactor keeps the cable locked). A command overtaken by the opposite one is skipped. A failure
 * is already a device fault (LOCK_FAILURE, which the controller feeds to the machine): the wanted
 * position is tried again every RETRY_MS, so a jammed lock does not hold a session Faulted, or a
 * cable in the socket, for good once the obstruction is gone.
 */
import type { Logger } from 'pino';
import type { Clock, ConnectorLock, Relay, TimerId } from '../../hal/index.js';

const RETRY_MS = 10_000;

export class LockDriver {
  /** The position the machine last commanded. */
  private engaged = false;
  /** The command running or last run (none yet: the lock is used only once a session starts). */
  private queue: Promise<void> | undefined;
  private retry: TimerId | undefined;
  private disposed = false;

  constructor(
    private readonly connectorId: number,
    private readonly lock: ConnectorLock,
    private readonly relay: Relay,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Moves the lock to `engage` after the commands before it; `relayOpening` is the last open
   * command's confirmation, which a release waits for.
   */
  command(engage: boolean, relayOpening: Promise<void> | undefined): void {
    this.engaged = engage;
    this.move(relayOpening);
  }

  dispose(): void {
    this.disposed = true;
    this.clock.clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** Read anew after each await (the relay's state changes meanwhile). */
  private relayOpen(): boolean {
    return this.relay.state === 'open';
  }

  private move(relayOpening: Promise<void> | undefined): void {
    const engage = this.engaged;
    const run = async (): Promise<void> => {
      if (this.disposed || engage !== this.engaged) return;
      if (!engage && !this.relayOpen()) {
        await relayOpening;
        if (!this.relayOpen()) throw new Error('contactor not confirmed open: the cable stays locked');
      }
      await (engage ? this.lock.lock() : this.lock.unlock());
    };
    // Nothing in flight: the command goes to the lock now (it is on the way from card to power).
    const queued: Promise<void> = (this.queue ? this.queue.then(run) : run())
      .catch((err: unknown) => {
        this.log.warn({ err, connector: this.connectorId, lock: engage ? 'lock' : 'unlock' }, 'connector lock command failed: retrying');
        if (this.disposed || this.retry !== undefined) return;
        this.retry = this.clock.setTimeout(() => {
          this.retry = undefined;
          if (!this.disposed && this.lock.locked !== this.engaged) this.move(undefined);
        }, RETRY_MS);
      })
      .finally(() => {
        if (this.queue === queued) this.queue = undefined;
      });
    this.queue = queued;
  }
}
