/** Small seeded PRNG (mulberry32): scenario runs, fleets and the crash campaign repeat for a seed, at the cost of one number per stream. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for stream `stream` of charger `k` under the fleet seed (independent streams per use). */
export function deriveSeed(fleetSeed: number, k: number, stream: number): number {
  let h = (fleetSeed ^ 0x9e3779b9) >>> 0;
  for (const v of [k, stream]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

export function uniformBetween(random: () => number, min: number, max: number): number {
  return min + random() * (max - min);
}
