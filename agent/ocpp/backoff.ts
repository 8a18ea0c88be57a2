/**
 * Retry delays for the OCPP link. Pure functions of (attempt, random) so they are testable and a
 * fleet can seed its randomness.
 */

export interface BackoffWindow {
  /** Window of the first retry (attempt 0), in ms. */
  initialDelayMs: number;
  /** Upper bound of the window, in ms. */
  maxDelayMs: number;
}

/** The exponential window for `attempt` (0-based): min(max, initial · 2^attempt). */
export function backoffWindow(attempt: number, { initialDelayMs, maxDelayMs }: BackoffWindow): number {
  // 2^attempt overflows to Infinity for huge attempts; min() keeps that harmless.
  return Math.max(0, Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, attempt)));
}

/**
 * The reconnect back-off of OCPP 2.0.1 (OCPPCommCtrlr RetryBackOff*; the same three keys under 1.6),
 * all in seconds as the spec has them.
 */
export interface RetryBackOff {
  /** The wait before the first reconnect attempt (RetryBackOffWaitMinimum). */
  waitMinimumS: number;
  /** Upper bound of the random part added to every wait (RetryBackOffRandomRange). */
  randomRangeS: number;
  /** How many times the wait doubles; after that it stays (RetryBackOffRepeatTimes). */
  repeatTimes: number;
}

/** No reconnect waits longer than a day, whatever the keys multiply to (also keeps setTimeout in range). */
export const MAX_RETRY_BACKOFF_MS = 86_400_000;

/**
 * The wait before reconnect attempt `attempt` (0-based, counted since the CSMS last answered), ms:
 * WaitMinimum · 2^min(attempt, RepeatTimes) plus a fresh uniform random part in [0, RandomRange].
 * The random part spreads chargers that lost the CSMS at the same instant (a CSMS restart) over
 * RandomRange instead of letting them come back in one burst; the doubling backs off from a CSMS
 * that stays away.
 */
export function retryBackOffDelay(attempt: number, { waitMinimumS, randomRangeS, repeatTimes }: RetryBackOff, random: () => number): number {
  const doublings = Math.min(Math.max(0, attempt), Math.max(0, repeatTimes));
  const ms = (Math.max(0, waitMinimumS) * 2 ** doublings + clamp01(random()) * Math.max(0, randomRangeS)) * 1000;
  return Math.min(MAX_RETRY_BACKOFF_MS, Math.floor(ms));
}

/**
 * "Equal jitter": uniform in [window/2, window]. Used where a delay must not collapse to ~0, e.g.
 * re-sending BootNotification after Pending/Rejected with interval 0 (the CSMS left the back-off to
 * us and must not be flooded).
 */
export function equalJitterDelay(attempt: number, window: BackoffWindow, random: () => number): number {
  const w = backoffWindow(attempt, window);
  return Math.floor(w / 2 + clamp01(random()) * (w / 2));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
