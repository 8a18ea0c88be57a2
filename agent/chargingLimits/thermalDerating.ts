/**
 * Thermal derating: what an EVSE may offer as it warms up (a limit source of ./ChargingLimits.ts).
 *
 * Below `startC` it does not limit. From `startC` the offer falls linearly from the connector's
 * maximum to 6 A (the least a pilot offers) at `cutoffC`; at `cutoffC` and above it offers nothing
 * (SuspendedEVSE, the transaction goes on) until the EVSE has cooled {@link COOL_DOWN_C} below the
 * cut-off, so it does not switch on and off around one reading. The board's own over-temperature
 * protection stays as it is (HIGH_TEMPERATURE, a fault); derating acts before it.
 */
import { MIN_OFFER_A } from '../charging/connectorGuards.js';

export interface ThermalDerating {
  /** °C where derating begins. */
  readonly startC: number;
  /** °C where the EVSE stops offering power; above `startC`. */
  readonly cutoffC: number;
}

/** What a charger does unless told otherwise: derating from 60 °C, no power from 80 °C. */
export const DEFAULT_DERATING: ThermalDerating = Object.freeze({ startC: 60, cutoffC: 80 });

/** How far below the cut-off the EVSE must cool before it offers power again, °C. */
export const COOL_DOWN_C = 5;

/** The derating limit at `celsius`, A (undefined: none), and whether the EVSE is cut off now. */
export function thermalLimit(celsius: number, maxA: number, d: ThermalDerating, wasCutOff: boolean): { amps: number | undefined; cutOff: boolean } {
  const cutOff = celsius >= d.cutoffC || (wasCutOff && celsius > d.cutoffC - COOL_DOWN_C);
  if (cutOff) return { amps: 0, cutOff };
  if (celsius <= d.startC) return { amps: undefined, cutOff };
  const share = (celsius - d.startC) / (d.cutoffC - d.startC);
  return { amps: Math.max(MIN_OFFER_A, maxA - (maxA - MIN_OFFER_A) * share), cutOff };
}
