import { EventEmitter } from 'node:events';
import { HalError, type HalErrorCode } from '../errors.js';
import type { ConnectorLock, LockEvents } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';

export interface SimConnectorLockOptions {
  /** Device name used in errors and logs, e.g. `lock:1`. */
  id: string;
}

/**
 * Simulated socket lock. Implements the {@link ConnectorLock} contract: `lock()`/`unlock()`
 * confirm at once (no clock wait) and emit `state` when the position changes; repeating the
 * current position resolves without an event.
 *
 * Fault injection (device side): {@link jam} — commands reject with LOCK_FAILURE and the lock
 * stays where it is, `fault` is emitted once; {@link unjam} — the next command succeeds and
 * emits `faultCleared` first (the recovery is observed, not assumed).
 *
 * The simulated lock does not hold the simulated EV's plug: `ev.unplug()` works while locked.
 */
export class SimConnectorLock extends EventEmitter<LockEvents> implements ConnectorLock {
  readonly id: string;
  private readonly faults: FaultLatch;
  private position = false;
  private jammed = false;
  private closed = false;

  constructor(options: SimConnectorLockOptions) {
    super();
    this.id = options.id;
    this.faults = new FaultLatch(this.id, this);
  }

  get locked(): boolean {
    return this.position;
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  lock(): Promise<void> {
    return this.move(true);
  }

  unlock(): Promise<void> {
    return this.move(false);
  }

  release(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Device side: the lock motor or pin is blocked. */
  jam(): void {
    this.jammed = true;
  }

  /** Device side: the obstruction is gone. */
  unjam(): void {
    this.jammed = false;
  }

  private async move(locked: boolean): Promise<void> {
    if (this.closed) throw new HalError('DEVICE_CLOSED', this.id);
    if (this.jammed) throw this.faults.raise('LOCK_FAILURE', locked ? 'did not lock' : 'did not unlock');
    this.faults.clear('LOCK_FAILURE');
    if (locked === this.position) return;
    this.position = locked;
    this.emit('state', locked);
  }
}
