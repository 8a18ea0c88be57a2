/**
 * A cabinet door / tilt switch on a discrete input of a Modbus RTU relay board (the board that
 * drives the contactor has spare inputs), and a warning light or camera trigger on one of its
 * coils. Implement {@link TamperSensor} and {@link SignalOutput}.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../clock.js';
import type { HalErrorCode } from '../errors.js';
import { HalError } from '../errors.js';
import { FaultLatch } from '../FaultLatch.js';
import type { SignalOutput, TamperEvents, TamperSensor } from '../index.js';
import type { ModbusBus } from './modbus/ModbusBus.js';

export interface ModbusTamperInputOptions {
  /** Device name, e.g. `tamper:0`. */
  id: string;
  clock: Clock;
  bus: ModbusBus;
  /** Modbus address of the board, 1..247. */
  address: number;
  /** The discrete input the switch is wired to. */
  input: number;
  /**
   * Input level meaning "tampered". Default `off`: a normally-closed switch holds the input on
   * while the door is shut, so an opened door *and* a cut wire read as tampering.
   */
  activeWhen?: 'on' | 'off';
  /** Clock time between polls, ms (default 200). */
  pollIntervalMs?: number;
  /** Equal readings in a row before a change is confirmed (default 2: one bounce is ignored). */
  debouncePolls?: number;
  /** Unanswered polls in a row before TAMPER_SENSOR_LOST (default 3). */
  missedPollsForFault?: number;
}

/**
 * Polls the input on the clock. A change is confirmed after `debouncePolls` equal readings and
 * emitted once; the first confirmed reading after start is emitted only when it is "tampered".
 * Unanswered polls raise TAMPER_SENSOR_LOST (the last confirmed state is kept), cleared by the
 * next answer.
 */
export class ModbusTamperInput extends EventEmitter<TamperEvents> implements TamperSensor {
  readonly id: string;
  private readonly o: Required<Omit<ModbusTamperInputOptions, 'id' | 'clock' | 'bus'>> & Pick<ModbusTamperInputOptions, 'clock' | 'bus'>;
  private readonly faults: FaultLatch;
  private confirmed = false;
  private candidate: boolean | undefined;
  private seen = 0;
  private misses = 0;
  private timer: TimerId | undefined;
  private released = false;

  constructor(options: ModbusTamperInputOptions) {
    super();
    const { id, address } = options;
    if (!Number.isInteger(address) || address < 1 || address > 247) throw new RangeError(`${id}: Modbus address must be 1..247 (got ${address})`);
    this.id = id;
    this.o = { activeWhen: 'off', pollIntervalMs: 200, debouncePolls: 2, missedPollsForFault: 3, ...options };
    this.faults = new FaultLatch(id, this);
    this.o.bus.retain();
    this.schedule();
  }

  get active(): boolean {
    return this.confirmed;
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.o.clock.clearTimeout(this.timer);
    await this.o.bus.release();
  }

  private schedule(): void {
    if (this.released) return;
    this.timer = this.o.clock.setTimeout(() => void this.poll().finally(() => this.schedule()), this.o.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    let level: boolean;
    try {
      [level = false] = await this.o.bus.readBits(this.o.address, 2, this.o.input, 1);
    } catch (err) {
      if (this.released) return;
      if (++this.misses >= this.o.missedPollsForFault) this.faults.raise('TAMPER_SENSOR_LOST', err instanceof HalError ? err.code : `${this.misses} polls unanswered`);
      return;
    }
    if (this.released) return;
    this.misses = 0;
    this.faults.clear('TAMPER_SENSOR_LOST');
    const tampered = level === (this.o.activeWhen === 'on');
    if (tampered !== this.candidate) {
      this.candidate = tampered;
      this.seen = 0;
    }
    if (++this.seen < this.o.debouncePolls || tampered === this.confirmed) return;
    this.confirmed = tampered;
    this.emit('tamper', tampered);
  }
}

/** A coil of a Modbus relay board as a site output (warning light, camera trigger); read back after each write. */
export class ModbusCoilOutput implements SignalOutput {
  readonly activeFaults: ReadonlySet<HalErrorCode> = new Set();
  private value = false;

  constructor(
    readonly id: string,
    private readonly bus: ModbusBus,
    private readonly address: number,
    private readonly coil: number,
  ) {
    bus.retain();
  }

  get on(): boolean {
    return this.value;
  }

  async set(on: boolean): Promise<void> {
    await this.bus.writeCoil(this.address, this.coil, on);
    const [read] = await this.bus.readBits(this.address, 1, this.coil, 1);
    if (read !== on) throw new HalError('FRAME_ERROR', this.id, `coil ${this.coil} reads ${String(read)} after writing ${String(on)}`);
    this.value = on;
  }

  release(): Promise<void> {
    return this.bus.release();
  }
}
