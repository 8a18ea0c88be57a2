/**
 * The command sequencing both serial contactors share (a relay board's coil read back through a
 * mirror contact, an OpenEVSE switching its own relay): one command at a time, each confirmed by
 * the state the device reports within `deadlineMs`, else a fault.
 *
 * - `close` is refused while any fault is active (the first one is the rejection).
 * - Not confirmed closed in time → RELAY_STUCK: the device is told to open again (`withdraw`) and
 *   the close rejects once that is done or failed. Not confirmed open → RELAY_WELDED.
 * - `send` failing ends the command with its error (no deadline wait).
 */
import type { Clock, TimerId } from '../clock.js';
import { HalError } from '../errors.js';
import type { FaultLatch } from '../FaultLatch.js';
import type { RelayState } from '../index.js';

export interface ContactorCommandsOptions {
  /** Device name, e.g. `relay:1`. */
  id: string;
  clock: Clock;
  faults: FaultLatch;
  deadlineMs: number;
  /** Puts the command on its way; the device's report confirms it ({@link ContactorCommands.confirm}). */
  send: (target: RelayState) => Promise<void>;
  /** After a close was not confirmed: command the contactor open again. */
  withdraw: () => Promise<unknown>;
  /** How the open command is named in messages (`open`, `$FS`). */
  openCommand: string;
}

interface Pending {
  target: RelayState;
  timer: TimerId;
  settle: (error?: HalError) => void;
}

export class ContactorCommands {
  private readonly o: ContactorCommandsOptions;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  constructor(options: ContactorCommandsOptions) {
    this.o = options;
  }

  /** The state the command in flight waits to see confirmed. */
  get pendingTarget(): RelayState | undefined {
    return this.pending?.target;
  }

  /** Queues a command; when its turn comes, `needed()` false means there is nothing to do. */
  run(target: RelayState, needed: () => boolean): Promise<void> {
    if (this.released) return Promise.reject(new HalError('DEVICE_CLOSED', this.o.id));
    const go = (): Promise<void> => this.actuate(target, needed);
    const result = this.queue.then(go, go);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The device reports `state`: the command waiting for it is done. */
  confirm(state: RelayState): void {
    if (this.pending?.target === state) this.finish();
  }

  /** Ends the command in flight, rejected with `error` if given. */
  finish(error?: HalError): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.o.clock.clearTimeout(pending.timer);
    pending.settle(error);
  }

  /** Rejects the command in flight and every later one with DEVICE_CLOSED. */
  release(): void {
    this.released = true;
    this.finish(new HalError('DEVICE_CLOSED', this.o.id, 'released while a command was pending'));
  }

  private async actuate(target: RelayState, needed: () => boolean): Promise<void> {
    const { id, clock, faults, deadlineMs, send } = this.o;
    if (this.released) throw new HalError('DEVICE_CLOSED', id);
    const active = faults.first();
    if (target === 'closed' && active) throw faults.raise(active, 'close refused while faulted');
    if (!needed()) return;
    const done = new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => this.expire(), deadlineMs);
      this.pending = { target, timer, settle: (error) => (error ? reject(error) : resolve()) };
    });
    // It may settle (release, a deadline) while `send` is still awaited below: not unhandled then.
    done.catch(() => undefined);
    try {
      await send(target);
    } catch (err) {
      this.finish(err instanceof HalError ? err : new HalError('FRAME_ERROR', id, String(err)));
    }
    return done;
  }

  private expire(): void {
    const pending = this.pending;
    if (!pending) return;
    const { faults, deadlineMs, openCommand, withdraw } = this.o;
    if (pending.target === 'open') return this.finish(faults.raise('RELAY_WELDED', `still closed ${deadlineMs} ms after ${openCommand}`));
    this.pending = undefined;
    const error = faults.raise('RELAY_STUCK', `not confirmed closed within ${deadlineMs} ms`);
    // Take the close back, then report; a failing withdrawal does not hide the fault.
    withdraw().then(
      () => pending.settle(error),
      () => pending.settle(error),
    );
  }
}
