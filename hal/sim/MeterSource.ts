import type { Clock } from '../clock.js';

/** What flows through a simulated meter since it last looked, and what flows now. */
export interface MeterFlow {
  /** Energy that flowed since the previous {@link MeterSource.take}, Wh (>= 0). */
  energyWh: number;
  /** Total active power flowing now, W (>= 0: the simulated meters count import only). */
  powerW: number;
  /** How many phase conductors carry that power (L1, L1–L2 or L1–L3). */
  phasesUsed: number;
}

/**
 * The physics behind a {@link SimMeter}: the meter asks it on every sample. A source owns the
 * integration, so the energy register follows the physics exactly (a connector with a tapering
 * EV integrates analytically; a {@link ConstantLoad} integrates a constant power).
 */
export interface MeterSource {
  take(now: number): MeterFlow;
}

/**
 * A piecewise-constant load: the power set with {@link setPower} flows until it is changed.
 * Used to test a meter on its own (the contract harness's `setPower`).
 */
export class ConstantLoad implements MeterSource {
  private powerW = 0;
  private phasesUsed = 1;
  private since: number;
  private pendingWh = 0;

  constructor(private readonly clock: Clock) {
    this.since = clock.now();
  }

  /** From now on `powerW` flows over `phasesUsed` phases; energy so far is booked at the old power. */
  setPower(powerW: number, phasesUsed = 1): void {
    if (!(powerW >= 0) || !Number.isFinite(powerW)) throw new RangeError(`power must be a finite number >= 0 W (got ${powerW})`);
    if (![1, 2, 3].includes(phasesUsed)) throw new RangeError(`phasesUsed must be 1, 2 or 3 (got ${phasesUsed})`);
    this.book(this.clock.now());
    this.powerW = powerW;
    this.phasesUsed = phasesUsed;
  }

  take(now: number): MeterFlow {
    this.book(now);
    const energyWh = this.pendingWh;
    this.pendingWh = 0;
    return { energyWh, powerW: this.powerW, phasesUsed: this.phasesUsed };
  }

  private book(now: number): void {
    if (now > this.since) this.pendingWh += (this.powerW * (now - this.since)) / 3_600_000;
    this.since = Math.max(this.since, now);
  }
}
