import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffWindow, equalJitterDelay, fullJitterDelay } from './backoff.js';

const W = { initialDelayMs: 1000, maxDelayMs: 30_000 };

describe('backoff', () => {
  it('doubles the window per attempt up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 60, 5000].map((n) => backoffWindow(n, W))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('full jitter spans the whole window, from 0 to its end', () => {
    expect(fullJitterDelay(3, W, () => 0)).toBe(0);
    expect(fullJitterDelay(3, W, () => 0.5)).toBe(4000);
    expect(fullJitterDelay(3, W, () => 1)).toBe(8000);
  });

  it('equal jitter never drops below half the window', () => {
    expect(equalJitterDelay(2, W, () => 0)).toBe(2000);
    expect(equalJitterDelay(2, W, () => 1)).toBe(4000);
  });

  it('stays within [0, window] whatever the random source returns (property)', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ noNaN: false }), (attempt, r) => {
        const w = backoffWindow(attempt, W);
        const full = fullJitterDelay(attempt, W, () => r);
        const equal = equalJitterDelay(attempt, W, () => r);
        expect(full).toBeGreaterThanOrEqual(0);
        expect(full).toBeLessThanOrEqual(w);
        expect(equal).toBeGreaterThanOrEqual(Math.floor(w / 2));
        expect(equal).toBeLessThanOrEqual(w);
      }),
    );
  });

  it('spreads a fleet that lost the CSMS at once over the window', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const delays = Array.from({ length: 10_000 }, () => fullJitterDelay(4, W, random));
    const firstSecond = delays.filter((d) => d < 1000).length;
    // Uniform over 16 s: about 1/16 of the chargers come back in any one second.
    expect(firstSecond).toBeGreaterThan(400);
    expect(firstSecond).toBeLessThan(850);
  });
});
