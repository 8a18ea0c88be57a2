/**
 * The command sequencing every contactor of the HAL shares — a relay board's coil read back
 * through a mirror contact, an OpenEVSE switching its own relay, and the simulated contactor
 * (hal/sim/SimRelay.ts) — one command at a time, each confirmed by the state the device reports
 * within `deadlineMs`, else a fault.
 *
 * - `close` is refused while any fault is active (the first one is the rejection).
 * - Not confirmed closed in time → RELAY_STUCK: the device is told to open again (`withdraw`) and
 *   the close rejects once that is done or failed. Not confirmed open → RELAY_WELDED.
 * - `send` failing ends the command with its error (no deadline wait).
 * - A device whose position is known only from the readings its driver takes (`readBack`: a relay
 *   board's mirror contact polled over a bus) gets its deadline from the moment it took the command
 *   (`send` settled), and the verdict needs evidence: a reading taken after the deadline that still
 *   shows the old position. A slow bus or a busy controller delays the verdict; it never makes one
 *   up (no weld reported for contacts that opened while their reading was late).
 * - A command ends once the device confirmed it (or it failed) and `send` has returned.
 *
 * Turns are tracked synchronously, not through promise callbacks: a command issued while none is
 * under way starts at once, and one queued behind another starts the moment that one ends, so
 * its deadline is armed by then (a test that moves a simulated clock right after the call sees
 * it). A device that confirms synchronously (`send` and `withdraw` returning nothing, like the
 * simulated relay) completes its commands synchronously too.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from './clock.js';
import { HalError, type HalErrorCode } from './errors.js';
import type { FaultLatch } from './FaultLatch.js';
import type { Relay, RelayEvents, RelayState } from './index.js';

export interface ContactorCommandsOptions {
  /** Device name, e.g. `relay:1`. */
  id: string;
  clock: Clock;
  faults: FaultLatch;
  deadlineMs: number;
  /**
   * Puts the command on its way; the device's report confirms it ({@link ContactorCommands.confirm}),
   * possibly before `send` returns. A promise: the command ends no earlier than it settles.
   */
  send: (target: RelayState) => Promise<void> | void;
  /** After a close was not confirmed: command the contactor open again. */
  withdraw: () => Promise<unknown> | void;
  /** How the open command is named in messages (`open`, `$FS`). */
  openCommand: string;
  /**
   * The position is known only from readings the driver reports with {@link ContactorCommands.reading};
   * see the class comment. The driver ends a command that can get no reading (feedback lost).
   */
  readBack?: boolean;
}

interface Pending {
  target: RelayState;
  timer: TimerId | undefined;
  settle: (error?: HalError) => void;
  /** readBack: the deadline passed; a reading marked from this number on decides. */
  overdueFrom?: number;
}

export class ContactorCommands {
  private readonly o: ContactorCommandsOptions;
  private pending: Pending | undefined;
  /** A command is under way (from its start until it ended); later ones wait in `waiting`. */
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private released = false;
  /** readBack: counts deadlines passed, so that a reading can tell whether it was taken after one. */
  private marks = 0;

  constructor(options: ContactorCommandsOptions) {
    this.o = options;
  }

  /** The state the command in flight waits to see confirmed. */
  get pendingTarget(): RelayState | undefined {
    return this.pending?.target;
  }

  /** A command is under way (waiting for its confirmation, its `send`, or a withdrawal). */
  get underWay(): boolean {
    return this.busy;
  }

  /** Queues a command; when its turn comes, `needed()` false means there is nothing to do. */
  run(target: RelayState, needed: () => boolean): Promise<void> {
    if (this.released) return Promise.reject(new HalError('DEVICE_CLOSED', this.o.id));
    return new Promise<void>((resolve, reject) => {
      const go = (): void =>
        this.actuate(target, needed, (error) => {
          this.busy = false;
          if (error) reject(error);
          else resolve();
          this.waiting.shift()?.();
        });
      if (this.busy) this.waiting.push(go);
      else go();
    });
  }

  /** The device reports `state`: the command waiting for it is done. */
  confirm(state: RelayState): void {
    if (this.pending?.target === state) this.finish();
  }

  /** readBack: what a driver takes when it starts a reading, and hands to {@link reading} with its result. */
  get mark(): number {
    return this.marks;
  }

  /** readBack: the command's deadline passed and no reading taken since has decided yet. */
  get overdue(): boolean {
    return this.pending?.overdueFrom !== undefined;
  }

