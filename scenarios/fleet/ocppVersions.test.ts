import { describe, expect, it } from 'vitest';
import { describeMix, mixProblems, parseOcppOption, versionAt } from './ocppVersions.js';
import { shardPositions } from './fleetIds.js';
import { mergeOverDefault, parseProfile } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';

const count201 = (mix: Parameters<typeof versionAt>[0], positions: number[]) => positions.filter((k) => versionAt(mix, k) === '2.0.1').length;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('OCPP versions of a fleet by position', () => {
  it('gives the mix to within two chargers over the fleet and over any run of consecutive positions', () => {
    const mix = { '1.6': 70, '2.0.1': 30 };
    expect(count201(mix, range(1, 10))).toBe(3);
    expect(count201(mix, range(1, 100))).toBe(30);
    expect(count201(mix, range(1, 1000))).toBe(300);
    expect(Math.abs(count201(mix, range(1, 10_000)) - 3000)).toBeLessThanOrEqual(2);
    for (let start = 1; start < 2000; start += 7) expect(Math.abs(count201(mix, range(start, start + 49)) - 15)).toBeLessThanOrEqual(2);
    expect(count201({ '1.6': 99, '2.0.1': 1 }, range(1, 10_000))).toBe(100);
    expect(count201({ '1.6': 50, '2.0.1': 50 }, range(1, 10_000))).toBe(5000);
  });

  it('is the same for a position whatever the shard or the fleet size, and every shard gets its share', () => {
    const mix = { '1.6': 70, '2.0.1': 30 };
    const whole = range(1, 100).map((k) => versionAt(mix, k));
    for (let i = 0; i < 4; i++) for (const k of shardPositions(100, { index: i, count: 4 })) expect(versionAt(mix, k)).toBe(whole[k - 1]);
    // Shards (and worker threads) are residues of the positions: each still holds its share, to a few chargers.
    for (const n of [2, 3, 4, 5, 7, 10]) {
      for (let i = 0; i < n; i++) expect(Math.abs(count201(mix, shardPositions(10_000, { index: i, count: n })) - 3000 / n), `shard ${i}/${n}`).toBeLessThanOrEqual(5);
    }
  });

  it('speaks one version when the mix says so, and 1.6 without a mix', () => {
    expect(range(1, 50).every((k) => versionAt({ '2.0.1': 100 }, k) === '2.0.1')).toBe(true);
    expect(range(1, 50).every((k) => versionAt({ '1.6': 100, '2.0.1': 0 }, k) === '1.6')).toBe(true);
    expect(versionAt(undefined, 7)).toBe('1.6');
  });

  it('parses --ocpp: one version or a mix in percent, naming the option in every error', () => {
    expect(parseOcppOption('2.0.1')).toEqual({ '2.0.1': 100 });
    expect(parseOcppOption('1.6')).toEqual({ '1.6': 100 });
    expect(parseOcppOption('1.6:70,2.0.1:30')).toEqual({ '1.6': 70, '2.0.1': 30 });
    expect(parseOcppOption(' 2.0.1:25 , 1.6:75 ')).toEqual({ '2.0.1': 25, '1.6': 75 });
    expect(() => parseOcppOption('2.1')).toThrow('--ocpp: expected 1.6, 2.0.1 or a mix in percent such as 1.6:70,2.0.1:30, got "2.1"');
    expect(() => parseOcppOption('1.6:70,2.0.1:20')).toThrow('--ocpp: percentages add up to 90 (1.6: 70, 2.0.1: 20), must add up to 100');
    expect(() => parseOcppOption('1.6:50,2.1:50')).toThrow('--ocpp: 2.1: unknown OCPP version; expected 1.6 or 2.0.1');
    expect(() => parseOcppOption('1.6:50,1.6:50')).toThrow('--ocpp: version 1.6 given twice');
  });

  it('describes a mix for the start line', () => {
    expect(describeMix(undefined)).toBe('1.6');
    expect(describeMix({ '2.0.1': 100 })).toBe('2.0.1');
    expect(describeMix({ '1.6': 70, '2.0.1': 30 })).toBe('1.6 70 %, 2.0.1 30 %');
    expect(mixProblems({ '1.6': -1 })).toEqual([['1.6', 'expected a percentage 0..100, got -1']]);
  });
});

describe('profile ocppVersions', () => {
  const parse = (ocppVersions: unknown) => parseProfile(mergeOverDefault(DEFAULT_PROFILE, { ocppVersions }), 'p.yaml');

  it('takes a mix in percent', () => {
    expect(parse({ '1.6': 70, '2.0.1': 30 }).ocppVersions).toEqual({ '1.6': 70, '2.0.1': 30 });
    expect(parseProfile(mergeOverDefault(DEFAULT_PROFILE, {}), 'p.yaml').ocppVersions).toBeUndefined();
  });

  it('names the key of every problem', () => {
    expect(() => parse({ '1.6': 70, '2.0.1': 20 })).toThrow('invalid fleet profile p.yaml: ocppVersions: percentages add up to 90 (1.6: 70, 2.0.1: 20), must add up to 100');
    expect(() => parse({ '1.6': 50, '2.1': 50 })).toThrow("ocppVersions['2.1']: unknown OCPP version; expected 1.6 or 2.0.1");
    expect(() => parse({ '2.0.1': 'all' })).toThrow(`ocppVersions['2.0.1']: expected a percentage 0..100, got "all"`);
    expect(() => parse('2.0.1')).toThrow('ocppVersions: must be object, got "2.0.1"');
    expect(() => parse({})).toThrow('ocppVersions: must NOT have fewer than 1 properties');
  });
});
