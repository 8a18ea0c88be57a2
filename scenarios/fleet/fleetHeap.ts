/**
 * Memory settings of a fleet process, chosen from measurements (docs/fleet.md, "Memory and scale").
 *
 * A fleet allocates in one burst (the ramp: thousands of handshakes and boots per second) and then
 * holds what it built. With V8's defaults the old generation may grow to several times its live
 * size between two full collections during such a burst, and the process keeps those pages: the
 * peak RSS of a 10,000-charger fleet was ≈ 70 KB per charger with ≈ 29 KB of live heap. A fixed
 * growing factor keeps it near the live size, for more full collections during the ramp
 * (≈ 4 s more CPU per 10,000 chargers booted; steady state allocates little). 15 % at first; 10 %
 * since a charging fleet's garbage shrank (10,000 charging: peak 482–484 MB instead of 487–500 MB,
 * boot ≈ 1 s and stop ≈ 0.5 s slower).
 *
 * Worker threads also get a small young generation (the main thread's can only be set by a Node
 * flag at start, e.g. `NODE_OPTIONS=--max-semi-space-size=2`).
 */
import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';

/** Old-generation growth between full collections, percent (V8 default: dynamic, up to 300 %). */
export const FLEET_HEAP_GROWING_PERCENT = 10;

/** Young generation of each fleet worker: 6 MB, i.e. semi-spaces of 2 MB (V8 default: 16 MB). */
export const FLEET_WORKER_LIMITS: ResourceLimits = Object.freeze({ maxYoungGenerationSizeMb: 6 });

/** Chargers one thread carries by default: a second isolate costs more memory than it saves time below this. */
export const CHARGERS_PER_THREAD = 10_000;

/**
 * Real time a graceful stop may take by default (`evse fleet --stop-timeout`) before it is cut short
 * and leaves the transactions not yet ended open: the stop paces itself to the CSMS (FleetStop.ts),
 * so a slow CSMS makes it longer, not incomplete. 25 s, so that the stop and the report fit in
 * Kubernetes' default grace period of 30 s. A CSMS that keeps up is answered much sooner (10,000
 * charging chargers: docs/fleet.md, Stopping).
 */
export const FLEET_STOP_MS = 25_000;

let tuned = false;

/**
 * Applies {@link FLEET_HEAP_GROWING_PERCENT} to this process (all isolates, including worker
 * threads started later). V8 reads the flag at every full collection, so setting it after start
 * works; it is process-wide, so only fleet entry points call this (`evse fleet`, the benchmark),
 * never the library.
 */
export function tuneHeapForFleet(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--heap-growing-percent=${FLEET_HEAP_GROWING_PERCENT}`);
}

/** `--threads auto`: one thread per {@link CHARGERS_PER_THREAD} chargers of this process, at most one per core. */
export function autoThreads(chargers: number, cores: number): number {
  return Math.max(1, Math.min(cores, Math.ceil(chargers / CHARGERS_PER_THREAD)));
}

/**
 * Old space per charger a shard process started by `evse fleet --processes` may fill before its
 * first full collection (`--initial-old-space-size`, given at its start): ≈ the live heap a
 * booted charger keeps (≈ 25 KB) plus the ramp's promoted garbage. With {@link
 * FLEET_HEAP_GROWING_PERCENT} alone, V8 collects the whole old space every time it grows by a
 * tenth during the ramp, which cost about a quarter of the fleet's boot CPU; with this the ramp
 * runs with a few full collections. Measured at 10,000 chargers in one process (docs/fleet.md,
 * "50,000 chargers on one box"): fleet CPU per boot −25 %, peak RSS +8 % (≈ 3.5 KB per charger).
 * Only for shard processes: a single process (the memory target at 10,000) keeps the lean setting.
 */
export const BOOT_OLD_SPACE_KB_PER_CHARGER = 30;

/** The V8 flag that sizes a fleet process's old space for `chargersPerIsolate` (none below 2,000: the default is enough). */
export function bootOldSpaceFlag(chargersPerIsolate: number): string | undefined {
  if (chargersPerIsolate < 2000) return undefined;
  return `--initial-old-space-size=${Math.ceil((chargersPerIsolate * BOOT_OLD_SPACE_KB_PER_CHARGER) / 1024)}`;
}
