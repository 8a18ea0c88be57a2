/**
 * The `triggerMeterValue` of a RunningCost (OCA California Pricing): when the charger sends a
 * meter value besides its regular samples, so the CSMS can price what changed — at a time, once
 * the session has used an amount of energy, when the power crosses a level (either way; with a
 * hysteresis of 5 % of the level, at least 50 W, so a power hovering around it does not send a
 * stream of values), or when the connector enters one of the listed statuses. Each RunningCost
 * replaces the triggers of the one before. Decides only; the caller sends (TransactionManager's
 * triggered MeterValues, journaled like every transaction message).
 */
import type { Clock, TimerId } from '../../hal/index.js';
import type { RunningCost } from './runningCost.js';

type Triggers = NonNullable<RunningCost['triggerMeterValue']>;

export class MeterTriggers {
  private triggers: Triggers | undefined;
  private timer: TimerId | undefined;
  private energyDone = false;
  /** Which side of the power level the last reading was on (undefined: none yet). */
  private above: boolean | undefined;

  constructor(
    private readonly clock: Clock,
    /** Sends a meter value now. */
    private readonly fire: (why: 'atTime' | 'atEnergykWh' | 'atPowerkW' | 'atCPStatus') => void,
  ) {}

  /**
   * The triggers of the newest RunningCost (undefined: none). An energy level already reached is
   * not reached again when the next RunningCost repeats it (its meter value would bring the same
   * RunningCost back: a loop), and the side of an unchanged power level is kept.
   */
  set(triggers: Triggers | undefined): void {
    const energyDone = this.energyDone && triggers?.atEnergykWh === this.triggers?.atEnergykWh;
    const above = triggers?.atPowerkW === this.triggers?.atPowerkW ? this.above : undefined;
    this.clear();
    this.triggers = triggers;
    this.energyDone = energyDone;
    this.above = above;
    if (triggers?.atTime !== undefined) {
      const at = Date.parse(triggers.atTime);
      if (at > this.clock.now()) this.timer = this.clock.setTimeout(() => this.fire('atTime'), at - this.clock.now());
    }
  }

  /** A reading: energy used in the session so far (Wh), power now (W). */
  reading(sessionWh: number, powerW: number): void {
    const t = this.triggers;
    if (!t) return;
    if (t.atEnergykWh !== undefined && !this.energyDone && sessionWh >= t.atEnergykWh * 1000) {
      this.energyDone = true;
      this.fire('atEnergykWh');
    }
    if (t.atPowerkW !== undefined) {
      const level = t.atPowerkW * 1000;
      const band = Math.max(50, level * 0.05);
      const side = powerW >= level + band ? true : powerW <= level - band ? false : this.above;
      const crossed = this.above !== undefined && side !== undefined && side !== this.above;
      // State first: sending reads the meter, whose reading may come back here at once.
      this.above = side ?? this.above;
      if (crossed) this.fire('atPowerkW');
    }
  }

  /** The connector's OCPP status changed. */
  status(status: string): void {
    if (this.triggers?.atCPStatus?.includes(status)) this.fire('atCPStatus');
  }

  clear(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.triggers = undefined;
    this.energyDone = false;
    this.above = undefined;
  }
}