  /**
   * readBack: a reading started at `mark` shows `state`. It confirms the command waiting for that
   * state; one started after the deadline that shows the other state fails it.
   */
  reading(state: RelayState, mark: number): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.target === state) return this.finish();
    if (pending.overdueFrom !== undefined && mark >= pending.overdueFrom) this.fail(pending);
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
    // The error only when there is a command to reject: a fleet releases 10,000 idle relays at its stop.
    if (this.pending) this.finish(new HalError('DEVICE_CLOSED', this.o.id, 'released while a command was pending'));
  }

  /** Runs one command; calls `done` exactly once, when it has ended. */
  private actuate(target: RelayState, needed: () => boolean, done: (error?: HalError) => void): void {
    const { id, clock, faults, deadlineMs, send } = this.o;
    this.busy = true;
    if (this.released) return done(new HalError('DEVICE_CLOSED', id));
    const active = faults.first();
    if (target === 'closed' && active) return done(faults.raise(active, 'close refused while faulted'));
    if (!needed()) return done();
    // Ends when both happened: the outcome (confirmed, failed, released) and `send` returned.
    let outcome: { error?: HalError } | undefined;
    let sending = true;
    const end = (): void => {
      if (outcome && !sending) done(outcome.error);
    };
    const settle = (error?: HalError): void => {
      outcome = { error };
      end();
    };
    const pending: Pending = { target, timer: undefined, settle };
    this.pending = pending;
    const failed = (err: unknown): void => {
      if (this.pending === pending) this.finish(err instanceof HalError ? err : new HalError('FRAME_ERROR', id, String(err)));
    };
    let sent: Promise<void> | void;
    try {
      sent = send(target);
    } catch (err) {
      sent = Promise.reject(err);
    }
    // Armed once the command is on its way (a device may confirm at once, inside `send`); for a
    // device read back by its driver, once it took the command.
    const arm = (): void => {
      if (this.pending === pending) pending.timer = clock.setTimeout(() => this.expire(), deadlineMs);
    };
    if (!this.o.readBack || !sent) arm();
    if (!sent) {
      sending = false;
      return end();
    }
    sent.then(() => (this.o.readBack ? arm() : undefined), failed).finally(() => {
      sending = false;
      end();
    });
  }

  private expire(): void {
    const pending = this.pending;
    if (!pending) return;
    pending.timer = undefined;
    // Read back: the next reading decides, not the clock.
    if (this.o.readBack) pending.overdueFrom = ++this.marks;
    else this.fail(pending);
  }

  private fail(pending: Pending): void {
    const { faults, deadlineMs, openCommand, withdraw } = this.o;
    if (pending.target === 'open') return this.finish(faults.raise('RELAY_WELDED', `still closed ${deadlineMs} ms after ${openCommand}`));
    this.pending = undefined;
    const error = faults.raise('RELAY_STUCK', `not confirmed closed within ${deadlineMs} ms`);
    // Take the close back, then report; a failing withdrawal does not hide the fault.
    let withdrawing: Promise<unknown> | void;
    try {
      withdrawing = withdraw();
    } catch {
      withdrawing = undefined;
    }
    if (!withdrawing) return pending.settle(error);
    withdrawing.then(
      () => pending.settle(error),
      () => pending.settle(error),
    );
  }
}

/**
 * What every contactor driver (simulated, Modbus relay board, OpenEVSE) has in common as a
 * {@link Relay}: its confirmed position, its faults, and close/open as commands of its
 * {@link ContactorCommands}. A driver says how it moves the contacts and when a command is needed.
 */
export abstract class CommandedRelay extends EventEmitter<RelayEvents> implements Relay {
  abstract readonly id: string;
  abstract readonly deadlineMs: number;
  /** The position the device last confirmed. */
  protected confirmed: RelayState = 'open';
  protected abstract readonly faults: FaultLatch;
  protected abstract readonly commands: ContactorCommands;

  get state(): RelayState {
    return this.confirmed;
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  /** Closes the contactor (the {@link Relay} command, not device release: see {@link release}). */
  close(): Promise<void> {
    return this.commands.run('closed', () => this.needs('closed'));
  }

  open(): Promise<void> {
    return this.commands.run('open', () => this.needs('open'));
  }

  abstract release(): Promise<void>;

  /** Whether the device must be commanded to reach `target` (default: it has not confirmed it). */
  protected needs(target: RelayState): boolean {
    return this.confirmed !== target;
  }
}
