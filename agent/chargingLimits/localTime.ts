/**
 * Wall-clock time in an IANA time zone (e.g. Europe/Berlin), with the tz database that Node's
 * Intl carries: recurring charging schedules repeat at a local time of day (./compositeSchedule.ts).
 *
 * A "wall" instant is the local date and time written as if it were UTC (epoch ms), so local
 * arithmetic is plain addition: 18:00 local + 1 day = 18:00 local the next day, whatever the
 * daylight-saving rules do in between. Converting a wall time back to an instant:
 * - a time that happens twice (the hour repeated when clocks go back) is its first occurrence;
 * - a time that does not exist (the hour skipped when clocks go forward) is the instant the
 *   clocks jump, the first one after the gap. (Temporal's "compatible" would move it forward by
 *   the gap's length; that can put a later wall time before an earlier one, so periods could
 *   swap order inside a gap. Here later wall times never map to earlier instants.)
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** One formatter per zone for the whole process (constructing one costs far more than using it). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Is `name` a time zone Intl knows (an IANA name such as Europe/Berlin, or UTC)? */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '' || name !== name.trim()) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** Is the zone plain UTC (no conversion needed)? */
export function isUtc(timeZone: string | undefined): boolean {
  return timeZone === undefined || timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

/** The zone's offset from UTC at `t`, ms (Europe/Berlin in winter: +3 600 000). Whole seconds. */
export function offsetAt(t: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(t);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  const whole = t - (((t % 1000) + 1000) % 1000);
  return wall - whole;
}

/** The local date and time of `t` in `timeZone`, as a wall instant. */
export function toWall(t: number, timeZone: string): number {
  return isUtc(timeZone) ? t : t + offsetAt(t, timeZone);
}

/** The instant at which the clocks of `timeZone` show `wall` (see the module comment for repeated and skipped times). */
export function fromWall(wall: number, timeZone: string): number {
  if (isUtc(timeZone)) return wall;
  // Offsets change at most once within a day either side (true of every zone in the database).
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const fits = (offset: number) => offsetAt(wall - offset, timeZone) === offset;
  const candidates = [wall - before, wall - after].filter((t, i) => fits(i === 0 ? before : after));
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the jump lies between the instant read with the later offset and the one read with the earlier.
  let lo = wall - Math.max(before, after);
  let hi = wall - Math.min(before, after);
  const startOffset = offsetAt(lo, timeZone);
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(mid, timeZone) === startOffset) lo = mid;
    else hi = mid;
  }
  // Zone transitions fall on whole minutes: the first minute with the new offset.
  const minute = Math.ceil(lo / MINUTE_MS) * MINUTE_MS;
  return offsetAt(minute, timeZone) === startOffset ? minute + MINUTE_MS : minute;
}
