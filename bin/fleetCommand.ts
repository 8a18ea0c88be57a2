/**
 * `evse fleet`: N virtual chargers (real Agents, simulated hardware, wall clock) against a CSMS.
 * Prints plain progress lines on stderr every few seconds, the human summary on stdout at the end,
 * and the JSON report to `--report`. SIGINT/SIGTERM or `--duration` stop gracefully: transactions
 * end with StopTransaction, sockets close, the report is written, within 10 s.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import { FleetThreads } from '../scenarios/fleet/FleetThreads.js';
import { parseDuration, parseSecondsRange, parseShard } from '../scenarios/fleet/fleetIds.js';
import { formatSummary, progressLine } from '../scenarios/fleet/formatReport.js';
import { createLogger } from './logger.js';

export interface FleetCommandOptions {
  csms: string;
  count: number;
  idPrefix: string;
  ramp: number;
  duration?: string;
  connectors: number;
  shard?: string;
  report?: string;
  seed: number;
  idle: string;
  charge: string;
  progress: number;
  logLevel: string;
  /** Worker threads, or `auto` (one per core). */
  threads: string;
}

/** Whole stop (agents + report) must fit in 10 s; agents get 8 of them. */
const STOP_AGENTS_MS = 8000;

export async function runFleetCommand(opts: FleetCommandOptions): Promise<number> {
  let fleet: Fleet | FleetThreads;
  let durationMs: number | undefined;
  let threads: number;
  try {
    if (!/^wss?:\/\//.test(opts.csms)) throw new RangeError(`--csms: expected a ws:// or wss:// URL, got "${opts.csms}"`);
    if (!Number.isInteger(opts.count) || opts.count < 1) throw new RangeError(`--count: expected a positive integer, got ${opts.count}`);
    if (!Number.isInteger(opts.connectors) || opts.connectors < 1 || opts.connectors > 8) throw new RangeError(`--connectors: expected 1..8, got ${opts.connectors}`);
    threads = opts.threads === 'auto' ? availableParallelism() : Number(opts.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new RangeError(`--threads: expected auto or 1..256, got "${opts.threads}"`);
    const shardText = opts.shard ?? (process.env.JOB_COMPLETION_INDEX !== undefined && process.env.EVSE_FLEET_SHARDS ? `${process.env.JOB_COMPLETION_INDEX}/${process.env.EVSE_FLEET_SHARDS}` : undefined);
    durationMs = opts.duration === undefined ? undefined : parseDuration(opts.duration);
    const options = {
      csmsUrl: opts.csms.replace(/\/+$/, ''),
      count: opts.count,
      idPrefix: opts.idPrefix,
      rampPerSecond: opts.ramp,
      connectors: opts.connectors,
      ...(shardText !== undefined && { shard: parseShard(shardText) }),
      seed: opts.seed,
      behaviour: { idleMs: parseSecondsRange(opts.idle), chargeMs: parseSecondsRange(opts.charge) },
    };
    fleet = threads === 1 ? new Fleet({ ...options, log: createLogger(opts.logLevel) }) : new FleetThreads({ ...options, logLevel: opts.logLevel, threads });
  } catch (err) {
    process.stderr.write(`evse fleet: ${(err as Error).message}\n`);
    return 64;
  }

  process.stderr.write(`evse fleet: ${fleet.planned} chargers (of ${opts.count}) against ${opts.csms} at ${opts.ramp}/s on ${threads} thread(s)\n`);
  let previous = { at: Date.now(), messages: 0 };
  const progress = setInterval(() => {
    const r = fleet.report();
    process.stderr.write(`${progressLine(r, previous)}\n`);
    previous = { at: Date.parse(r.endedAt), messages: r.messages.out + r.messages.in };
  }, opts.progress * 1000);

  const stopped = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => resolve(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (durationMs !== undefined) setTimeout(() => resolve('duration'), durationMs).unref();
  });
  void fleet.start();
  const why = await stopped;
  process.stderr.write(`evse fleet: stopping (${why})\n`);
  clearInterval(progress);
  const t0 = performance.now();
  const report = await fleet.stop(STOP_AGENTS_MS);
  const full = { ...report, stopMs: Math.round(performance.now() - t0) };
  if (opts.report) await writeFile(opts.report, `${JSON.stringify(full, null, 2)}\n`);
  process.stdout.write(`${formatSummary(report)}\n  stopped in ${full.stopMs} ms\n`);
  return 0;
}
