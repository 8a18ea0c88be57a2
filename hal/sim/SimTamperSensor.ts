import { EventEmitter } from 'node:events';
import type { HalErrorCode } from '../errors.js';
import type { SignalOutput, TamperEvents, TamperSensor } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';

/**
 * Simulated cabinet door / tilt switch. Implements the {@link TamperSensor} contract: {@link open}
 * and {@link shut} change the confirmed state at once and emit `tamper` when it changes.
 * Fault injection: {@link disconnect} — TAMPER_SENSOR_LOST, the last state kept; {@link reconnect}
 * clears it (and reports a change that happened meanwhile).
 */
export class SimTamperSensor extends EventEmitter<TamperEvents> implements TamperSensor {
  readonly id: string;
  private readonly faults: FaultLatch;
  private confirmed = false;
  private actual = false;
  private lost = false;

  constructor(options: { id: string }) {
    super();
    this.id = options.id;
    this.faults = new FaultLatch(this.id, this);
  }

  get active(): boolean {
    return this.confirmed;
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  /** Device side: the cabinet door is opened (or the charger tilted). */
  open(): void {
    this.actual = true;
    this.observe();
  }

  /** Device side: the door is shut again. */
  shut(): void {
    this.actual = false;
    this.observe();
  }

  /** Device side: the switch's wiring is cut. */
  disconnect(): void {
    this.lost = true;
    this.faults.raise('TAMPER_SENSOR_LOST', 'input not readable');
  }

  /** Device side: the wiring is repaired. */
  reconnect(): void {
    this.lost = false;
    this.faults.clear('TAMPER_SENSOR_LOST');
    this.observe();
  }

  private observe(): void {
    if (this.lost || this.actual === this.confirmed) return;
    this.confirmed = this.actual;
    this.emit('tamper', this.confirmed);
  }
}

/** Simulated site output (warning light, camera trigger): records what it was set to. */
export class SimSignalOutput implements SignalOutput {
  readonly activeFaults: ReadonlySet<HalErrorCode> = new Set();
  /** Every value written, in order. */
  readonly writes: boolean[] = [];
  private value = false;

  constructor(readonly id: string) {}

  get on(): boolean {
    return this.value;
  }

  set(on: boolean): Promise<void> {
    this.writes.push(on);
    this.value = on;
    return Promise.resolve();
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}
