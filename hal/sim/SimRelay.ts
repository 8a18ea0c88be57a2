import type { Clock, TimerId } from '../clock.js';
import { CommandedRelay, ContactorCommands } from '../ContactorCommands.js';
import type { RelayState } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';

export interface SimRelayOptions {
  /** Device name used in errors and logs, e.g. `relay:1`. */
  id: string;
  clock: Clock;
  /**
   * Clock time the contacts take to move and the feedback contact to confirm, ms. Default 0:
   * a healthy relay confirms at once, so commands never wait on the clock (a test that does not
   * advance a SimulatedClock cannot deadlock). With a delay, commands complete only when the
   * clock is advanced past it; a delay longer than the deadline makes the relay stuck.
   */
  actuationDelayMs?: number;
  /** Confirmation deadline, ms (default 200). A stuck or welded relay rejects when it passes. */
  deadlineMs?: number;
  /** Told when {@link SimRelay.conducting} changes without a state event (a bypass). */
  onConductingChange?: () => void;
}

/**
 * Simulated power contactor with a feedback contact. Implements the {@link Relay} contract:
 * `close()`/`open()` resolve only once the feedback confirms, the `state` event is emitted at
 * that moment (before the command's promise resolves), commands run in the order given.
 *
 * Fault injection (device side):
 * - {@link stick}: the contacts no longer close. `close()` rejects with RELAY_STUCK when the
 *   deadline passes on the clock, the relay stays open, `fault` is emitted (recoverable).
 * - {@link weld}: the contacts weld on closing: a closed relay never opens again. `open()`
 *   rejects with RELAY_WELDED when the deadline passes; `fault` (not recoverable) is emitted.
 * - {@link repair}: removes both defects and clears RELAY_STUCK (`faultCleared`). RELAY_WELDED
 *   stays latched — not recoverable — so `close()` keeps refusing; `open()` works again.
 * - {@link closeByItself}: the contacts close without a command (a shorted coil driver). The
 *   relay raises UNCOMMANDED_POWER, commands open at once and clears the fault once open.
 * - {@link bypass}: the contacts are bridged and conduct whatever is commanded, while the
 *   feedback contact still follows the command: only a meter can see it ({@link conducting}).
 *
 * A failed command waits for the deadline on the injected clock: in a test with a SimulatedClock,
 * advance it by `deadlineMs` to see the rejection. The commands (one at a time, refused while
 * faulted, the deadline, RELAY_STUCK / RELAY_WELDED) are the serial contactors' own
 * {@link ContactorCommands}; this class is the device: contacts that move after
 * `actuationDelayMs` unless stuck or welded, and the feedback contact that reports them.
 */
export class SimRelay extends CommandedRelay {
  readonly id: string;
  readonly deadlineMs: number;
  private readonly clock: Clock;
  private readonly actuationDelayMs: number;
  protected readonly faults: FaultLatch;
  protected readonly commands: ContactorCommands;
  private stuck = false;
  private welded = false;
  private bypassed = false;
  private released = false;
  /** The contacts on their way to the commanded position (an actuation delay running). */
  private moving: TimerId | undefined;
  private readonly onConductingChange: (() => void) | undefined;

  constructor(options: SimRelayOptions) {
    super();
    const { id, clock, actuationDelayMs = 0, deadlineMs = 200 } = options;
    if (!(actuationDelayMs >= 0)) throw new RangeError(`${id}: actuationDelayMs must be >= 0 (got ${actuationDelayMs})`);
    if (!(deadlineMs > 0)) throw new RangeError(`${id}: deadlineMs must be > 0 (got ${deadlineMs})`);
    this.id = id;
    this.clock = clock;
    this.actuationDelayMs = actuationDelayMs;
    this.deadlineMs = deadlineMs;
    this.onConductingChange = options.onConductingChange;
    this.faults = new FaultLatch(id, this);
    this.commands = new ContactorCommands({
      id,
      clock,
      faults: this.faults,
      deadlineMs,
      send: (target) => this.drive(target),
      // The contacts never reached closed: stop them going there late.
      withdraw: () => this.stopMoving(),
      openCommand: 'open',
    });
  }

  /** Whether power can pass the contacts (closed, or bridged by a {@link bypass}). */
  get conducting(): boolean {
    return this.confirmed === 'closed' || this.bypassed;
  }

  release(): Promise<void> {
    if (this.released) return Promise.resolve();
    this.released = true;
    this.stopMoving();
    this.commands.release();
    return Promise.resolve();
  }

  /** Device side: the contacts weld when closed; a closed relay will not open any more. */
  weld(): void {
    this.welded = true;
  }

  /** Device side: the contacts no longer close (coil or drive failure). */
  stick(): void {
    this.stuck = true;
  }

  /** Device side: a technician fixed the contacts. Clears RELAY_STUCK; RELAY_WELDED stays latched. */
  repair(): void {
    this.stuck = false;
    this.welded = false;
    this.faults.clear('RELAY_STUCK');
    if (this.bypassed) {
      this.bypassed = false;
      this.onConductingChange?.();
    }
  }

  /** Device side: the contacts close with no command; the relay opens them again and reports it. */
  closeByItself(): void {
    if (this.released || this.confirmed === 'closed' || this.commands.underWay) return;
    this.confirm('closed');
    this.faults.raise('UNCOMMANDED_POWER', 'feedback reports closed while commanded open');
    // Commanded open at once; RELAY_WELDED if the contacts do not follow.
    this.open().then(
      () => this.faults.clear('UNCOMMANDED_POWER'),
      () => undefined,
    );
  }

  /** Device side: the contacts are bridged; power passes whatever is commanded, unseen by the feedback. */
  bypass(): void {
    this.bypassed = true;
    this.onConductingChange?.();
  }

  /**
   * The coil is driven towards `target`: the contacts get there after `actuationDelayMs` (at once
   * without one), unless stuck (closing) or welded (opening). A delay beyond the deadline never
   * arrives (the command has failed by then).
   */
  private drive(target: RelayState): void {
    const moves = target === 'closed' ? !this.stuck : !this.welded;
    if (!moves) return;
    if (this.actuationDelayMs === 0) return this.confirm(target);
    if (this.actuationDelayMs > this.deadlineMs) return;
    this.moving = this.clock.setTimeout(() => {
      this.moving = undefined;
      this.confirm(target);
    }, this.actuationDelayMs);
  }

  private stopMoving(): void {
    this.clock.clearTimeout(this.moving);
    this.moving = undefined;
  }

  /** The feedback contact reports the contacts at `target`. */
  private confirm(target: RelayState): void {
    this.confirmed = target;
    this.emit('state', target);
    this.commands.confirm(target);
  }
}
