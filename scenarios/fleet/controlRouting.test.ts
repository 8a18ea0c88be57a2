import { describe, expect, it } from 'vitest';
import { nextPositions, positionOf, workerOf } from './controlRouting.js';
import { chargerId, shardPositions } from './fleetIds.js';

describe('control routing', () => {
  it('reads the position only from canonical ids of the prefix', () => {
    expect(positionOf('CP00042', 'CP')).toBe(42);
    expect(positionOf('CP100000', 'CP')).toBe(100_000);
    expect(positionOf('CP0042', 'CP')).toBeUndefined(); // not padded as the fleet pads
    expect(positionOf('CP00000', 'CP')).toBeUndefined();
    expect(positionOf('XX00042', 'CP')).toBeUndefined();
    expect(positionOf('CP0004a', 'CP')).toBeUndefined();
  });

  it('finds the worker whose composed shard holds the position, as FleetThreads slices', () => {
    for (const shard of [{ index: 0, count: 1 }, { index: 1, count: 3 }, { index: 2, count: 4 }]) {
      for (const threads of [1, 2, 3]) {
        for (let j = 0; j < threads; j++) {
          const slice = shardPositions(200, { index: shard.index + shard.count * j, count: shard.count * threads });
          for (const k of slice) expect(workerOf(k, shard, threads)).toBe(j);
        }
        const others = shardPositions(200).filter((k) => (k - 1) % shard.count !== shard.index);
        for (const k of others) expect(workerOf(k, shard, threads)).toBeUndefined();
      }
    }
  });

  it('continues after the highest position within the shard', () => {
    expect(nextPositions(3, 3, { index: 0, count: 1 })).toEqual([4, 5, 6]);
    expect(nextPositions(11, 2, { index: 1, count: 3 })).toEqual([14, 17]);
    expect(nextPositions(10, 1, { index: 0, count: 3 })).toEqual([13]);
    expect(chargerId('CP', nextPositions(99_999, 1, { index: 0, count: 1 })[0]!)).toBe('CP100000');
  });
});
