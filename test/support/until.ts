/** Polling in real time for process-level tests, where the system under test runs on the wall clock. */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` every `everyMs` of real time; fails naming `what` after `timeoutMs`. `step`,
 * when given, runs before each wait: e.g. advancing a simulated clock while real I/O (a serial
 * port reopening) catches up.
 */
export async function until(what: string, condition: () => boolean, timeoutMs = 10_000, everyMs = 20, step?: () => unknown): Promise<void> {
  for (const t0 = Date.now(); !condition(); await sleep(everyMs)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await step?.();
  }
}
