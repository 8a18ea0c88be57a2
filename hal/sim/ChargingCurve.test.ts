import { describe, expect, it } from 'vitest';
import { acceptedFraction, checkCurve, DEFAULT_CHARGING_CURVE, msUntilSoc, powerAt, socAfter, type ChargeRegime } from './ChargingCurve.js';

const regime = (limitFraction = 1): ChargeRegime => ({
  curve: DEFAULT_CHARGING_CURVE,
  limitFraction,
  fullPowerW: 11_040,
  capacityWh: 60_000,
  efficiency: 0.9,
});

/** Explicit Euler in 100 ms steps: an independent, slow reference for the closed form. */
function euler(r: ChargeRegime, soc: number, ms: number): number {
  for (let t = 0; t < ms && soc < 1; t += 100) soc += (powerAt(r, soc) * r.efficiency * 100) / (r.capacityWh * 3_600_000);
  return Math.min(1, soc);
}

describe('ChargingCurve', () => {
  it('accepts full current up to the knee, then linearly less down to the floor at 100 %', () => {
    expect(acceptedFraction(DEFAULT_CHARGING_CURVE, 0)).toBe(1);
    expect(acceptedFraction(DEFAULT_CHARGING_CURVE, 0.8)).toBe(1);
    expect(acceptedFraction(DEFAULT_CHARGING_CURVE, 0.9)).toBeCloseTo(0.55, 12);
    expect(acceptedFraction(DEFAULT_CHARGING_CURVE, 1)).toBeCloseTo(0.1, 12);
  });

  it('draws the supply limit until the battery accepts less, and nothing when full', () => {
    expect(powerAt(regime(0.5), 0.85)).toBeCloseTo(5520, 9);
    expect(powerAt(regime(0.5), 0.95)).toBeCloseTo(11_040 * 0.325, 9);
    expect(powerAt(regime(), 1)).toBe(0);
  });

  it('matches step-by-step integration on the flat part, the taper and across the knee', () => {
    for (const [limit, soc, ms] of [[1, 0.2, 3_600_000], [1, 0.85, 1_800_000], [0.4, 0.7, 7_200_000], [1, 0.75, 7_200_000]] as const) {
      expect(socAfter(regime(limit), soc, ms)).toBeCloseTo(euler(regime(limit), soc, ms), 5);
    }
  });

  it('is additive: charging a then b equals charging a + b', () => {
    const r = regime(0.7);
    const split = socAfter(r, socAfter(r, 0.6, 2_000_000), 3_000_000);
    expect(split).toBeCloseTo(socAfter(r, 0.6, 5_000_000), 12);
  });

  it('msUntilSoc is the inverse of socAfter', () => {
    for (const [limit, from, to] of [[1, 0.2, 0.9], [0.3, 0.5, 0.99], [1, 0.9, 0.999999999], [0.05, 0.1, 0.9]] as const) {
      const ms = msUntilSoc(regime(limit), from, to);
      expect(socAfter(regime(limit), from, ms)).toBeCloseTo(to, 9);
    }
  });

  it('never tapers when the supply limit is below the floor', () => {
    const r = regime(0.05);
    const ms = msUntilSoc(r, 0.9, 1);
    expect(ms).toBeCloseTo((0.1 * 60_000 * 3_600_000) / (11_040 * 0.05 * 0.9), 0);
  });

  it('has no end without power, and does not move', () => {
    expect(msUntilSoc(regime(0), 0.5, 1)).toBe(Infinity);
    expect(socAfter(regime(0), 0.5, 3_600_000)).toBe(0.5);
  });

  it('rejects a curve without a floor or with a knee outside (0, 1)', () => {
    expect(() => checkCurve({ kneeSoc: 0.8, floorFraction: 0 })).toThrow(/floorFraction/);
    expect(() => checkCurve({ kneeSoc: 1, floorFraction: 0.1 })).toThrow(/kneeSoc/);
    expect(() => checkCurve(DEFAULT_CHARGING_CURVE)).not.toThrow();
  });
});
