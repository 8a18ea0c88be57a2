/**
 * The `connector/<n>/meter` payload of a reading, rounded to the precision docs/mqtt.md states:
 * a meter's float registers and the simulation's integration give values like
 * 25.702500000002185 Wh, which say nothing more than 25.7 and only make dashboards noisy.
 */
import type { MeterReading } from '../../hal/index.js';
import type { MeterPayload } from './topics.js';

/** Decimal places of each published meter value. */
export const METER_DECIMALS = { energyWh: 1, powerW: 0, currentA: 2, voltageV: 1, frequencyHz: 2, temperatureC: 1 } as const;

/** `value` rounded half away from zero to `decimals` places (no -0). */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * f)) / f;
  return rounded === 0 ? 0 : rounded;
}

/** The payload of a reading, with the EVSE's temperature beside it where a sensor has one (°C). */
export function meterPayload(r: MeterReading, temperatureC?: number): MeterPayload {
  const d = METER_DECIMALS;
  return {
    energyWh: roundTo(r.energyWh, d.energyWh),
    powerW: roundTo(r.powerW, d.powerW),
    currentA: r.currentA.map((a) => roundTo(a, d.currentA)),
    voltageV: r.voltageV.map((v) => roundTo(v, d.voltageV)),
    frequencyHz: roundTo(r.frequencyHz, d.frequencyHz),
    ...(temperatureC !== undefined && { temperatureC: roundTo(temperatureC, d.temperatureC) }),
    ts: new Date(r.timestamp).toISOString(),
  };
}
