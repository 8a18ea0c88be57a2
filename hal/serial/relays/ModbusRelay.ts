/**
 * A power contactor driven through a Modbus RTU relay board: one coil switches the contactor,
 * one discrete input reads its mirror (auxiliary) contact. Implements the {@link Relay} contract.
 */
import type { Clock, TimerId } from '../../clock.js';
import { HalError } from '../../errors.js';
import type { RelayState } from '../../index.js';
import { FaultLatch } from '../../FaultLatch.js';
import { CommandedRelay, ContactorCommands } from '../../ContactorCommands.js';
import type { ModbusBus } from '../modbus/ModbusBus.js';

export interface ModbusRelayOptions {
  /** Device name, e.g. `relay:1`. */
  id: string;
  clock: Clock;
  /** The bus the board hangs on (may be shared with the meter). */
  bus: ModbusBus;
  /** Modbus slave address of the board, 1..247 (default 2). */
  address?: number;
  /** Coil that drives the contactor (default 0). */
  coil?: number;
  /** Discrete input wired to the contactor's mirror contact, on = closed (default 0). */
  feedbackInput?: number;
  /**
   * Optional discrete input wired to the contactor driver's "ready" output (on = drive healthy).
   * Without it a RELAY_STUCK fault cannot be seen to clear and stays until a new device is made.
   */
  readyInput?: number;
  /** Confirmation deadline, ms of clock time (default 500). */
  deadlineMs?: number;
  /** Clock time between feedback polls, ms (default 50). */
  pollIntervalMs?: number;
  /** Consecutive unanswered polls before RELAY_FEEDBACK_LOST (default 3). */
  missedPollsForFault?: number;
  /** How long the board may take to answer one request, ms (default: the bus's). */
  responseTimeoutMs?: number;
}

/**
 * Modbus relay-board contactor.
 *
 * - `close()` writes the coil on and polls the feedback input on the clock; feedback closed
 *   within `deadlineMs` resolves (after the `state` event). Otherwise the coil is written off
 *   again, RELAY_STUCK is raised and `close()` rejects ({@link ContactorCommands}).
 * - At start the coil is written off (the safe state is commanded, not assumed: a board keeps its
 *   coil across a restart of the agent), confirmed like any `open()`.
 * - `open()` writes the coil off; feedback still closed at the deadline → RELAY_WELDED
 *   (not recoverable). Feedback reading closed later while commanded open (someone else drove the
 *   coil, a shorted driver) → UNCOMMANDED_POWER and the coil is written off again at once; the
 *   fault clears when the feedback reads open, and becomes RELAY_WELDED if it does not.
 * - The feedback is polled all the time (every `pollIntervalMs`); `missedPollsForFault`
 *   unanswered polls in a row → RELAY_FEEDBACK_LOST, cleared by the next answer. The bus losing
 *   its port → PORT_LOST until it is reopened.
 * - RELAY_STUCK clears when the `readyInput` is seen going from off to on after the fault.
 */
export class ModbusRelay extends CommandedRelay {
  readonly id: string;
  readonly deadlineMs: number;
  readonly address: number;
  /** Feedback polls sent, unanswered polls. */
  readonly stats = { polls: 0, missed: 0 };
  private readonly clock: Clock;
  private readonly bus: ModbusBus;
  private readonly coil: number;
  private readonly feedbackInput: number;
  private readonly readyInput: number | undefined;
  private readonly pollIntervalMs: number;
  private readonly missedPollsForFault: number;
  private readonly responseTimeoutMs: number | undefined;
  protected readonly faults: FaultLatch;
  protected readonly commands: ContactorCommands;
  private commanded: RelayState = 'open';
  private pollTimer: TimerId | undefined;
  private polling = false;
  private misses = 0;
  private readySeenOff = false;
  private released = false;
  private readonly onLost = (error: HalError): void => {
    const fault = this.faults.raise('PORT_LOST', error.message);
    // No reading can decide a command past its deadline now: it fails with the reason.
    if (this.commands.overdue) this.commands.finish(fault);
  };
  /**
   * The board kept its coil as it was when the line went, and an open() that failed meanwhile
   * must still open the contactor: command the last commanded state again (with its deadline),
   * then clear PORT_LOST.
   */
  private readonly onRestored = (): void => {
    this.commands
      .run(this.commanded, () => true)
      .catch(() => undefined)
      .finally(() => this.faults.clear('PORT_LOST'));
  };

