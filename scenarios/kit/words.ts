/** Small parsing helpers shared by the DSL and the YAML loader: durations and "did you mean". */
import { durationMs } from '../duration.js';

/** `'30m'`, `'90s'`, `'1h'`, `'250ms'`, or a number of milliseconds. Throws a RangeError naming `what`. */
export function parseDuration(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const ms = typeof value === 'string' ? durationMs(value) : undefined;
  if (ms !== undefined) return ms;
  throw new RangeError(`${what}: expected a duration like '30s', '30m' or '1h' (units ms/s/m/h), got ${JSON.stringify(value)}`);
}

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/** The closest of `known` to `word` when it is plausibly a typo, else undefined. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** `" (did you mean plugIn?)"` or `""`. */
export function didYouMean(word: string, known: readonly string[]): string {
  const c = closest(word, known);
  return c ? ` (did you mean ${c}?)` : '';
}
