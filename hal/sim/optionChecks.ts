/**
 * RangeErrors for the options of the simulated hardware, naming the option, the accepted range
 * and the value given, so a scenario author sees at once what to fix.
 */

/** Throws unless `value` is a finite number in [min, max] (and an integer when asked). */
export function requireInRange(name: string, value: number, min: number, max: number, options: { integer?: boolean; hint?: string } = {}): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!options.integer || Number.isInteger(value));
  if (ok) return;
  const kind = options.integer ? 'an integer' : 'a number';
  const range = max === Infinity ? `>= ${min}` : `in ${min}..${max}`;
  throw new RangeError(`${name} must be ${kind} ${range}${options.hint ? ` (${options.hint})` : ''}; got ${String(value)}`);
}

/** Throws unless `value` is 1 or 3. */
export function requirePhases(name: string, value: number): asserts value is 1 | 3 {
  if (value !== 1 && value !== 3) throw new RangeError(`${name} must be 1 or 3; got ${String(value)}`);
}