  constructor(options: ModbusRelayOptions) {
    super();
    const { id, clock, bus, address = 2, coil = 0, feedbackInput = 0, readyInput, deadlineMs = 500, pollIntervalMs = 50, missedPollsForFault = 3 } = options;
    if (!Number.isInteger(address) || address < 1 || address > 247) throw new RangeError(`${id}: Modbus address must be 1..247 (got ${address})`);
    if (!(deadlineMs > 0)) throw new RangeError(`${id}: deadlineMs must be > 0 (got ${deadlineMs})`);
    if (!(pollIntervalMs > 0 && pollIntervalMs < deadlineMs)) throw new RangeError(`${id}: pollIntervalMs must be > 0 and below deadlineMs`);
    this.id = id;
    this.clock = clock;
    this.bus = bus.retain();
    this.address = address;
    this.coil = coil;
    this.feedbackInput = feedbackInput;
    this.readyInput = readyInput;
    this.deadlineMs = deadlineMs;
    this.pollIntervalMs = pollIntervalMs;
    this.missedPollsForFault = missedPollsForFault;
    this.responseTimeoutMs = options.responseTimeoutMs;
    this.faults = new FaultLatch(id, (e) => this.emit('fault', e), (c) => this.emit('faultCleared', c));
    this.commands = new ContactorCommands({ id, clock, faults: this.faults, deadlineMs, send: (target) => this.writeCoil(target), withdraw: () => this.withdraw(), openCommand: 'open', readBack: true });
    bus.on('lost', this.onLost);
    bus.on('restored', this.onRestored);
    if (bus.state === 'lost') this.faults.raise('PORT_LOST');
    this.commands.run('open', () => true).catch(() => undefined);
    this.schedulePoll();
  }

  /** The coil as written counts too: a board may confirm a position it was not told to hold. */
  protected override needs(target: RelayState): boolean {
    return this.confirmed !== target || this.commanded !== target;
  }

  /** Stops polling, rejects a pending command with DEVICE_CLOSED, releases the bus. Leaves the coil as it is. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.clock.clearTimeout(this.pollTimer);
    this.commands.release();
    this.bus.off('lost', this.onLost);
    this.bus.off('restored', this.onRestored);
    await this.bus.release();
  }

  private async writeCoil(target: RelayState): Promise<void> {
    this.commanded = target;
    try {
      await this.bus.writeCoil(this.address, this.coil, target === 'closed', this.responseTimeoutMs);
    } catch (err) {
      throw this.writeFailure(err);
    }
  }

  /** A close not confirmed: the coil is written off again; RELAY_STUCK clears once `readyInput` goes off and on. */
  private withdraw(): Promise<unknown> {
    this.commanded = 'open';
    this.readySeenOff = false;
    return this.bus.writeCoil(this.address, this.coil, false, this.responseTimeoutMs);
  }

  private writeFailure(err: unknown): HalError {
    if (this.released) return new HalError('DEVICE_CLOSED', this.id);
    if (err instanceof HalError) return err.code === 'PORT_LOST' ? new HalError('PORT_LOST', this.id, err.message) : err;
    return this.faults.raise('RELAY_FEEDBACK_LOST', `coil write failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  private schedulePoll(): void {
    if (this.released || this.polling) return;
    this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = undefined;
      this.polling = true;
      void this.poll().finally(() => {
        this.polling = false;
        this.schedulePoll();
      });
    }, this.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    const count = Math.max(this.feedbackInput, this.readyInput ?? 0) + 1;
    let bits: boolean[];
    const mark = this.commands.mark;
    this.stats.polls++;
    try {
      bits = await this.bus.readBits(this.address, 2, 0, count, this.responseTimeoutMs);
    } catch (err) {
      // A poll that could not be sent (port away: PORT_LOST is raised already) is no missed answer.
      if (this.released || err instanceof HalError) return;
      this.stats.missed++;
      if (++this.misses < this.missedPollsForFault) return;
      const fault = this.faults.raise('RELAY_FEEDBACK_LOST', `${this.misses} polls unanswered`);
      // A command past its deadline cannot be confirmed nor found failed without the feedback.
      if (this.commands.overdue) this.commands.finish(fault);
      return;
    }
    if (this.released) return;
    this.misses = 0;
    this.faults.clear('RELAY_FEEDBACK_LOST');
    this.observe(bits[this.feedbackInput] ? 'closed' : 'open', this.readyInput === undefined ? undefined : bits[this.readyInput] === true, mark);
  }

  /** `mark`: the commands' reading mark when this reading was started. */
  private observe(feedback: RelayState, ready: boolean | undefined, mark: number): void {
    if (feedback !== this.confirmed) {
      this.confirmed = feedback;
      this.emit('state', feedback);
    }
    const pending = this.commands.pendingTarget;
    // Before the ready input: a close this reading finds stuck is withdrawn here, and the ready
    // input this reading shows off then already counts for clearing RELAY_STUCK.
    this.commands.reading(feedback, mark);
    if (ready === false) this.readySeenOff = true;
    else if (ready === true && this.readySeenOff && this.faults.active.has('RELAY_STUCK')) this.faults.clear('RELAY_STUCK');
    if (this.commanded !== 'open') return;
    if (feedback === 'open') return this.faults.clear('UNCOMMANDED_POWER');
    // Closed while commanded open, nothing under way: open it again now. Contacts known to be
    // welded are reported as such already, and writing the coil again would not help them.
    if (pending || this.faults.active.has('RELAY_WELDED')) return;
    this.faults.raise('UNCOMMANDED_POWER', 'feedback reports closed while commanded open');
    this.commands.run('open', () => true).catch(() => undefined);
  }
}
