import { describe, expect, it } from 'vitest';
import { autoThreads, CHARGERS_PER_THREAD } from './fleetHeap.js';

describe('autoThreads (--threads auto)', () => {
  it('gives one thread per 10,000 chargers, at least one, at most one per core', () => {
    expect(CHARGERS_PER_THREAD).toBe(10_000);
    expect(autoThreads(1, 8)).toBe(1);
    expect(autoThreads(10_000, 2)).toBe(1);
    expect(autoThreads(10_001, 2)).toBe(2);
    expect(autoThreads(20_000, 2)).toBe(2);
    expect(autoThreads(50_000, 2)).toBe(2);
    expect(autoThreads(50_000, 8)).toBe(5);
    expect(autoThreads(0, 4)).toBe(1);
  });
});
