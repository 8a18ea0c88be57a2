import { EventEmitter } from 'node:events';
import { HalError, NO_FAULTS, type HalErrorCode } from '../errors.js';
import type { TemperatureEvents, TemperatureSensor } from '../index.js';

/**
 * Simulated temperature sensor of one EVSE. Implements the {@link TemperatureSensor} contract: the
 * device side sets the temperature ({@link set}), which is read at once and reported as a
 * `reading` (the simulated driver is always fresh). Fault injection: {@link disconnect} — reads
 * reject TEMPERATURE_UNAVAILABLE and nothing is known; {@link reconnect} reads again.
 */
export class SimTemperatureSensor extends EventEmitter<TemperatureEvents> implements TemperatureSensor {
  readonly id: string;
  private celsius: number;
  private lost = false;
  private released = false;

  constructor(options: { id: string; celsius?: number }) {
    super();
    this.id = options.id;
    this.celsius = options.celsius ?? 25;
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return NO_FAULTS;
  }

  /** The simulated driver is always fresh: the temperature now, unless the sensor is disconnected. */
  get lastCelsius(): number | undefined {
    return this.lost ? undefined : this.celsius;
  }

  read(): Promise<number> {
    if (this.released) return Promise.reject(new HalError('DEVICE_CLOSED', this.id));
    if (this.lost) return Promise.reject(new HalError('TEMPERATURE_UNAVAILABLE', this.id, 'sensor disconnected'));
    this.emit('reading', this.celsius);
    return Promise.resolve(this.celsius);
  }

  release(): Promise<void> {
    this.released = true;
    return Promise.resolve();
  }

  /** Device side: the enclosure is now at `celsius`. */
  set(celsius: number): void {
    if (!Number.isFinite(celsius)) throw new RangeError(`temperature must be a finite number of °C, got ${celsius}`);
    this.celsius = celsius;
    if (!this.lost && !this.released) this.emit('reading', this.celsius);
  }

  /** Device side: the sensor's wiring is cut. */
  disconnect(): void {
    this.lost = true;
  }

  /** Device side: the wiring is repaired. */
  reconnect(): void {
    this.lost = false;
    if (!this.released) this.emit('reading', this.celsius);
  }
}
