/**
 * Where a charger lives, by its id alone: its fleet position k (`CP00042` → 42), whether this
 * process's shard holds it, and which worker thread runs it (worker j of W runs the composed shard
 * `i + n·j` of `n·W`, see {@link FleetThreads}). New chargers continue after the highest position.
 */
import { chargerId, type Shard } from './fleetIds.js';

/** Fleet position of `id`, or undefined when `id` is not a canonical id of this prefix. */
export function positionOf(id: string, prefix: string): number | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const digits = id.slice(prefix.length);
  if (!/^\d+$/.test(digits)) return undefined;
  const k = Number(digits);
  return k >= 1 && Number.isSafeInteger(k) && chargerId(prefix, k) === id ? k : undefined;
}

export function inShard(k: number, shard: Shard): boolean {
  return (k - 1) % shard.count === shard.index;
}

/** Worker (0-based) of `threads` that runs position k of process shard `shard`, or undefined if not this shard's. */
export function workerOf(k: number, shard: Shard, threads: number): number | undefined {
  if (!inShard(k, shard)) return undefined;
  const r = (k - 1) % (shard.count * threads);
  return (r - shard.index) / shard.count;
}

/** The next `n` positions of `shard` above position `after`. */
export function nextPositions(after: number, n: number, shard: Shard): number[] {
  let k = after + 1;
  while (!inShard(k, shard)) k++;
  return Array.from({ length: n }, (_, j) => k + j * shard.count);
}
