import { describe, expect, it } from 'vitest';
import { meterPayload, roundTo } from './meterPayload.js';

describe('meter payload', () => {
  it('rounds energy to 0.1 Wh, power to 1 W, current to 0.01 A, voltage to 0.1 V, frequency to 0.01 Hz', () => {
    const payload = meterPayload({ timestamp: Date.UTC(2026, 0, 1), energyWh: 25.702500000002185, powerW: 11039.999999999998, currentA: [15.999999999999998, 16.004, 0], voltageV: [229.96, 230.04, 230], frequencyHz: 49.996 });
    expect(payload).toEqual({ energyWh: 25.7, powerW: 11040, currentA: [16, 16, 0], voltageV: [230, 230, 230], frequencyHz: 50, ts: '2026-01-01T00:00:00.000Z' });
    expect(JSON.stringify(payload)).toBe('{"energyWh":25.7,"powerW":11040,"currentA":[16,16,0],"voltageV":[230,230,230],"frequencyHz":50,"ts":"2026-01-01T00:00:00.000Z"}');
  });

  it('carries the EVSE temperature to 0.1 °C where a sensor has one, and nothing where not', () => {
    const r = { timestamp: Date.UTC(2026, 0, 1), energyWh: 1, powerW: 0, currentA: [0], voltageV: [230], frequencyHz: 50 };
    expect(meterPayload(r, 41.26).temperatureC).toBe(41.3);
    expect(meterPayload(r, -0.04).temperatureC).toBe(0);
    expect(meterPayload(r)).not.toHaveProperty('temperatureC');
  });

  it('rounds half away from zero and never gives -0', () => {
    expect(roundTo(0.05, 1)).toBe(0.1);
    expect(roundTo(-1.5, 0)).toBe(-2);
    expect(Object.is(roundTo(-0.04, 1), 0)).toBe(true);
    expect(String(roundTo(1234567.891, 1))).toBe('1234567.9');
  });
});
