import { describe, expect, it } from 'vitest';
import { COOL_DOWN_C, thermalLimit } from './thermalDerating.js';

const D = { startC: 60, cutoffC: 80 };

describe('thermalLimit', () => {
  it('does not limit up to the start, then falls linearly from the maximum to 6 A at the cut-off', () => {
    expect(thermalLimit(25, 32, D, false)).toEqual({ amps: undefined, cutOff: false });
    expect(thermalLimit(60, 32, D, false)).toEqual({ amps: undefined, cutOff: false });
    expect(thermalLimit(70, 32, D, false)).toEqual({ amps: 19, cutOff: false });
    expect(thermalLimit(75, 32, D, false).amps).toBeCloseTo(12.5);
    expect(thermalLimit(79.99, 32, D, false).amps).toBeCloseTo(6, 1);
  });

  it('at the cut-off nothing, until the EVSE has cooled below the cut-off by the cool-down', () => {
    expect(thermalLimit(80, 32, D, false)).toEqual({ amps: 0, cutOff: true });
    expect(thermalLimit(78, 32, D, true)).toEqual({ amps: 0, cutOff: true });
    expect(thermalLimit(80 - COOL_DOWN_C, 32, D, true).cutOff).toBe(false);
    expect(thermalLimit(74, 32, D, true).amps).toBeCloseTo(13.8, 1);
    expect(thermalLimit(78, 32, D, false).cutOff).toBe(false);
  });
});
