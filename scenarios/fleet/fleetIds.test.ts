import { describe, expect, it } from 'vitest';
import { chargerId, parseDuration, parseSecondsRange, parseShard, shardPositions } from './fleetIds.js';
import { deriveSeed, seededRandom } from '../seededRandom.js';

describe('fleet ids and shards', () => {
  it('names chargers with at least five digits and no upper limit', () => {
    expect(chargerId('P', 1)).toBe('P00001');
    expect(chargerId('P', 9999)).toBe('P09999');
    expect(chargerId('P', 123456)).toBe('P123456');
  });

  it('gives disjoint shards that together cover every id, stable as the fleet grows', () => {
    for (const [total, n] of [[1000, 4], [7, 3], [5, 8], [20_001, 7]] as const) {
      const slices = Array.from({ length: n }, (_, i) => shardPositions(total, { index: i, count: n }));
      const all = slices.flat().sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: total }, (_, k) => k + 1));
      expect(new Set(all).size).toBe(total);
      // Growing the fleet keeps every charger in its shard.
      const grown = shardPositions(total * 2, { index: n - 1, count: n });
      expect(grown.slice(0, slices[n - 1]!.length)).toEqual(slices[n - 1]);
    }
  });

  it('parses shards, durations and ranges, refusing bad ones with a message', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/0\.\.n-1/);
    expect(() => parseShard('x')).toThrow(/expected i\/n/);
    expect(parseDuration('120')).toBe(120_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(() => parseDuration('2d')).toThrow(/30m/);
    expect(parseSecondsRange('30-600')).toEqual([30_000, 600_000]);
    expect(parseSecondsRange('60')).toEqual([60_000, 60_000]);
    expect(() => parseSecondsRange('9-1')).toThrow(/a ≤ b/);
  });

  it('derives reproducible, distinct random streams per charger', () => {
    const a = seededRandom(deriveSeed(1, 42, 1));
    const b = seededRandom(deriveSeed(1, 42, 1));
    const c = seededRandom(deriveSeed(1, 43, 1));
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
