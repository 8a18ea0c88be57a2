/**
 * Measures the energy a connector delivers against an allowance (MaxEnergyOnInvalidId) and says
 * when it is spent. No polling interval: the next look is when the remaining energy would be
 * spent at the power just read (between 1 and 30 s). A meter that does not answer counts as spent:
 * when in doubt, no more power.
 */
import type { Clock, EnergyMeter, MeterReading, TimerId } from '../../hal/index.js';

const MIN_LOOK_MS = 1000;
const MAX_LOOK_MS = 30_000;

export class EnergyAllowance {
  private untilWh: number | undefined;
  private timer: TimerId | undefined;
  private ended = false;

  /** Starts watching `wh` from the meter's register now; `spent` is called once. */
  constructor(
    private readonly meter: EnergyMeter,
    private readonly clock: Clock,
    wh: number,
    private readonly spent: () => void,
  ) {
    this.look((reading) => (this.untilWh = reading.energyWh + wh));
  }

  /** Stops watching (the transaction ended); `spent` is not called any more. */
  cancel(): void {
    this.ended = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private look(first?: (reading: MeterReading) => void): void {
    this.meter.read().then(
      (reading) => {
        if (this.ended) return;
        first?.(reading);
        const remainingWh = (this.untilWh ?? 0) - reading.energyWh;
        if (remainingWh <= 0) return this.end();
        const ms = (remainingWh / Math.max(reading.powerW, 1)) * 3_600_000;
        this.timer = this.clock.setTimeout(() => this.look(), Math.min(MAX_LOOK_MS, Math.max(MIN_LOOK_MS, Math.ceil(ms))));
      },
      () => {
        if (!this.ended) this.end();
      },
    );
  }

  private end(): void {
    this.cancel();
    this.spent();
  }
}
