/**
 * Charger ids and shards. Charger k (1-based) of a fleet of N is `${prefix}${k}` with k padded to
 * at least 5 digits (`CP00001` … `CP99999`, then `CP100000`: no 9,999 limit). Shard i of n
 * (0-based, like a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) takes the k with
 * (k - 1) mod n = i: slices are disjoint, together cover 1..N, and a charger keeps its shard when N
 * grows (stable).
 */
import { durationMs } from '../duration.js';

export interface Shard {
  /** 0-based index of this process's slice. */
  index: number;
  /** Number of slices. */
  count: number;
}

/** Parses `i/n` (0 ≤ i < n); throws a RangeError saying what was expected. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RangeError(`expected i/n, e.g. 0/4, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new RangeError(`shard index must be 0..n-1 and n ≥ 1, got "${text}"`);
  return { index, count };
}

export function chargerId(prefix: string, k: number): string {
  return `${prefix}${String(k).padStart(5, '0')}`;
}

/** The fleet positions k (1-based) of one shard of a fleet of `total` chargers, in order. */
export function shardPositions(total: number, shard: Shard = { index: 0, count: 1 }): number[] {
  const out: number[] = [];
  for (let k = shard.index + 1; k <= total; k += shard.count) out.push(k);
  return out;
}

/** Parses `120` (seconds), `90s`, `30m`, `2h`, `500ms` into milliseconds, more than 0; throws a RangeError otherwise. */
export function parseDuration(text: string): number {
  const ms = durationMs(text, { bareUnit: 's', positive: true });
  if (ms === undefined) throw new RangeError(`expected seconds or a number with ms/s/m/h, more than 0, e.g. 120, 30m, 2h; got "${text}"`);
  return ms;
}

/** Parses a seconds range `a-b` (or one number `a`) into [minMs, maxMs]. */
export function parseSecondsRange(text: string): [number, number] {
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!m) throw new RangeError(`expected seconds as a-b, e.g. 30-600, got "${text}"`);
  const a = Number(m[1]) * 1000;
  const b = m[2] === undefined ? a : Number(m[2]) * 1000;
  if (b < a) throw new RangeError(`range must be a-b with a ≤ b, got "${text}"`);
  return [a, b];
}
