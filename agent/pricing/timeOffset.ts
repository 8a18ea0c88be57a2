/**
 * The local time shown to the driver (OCA California Pricing, "Timezone for Display"): OCPP 1.6
 * knows only UTC, so the CSMS sets the offset (`TimeOffset`, e.g. -08:00) and the next change of
 * it (`TimeOffsetNextTransition` from `NextTimeOffsetTransitionDateTime` on: summer or winter time).
 * The charger applies the new offset by itself at the transition; the keys keep their values. Pure.
 */

export interface TimeOffsetKeys {
  /** TimeOffset: `+HH:MM` / `-HH:MM`. */
  readonly timeOffset: string;
  /** NextTimeOffsetTransitionDateTime: RFC 3339, '' for none. */
  readonly transitionAt: string;
  /** TimeOffsetNextTransition: the offset from then on, '' for none. */
  readonly nextOffset: string;
}

/** Minutes east of UTC of an offset such as `+05:30` or `-08:00` (0 for anything else). */
export function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(offset);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** The offset in force at `at` (ms since the epoch). */
export function offsetAt(at: number, keys: TimeOffsetKeys): number {
  const transition = keys.transitionAt ? Date.parse(keys.transitionAt) : Number.NaN;
  const next = keys.nextOffset && !Number.isNaN(transition) && at >= transition;
  return offsetMinutes(next ? keys.nextOffset : keys.timeOffset);
}

/** `at` as the driver's clock shows it: `HH:MM`, 24 hours. */
export function localClock(at: number, keys: TimeOffsetKeys): string {
  const local = new Date(at + offsetAt(at, keys) * 60_000);
  return `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
}
