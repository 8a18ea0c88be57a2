import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { HalError, type HalErrorCode } from '../errors.js';
import type { EnergyMeter, MeterEvents, MeterReading } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';
import type { MeterSource } from './MeterSource.js';

export interface SimMeterOptions {
  /** Device name used in errors and logs, e.g. `meter:1`. */
  id: string;
  clock: Clock;
  /** Phases wired through the meter. */
  phases: 1 | 3;
  /** Nominal line-to-neutral voltage, V (default 230). */
  voltageV?: number;
  /** Supply frequency, Hz (default 50). */
  frequencyHz?: number;
  /** Import register at start, Wh (default 0; real meters rarely start at zero). */
  initialEnergyWh?: number;
  /** What flows through the meter; without one the meter measures nothing (0 W). */
  source?: MeterSource;
}

/**
 * Simulated energy meter. Implements the {@link EnergyMeter} contract: `read()` returns one
 * consistent snapshot — currents are derived from power and voltage, so
 * `powerW = Σ voltageV[i]·currentA[i]` — and the import register never decreases.
 *
 * The register keeps counting inside the meter while it does not answer: every sample, failed
 * or not, books the energy its {@link MeterSource} reports. `read()` never waits on the clock.
 *
 * Fault injection (device side):
 * - {@link stopAnswering}: `read()` rejects with METER_TIMEOUT at once (no virtual time is
 *   spent waiting), `fault` is emitted on the first failure only.
 * - {@link returnInvalid}: `read()` rejects with METER_INVALID (implausible values), same rule.
 * - {@link answerAgain}: removes both; the next `read()` succeeds and emits `faultCleared` for
 *   each fault that was active, then `reading`.
 */
export class SimMeter extends EventEmitter<MeterEvents> implements EnergyMeter {
  readonly id: string;
  readonly phases: 1 | 3;
  readonly voltageV: number;
  readonly frequencyHz: number;
  private readonly clock: Clock;
  private readonly source: MeterSource | undefined;
  private readonly faults: FaultLatch;
  private energyWh: number;
  private last: MeterReading | undefined;
  private silent = false;
  private invalid = false;
  private closed = false;

  constructor(options: SimMeterOptions) {
    super();
    const { id, clock, phases, voltageV = 230, frequencyHz = 50, initialEnergyWh = 0, source } = options;
    if (phases !== 1 && phases !== 3) throw new RangeError(`${id}: phases must be 1 or 3 (got ${String(phases)})`);
    if (!(voltageV > 0) || !Number.isFinite(voltageV)) throw new RangeError(`${id}: voltageV must be > 0 (got ${voltageV})`);
    if (!(frequencyHz > 0) || !Number.isFinite(frequencyHz)) throw new RangeError(`${id}: frequencyHz must be > 0 (got ${frequencyHz})`);
    if (!(initialEnergyWh >= 0) || !Number.isFinite(initialEnergyWh)) {
      throw new RangeError(`${id}: initialEnergyWh must be >= 0 (got ${initialEnergyWh})`);
    }
    this.id = id;
    this.clock = clock;
    this.phases = phases;
    this.voltageV = voltageV;
    this.frequencyHz = frequencyHz;
    this.energyWh = initialEnergyWh;
    this.source = source;
    this.faults = new FaultLatch(id, this);
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  get lastReading(): MeterReading | undefined {
    return this.last;
  }

  /**
   * The import register now, Wh, as the meter's own non-volatile memory holds it: books the flow
   * up to the clock but emits nothing, raises no fault and answers even while the meter does not
   * (what a persisted simulation saves, see bin/simState.ts).
   */
  get registerWh(): number {
    if (!this.closed && this.source) this.energyWh += this.source.take(this.clock.now()).energyWh;
    return this.energyWh;
  }

  async read(): Promise<MeterReading> {
    if (this.closed) throw new HalError('DEVICE_CLOSED', this.id);
    const now = this.clock.now();
    const flow = this.source?.take(now) ?? { energyWh: 0, powerW: 0, phasesUsed: 1 };
    if (!(flow.energyWh >= 0) || !(flow.powerW >= 0)) {
      throw new RangeError(`${this.id}: meter source reported negative energy or power`);
    }
    this.energyWh += flow.energyWh;
    if (this.silent) throw this.faults.raise('METER_TIMEOUT', 'no answer');
    if (this.invalid) throw this.faults.raise('METER_INVALID', 'implausible register values');
    this.faults.clear('METER_TIMEOUT');
    this.faults.clear('METER_INVALID');
    const reading = this.snapshot(now, flow.powerW, flow.phasesUsed);
    this.last = reading;
    this.emit('reading', reading);
    return reading;
  }

  release(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Device side: the meter stops answering (bus cut, meter off). */
  stopAnswering(): void {
    this.silent = true;
  }

  /** Device side: the meter answers with implausible values. */
  returnInvalid(): void {
    this.invalid = true;
  }

  /** Device side: the meter answers correctly again (the next read clears the faults). */
  answerAgain(): void {
    this.silent = false;
    this.invalid = false;
  }

  private snapshot(timestamp: number, powerW: number, phasesUsed: number): MeterReading {
    const used = Math.max(1, Math.min(phasesUsed, this.phases));
    const perPhaseA = powerW / (this.voltageV * used);
    // Made at their length, not pushed to (room for 17 numbers each otherwise: the last reading is kept, ≈ 220 B per meter).
    const currentA = Array.from({ length: this.phases }, (_, i) => (i < used ? perPhaseA : 0));
    const voltageV = Array.from({ length: this.phases }, () => this.voltageV);
    return { timestamp, energyWh: this.energyWh, powerW, currentA, voltageV, frequencyHz: this.frequencyHz };
  }
}
