import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_BACKOFF_MS, backoffWindow, equalJitterDelay, retryBackOffDelay } from './backoff.js';

const W = { initialDelayMs: 1000, maxDelayMs: 30_000 };
const SPEC = { waitMinimumS: 3, randomRangeS: 10, repeatTimes: 3 };

describe('backoff window (boot retries)', () => {
  it('doubles the window per attempt up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 60, 5000].map((n) => backoffWindow(n, W))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('equal jitter never drops below half the window', () => {
    expect(equalJitterDelay(2, W, () => 0)).toBe(2000);
    expect(equalJitterDelay(2, W, () => 1)).toBe(4000);
  });

  it('equal jitter stays within [window/2, window] whatever the random source returns (property)', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ noNaN: false }), (attempt, r) => {
        const w = backoffWindow(attempt, W);
        const equal = equalJitterDelay(attempt, W, () => r);
        expect(equal).toBeGreaterThanOrEqual(Math.floor(w / 2));
        expect(equal).toBeLessThanOrEqual(w);
      }),
    );
  });
});

describe('retryBackOffDelay (OCPPCommCtrlr RetryBackOff*)', () => {
  it('first wait is RetryBackOffWaitMinimum plus the random part; the wait doubles RepeatTimes times, then stays', () => {
    expect([0, 1, 2, 3, 4, 50].map((n) => retryBackOffDelay(n, SPEC, () => 0))).toEqual([3000, 6000, 12_000, 24_000, 24_000, 24_000]);
    expect([0, 1, 3, 4].map((n) => retryBackOffDelay(n, SPEC, () => 1))).toEqual([13_000, 16_000, 34_000, 34_000]);
    expect(retryBackOffDelay(0, SPEC, () => 0.5)).toBe(8000);
    expect(retryBackOffDelay(5, { waitMinimumS: 0, randomRangeS: 0, repeatTimes: 0 }, () => 1)).toBe(0);
  });

  it('stays within [WaitMinimum·2^min(n,RepeatTimes), that + RandomRange] and a day, whatever the inputs (property)', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(3600), fc.nat(3600), fc.nat(20), fc.double({ noNaN: false }), (attempt, waitMinimumS, randomRangeS, repeatTimes, r) => {
        const d = retryBackOffDelay(attempt, { waitMinimumS, randomRangeS, repeatTimes }, () => r);
        const base = waitMinimumS * 1000 * 2 ** Math.min(attempt, repeatTimes);
        expect(d).toBeGreaterThanOrEqual(Math.min(base, MAX_RETRY_BACKOFF_MS));
        expect(d).toBeLessThanOrEqual(Math.min(base + randomRangeS * 1000, MAX_RETRY_BACKOFF_MS));
      }),
    );
  });

  it('spreads a fleet that lost the CSMS at once over RandomRange after WaitMinimum (seeded)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const delays = Array.from({ length: 10_000 }, () => retryBackOffDelay(0, SPEC, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(3000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(13_000);
    const firstSecond = delays.filter((d) => d < 4000).length;
    // Uniform over 10 s: about 1/10 of the chargers come back in any one second.
    expect(firstSecond).toBeGreaterThan(800);
    expect(firstSecond).toBeLessThan(1200);
  });
});
