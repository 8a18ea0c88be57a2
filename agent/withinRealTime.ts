/**
 * A bound in real time on waiting for real I/O and devices, whatever clock the caller runs on:
 * under virtual time nobody may advance the clock any more (shutdown), so the injected Clock
 * cannot bound these waits. Used by Agent.stop(), the CLI's shutdown and the fleet's stop.
 */

/**
 * Waits for `work` (its rejection propagates), but at most `maxMs` of real time.
 * Resolves true when `work` settled in time, false when the time ran out.
 */
export async function withinRealTime(work: Promise<unknown>, maxMs: number): Promise<boolean> {
  let timer: ReturnType<typeof globalThis.setTimeout> | undefined;
  const limit = new Promise<false>((resolve) => (timer = globalThis.setTimeout(() => resolve(false), maxMs)));
  try {
    return await Promise.race([work.then(() => true as const), limit]);
  } finally {
    globalThis.clearTimeout(timer);
  }
}
