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
 * "Full jitter": a fresh uniform delay in [0, window]. Unlike ocpp-rpc's jitter (which only
 * lengthens delays), this spreads 10,000 chargers that lost the CSMS at the same instant over the
 * whole window, so they do not come back in one burst.
 */
export function fullJitterDelay(attempt: number, window: BackoffWindow, random: () => number): number {
  return Math.floor(clamp01(random()) * backoffWindow(attempt, window));
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
