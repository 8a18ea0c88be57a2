/**
 * The one duration grammar of the scenario tools: a number with a unit, `250ms`, `90s`, `30m`,
 * `2h` (decimals allowed, space before the unit allowed). Where a bare number is written its unit
 * is the caller's to say: the fleet's command-line options read it as seconds (`--duration 120`),
 * the scenario DSL and YAML refuse it in text (a YAML number is already milliseconds there).
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;

export interface DurationRules {
  /** The unit of a number written without one; undefined: a unit is required. */
  bareUnit?: 's' | 'ms';
  /** Refuse 0 (default: 0 is a duration). */
  positive?: boolean;
}

/** Milliseconds, or undefined when `text` is not a duration under `rules`. */
export function durationMs(text: string, rules: DurationRules = {}): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const unit = m[2] ?? rules.bareUnit;
  if (unit === undefined) return undefined;
  const ms = Math.round(Number(m[1]) * UNIT_MS[unit]!);
  return rules.positive && ms <= 0 ? undefined : ms;
}
