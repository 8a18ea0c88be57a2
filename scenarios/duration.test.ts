import { describe, expect, it } from 'vitest';
import { durationMs } from './duration.js';
import { parseDuration as fleetDuration } from './fleet/fleetIds.js';
import { parseDuration as kitDuration } from './kit/words.js';

describe('one duration grammar', () => {
  it('reads a number with a unit, decimals and spaces allowed', () => {
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('1.5 s')).toBe(1500);
    expect(durationMs(' 30m ')).toBe(1_800_000);
    expect(durationMs('2h')).toBe(7_200_000);
  });

  it('leaves the unit of a bare number to the caller', () => {
    expect(durationMs('120')).toBeUndefined();
    expect(durationMs('120', { bareUnit: 's' })).toBe(120_000);
    expect(durationMs('120', { bareUnit: 'ms' })).toBe(120);
  });

  it('refuses what is not a duration, and 0 where a positive one is needed', () => {
    for (const text of ['', '2d', '30 minutes', '-5s', 'm', '1e3s']) expect(durationMs(text, { bareUnit: 's' })).toBeUndefined();
    expect(durationMs('0s')).toBe(0);
    expect(durationMs('0s', { positive: true })).toBeUndefined();
  });

  it('is the grammar of the fleet options and of the scenario kit alike', () => {
    for (const text of ['250ms', '90s', '30m', '2h', '1.5h']) expect(fleetDuration(text)).toBe(kitDuration(text, 'x'));
    expect(fleetDuration('120')).toBe(120_000);
    expect(() => kitDuration('120', 'within')).toThrow(/within: expected a duration/);
    expect(() => fleetDuration('0')).toThrow(/more than 0/);
  });
});
