/**
 * `evse fleet` options that need more than a range check: the shard of this process (`--shard`,
 * `--shards` with JOB_COMPLETION_INDEX, or JOB_COMPLETION_INDEX + EVSE_FLEET_SHARDS) and the
 * behaviour (`--profile`, with `--idle`/`--charge` as shorthands). Errors are RangeErrors (and
 * ProfileErrors) naming the option; the command turns them into exit 64.
 */
import { parseSecondsRange, parseShard, type Shard } from '../scenarios/fleet/fleetIds.js';
import { loadProfile, type FleetBehaviourOptions } from '../scenarios/fleet/profileLoader.js';

export function resolveShard(shard: string | undefined, shards: number | undefined, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  const index = env.JOB_COMPLETION_INDEX;
  if (shard !== undefined && shards !== undefined) throw new RangeError('--shard and --shards exclude each other: --shard i/n names the slice, --shards n takes i from JOB_COMPLETION_INDEX');
  if (shard !== undefined) return parseShard(shard);
  if (shards !== undefined) {
    if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`--shards: expected a positive integer, got ${shards}`);
    if (index === undefined) throw new RangeError('--shards needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job); or give --shard i/n');
    if (!/^\d+$/.test(index)) throw new RangeError(`JOB_COMPLETION_INDEX: expected an integer, got "${index}"`);
    try {
      return parseShard(`${index}/${shards}`);
    } catch {
      throw new RangeError(`JOB_COMPLETION_INDEX ${index} is outside 0..${shards - 1} (--shards ${shards})`);
    }
  }
  if (index !== undefined && env.EVSE_FLEET_SHARDS) return parseShard(`${index}/${env.EVSE_FLEET_SHARDS}`);
  return undefined;
}

/** The Fleet's behaviour: the profile file (default profile without), shorthands on top. */
export async function resolveBehaviourOptions(opts: { profile?: string; idle?: string; charge?: string }): Promise<FleetBehaviourOptions> {
  const wrap = <T>(option: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new RangeError(`${option}: ${(err as Error).message}`);
    }
  };
  return {
    ...(opts.profile !== undefined && { profile: await loadProfile(opts.profile) }),
    ...(opts.idle !== undefined && { idleMs: wrap('--idle', () => parseSecondsRange(opts.idle!)) }),
    ...(opts.charge !== undefined && { chargeMs: wrap('--charge', () => parseSecondsRange(opts.charge!)) }),
  };
}

/** The HTML report's file: `--html`, or the JSON report's name with .html. */
export function htmlReportFile(html: string | undefined, report: string | undefined): string | undefined {
  if (html !== undefined) return html;
  return report === undefined ? undefined : `${report.replace(/\.json$/i, '')}.html`;
}

/** The options of `evse fleet` as commander parses them (bin/evse.ts). */
export interface FleetCommandOptions {
  /** Required (checked here, so that `evse fleet merge` needs neither). */
  csms?: string;
  count?: number;
  idPrefix: string;
  ramp: number;
  /** Milliseconds (commander parses `30m`, `2h`, seconds). */
  duration?: number;
  /** Longest graceful stop, ms (default FLEET_STOP_MS). */
  stopTimeout?: number;
  connectors: number;
  shard?: string;
  /** Shard count; the index comes from JOB_COMPLETION_INDEX. */
  shards?: number;
  report?: string;
  /** HTML report file (default: the --report name with .html). */
  html?: string;
  seed: number;
  /** Behaviour profile file (YAML or JSON). */
  profile?: string;
  /** OCPP version of every charger, or a mix in percent (`1.6:70,2.0.1:30`): scenarios/fleet/ocppVersions.ts. */
  ocpp?: string;
  idle?: string;
  charge?: string;
  /** Prometheus endpoint port; none without it. */
  metricsPort?: number;
  metricsHost?: string;
  progress: number;
  logLevel: string;
  /** Human-readable logs (undefined: when stderr is a terminal). */
  pretty?: boolean;
  /** Worker threads, or `auto` (one per core). */
  threads: string;
  /** Port of the control HTTP API (docs/fleet-api.openapi.yaml); none without it. */
  controlPort?: number;
  /** Chargers per thread started but not yet through their first boot (0 = no limit). */
  maxBooting: number;
  /** Local source addresses, comma-separated, used round-robin per charger. */
  localAddress?: string;
  controlHost?: string;
  /** Shard processes this command starts (bin/fleetProcesses.ts); 1: this process runs the fleet. */
  processes?: number;
}
