/**
 * `evse fleet`: N virtual chargers (real Agents, simulated hardware, wall clock) against a CSMS,
 * doing what a behaviour profile says (`--profile`, default: config/fleet/default.yaml's day).
 * Shows progress on stderr (a bar on a TTY, plain lines otherwise), serves Prometheus metrics with
 * `--metrics-port`, prints the human summary on stdout at the end, and writes the JSON report to
 * `--report` (and an HTML page beside it, or to `--html`; both checked at start, exit 64 when they
 * cannot be written, and named in the summary). SIGINT/SIGTERM or `--duration` stop gracefully:
 * transactions end with StopTransaction at the pace the CSMS answers, sockets close, the report is
 * written. A second signal or `--stop-timeout` cuts the stop short: the summary and the report say
 * how many transactions were left open, and the exit code is {@link EXIT_LEFT_OPEN}.
 */
import { createServer, isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import { FleetControl } from '../scenarios/fleet/FleetControl.js';
import { FleetThreads } from '../scenarios/fleet/FleetThreads.js';
import { autoThreads, FLEET_STOP_MS, tuneHeapForFleet } from '../scenarios/fleet/fleetHeap.js';
import { shardPositions, type Shard } from '../scenarios/fleet/fleetIds.js';
import { serveFleetMetrics, type FleetMetricsServer } from '../scenarios/fleet/fleetPrometheus.js';
import { FleetProgress } from '../scenarios/fleet/FleetProgress.js';
import { formatSummary } from '../scenarios/fleet/formatReport.js';
import { reportHtml } from '../scenarios/fleet/reportHtml.js';
import { describeMix, parseOcppOption, type OcppVersionMix } from '../scenarios/fleet/ocppVersions.js';
import { htmlReportFile, resolveBehaviourOptions, resolveShard, type FleetCommandOptions } from './fleetOptions.js';
import { EX_USAGE } from './commandLine.js';
import { createLogger, prettyLogs } from './logger.js';
import { checkOutputFiles, describeWritten, EX_CANTCREAT, writeOutputFiles } from './outputFiles.js';
import { fileLimitProblem } from './fleetLimits.js';
import { checkProcessLimits, processesConflict, runFleetProcesses, STOP_WITH_PARENT, watchParent } from './fleetProcesses.js';

export type { FleetCommandOptions } from './fleetOptions.js';


/** Exit code of a fleet whose stop left transactions open at the CSMS (cut short by --stop-timeout or a second signal). */
export const EXIT_LEFT_OPEN = 1;

export async function runFleetCommand(opts: FleetCommandOptions): Promise<number> {
  let fleet: Fleet | FleetThreads;
  let threads: number;
  let shard: Shard | undefined;
  let mix: OcppVersionMix | undefined;
  if (opts.csms === undefined || opts.count === undefined) {
    process.stderr.write(`evse fleet: ${opts.csms === undefined ? '--csms <url>' : '--count <n>'} is required (or: evse fleet merge <reports...>)\n`);
    return EX_USAGE;
  }
  const html = htmlReportFile(opts.html, opts.report);
  const jsonOut = opts.report === undefined ? undefined : { option: '--report', file: opts.report, what: 'JSON report' };
  const htmlOut = html === undefined ? undefined : { option: opts.html === undefined ? '--report' : '--html', file: html, what: 'HTML report' };
  try {
    await checkOutputFiles([jsonOut, htmlOut]);
    if (!/^wss?:\/\//.test(opts.csms)) throw new RangeError(`--csms: expected a ws:// or wss:// URL, got "${opts.csms}"`);
    if (!Number.isInteger(opts.count) || opts.count < 1) throw new RangeError(`--count: expected a positive integer, got ${opts.count}`);
    if (!Number.isInteger(opts.connectors) || opts.connectors < 1 || opts.connectors > 8) throw new RangeError(`--connectors: expected 1..8, got ${opts.connectors}`);
    shard = resolveShard(opts.shard, opts.shards);
    const ocppVersions = opts.ocpp === undefined ? undefined : parseOcppOption(opts.ocpp);
    const planned = shardPositions(opts.count, shard).length;
    // auto: one thread per 10,000 chargers of this process, at most one per core (fleetHeap.ts).
    threads = opts.threads === 'auto' ? autoThreads(planned, availableParallelism()) : Number(opts.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new RangeError(`--threads: expected auto or 1..256, got "${opts.threads}"`);
    const localAddresses = opts.localAddress === undefined ? undefined : await parseLocalAddresses(opts.localAddress);
    const processes = opts.processes ?? 1;
    if (!Number.isInteger(processes) || processes < 1 || processes > 64) throw new RangeError(`--processes: expected 1..64, got ${opts.processes}`);
    if (processes > 1) {
      const conflict = processesConflict(opts);
      if (conflict) throw new RangeError(conflict);
      await resolveBehaviourOptions(opts);
      const plan = { processes, shard, localAddresses, jsonOut, htmlOut };
      const limits = checkProcessLimits(opts, plan);
      if (limits.error) throw new RangeError(limits.error);
      for (const w of limits.warnings) process.stderr.write(`evse fleet: warning: ${w}\n`);
      // Past the checks: what goes wrong now is not a usage error.
      return await runFleetProcesses(opts, plan).catch((err: unknown) => {
        process.stderr.write(`evse fleet: ${(err as Error).message}\n`);
        return 1;
      });
    }
    // One process holds every socket: say now what EMFILE would say 20,000 connects later.
    const files = fileLimitProblem(planned, 1, planned);
    if (files) process.stderr.write(`evse fleet: warning: ${files}\n`);
    const behaviour = await resolveBehaviourOptions(opts);
    mix = ocppVersions ?? behaviour.profile?.ocppVersions;
    const options = {
      csmsUrl: opts.csms.replace(/\/+$/, ''),
      count: opts.count,
      idPrefix: opts.idPrefix,
      rampPerSecond: opts.ramp,
      connectors: opts.connectors,
      ...(shard !== undefined && { shard }),
      seed: opts.seed,
      behaviour,
      ...(ocppVersions && { ocppVersions }),
      ...(localAddresses && { localAddresses }),
      maxBooting: opts.maxBooting,
    };
    tuneHeapForFleet();
    const log = createLogger(opts.logLevel, { pretty: opts.pretty });
    fleet = threads === 1 ? new Fleet({ ...options, log }) : new FleetThreads({ ...options, log, logLevel: opts.logLevel, pretty: prettyLogs(opts.pretty), threads });
  } catch (err) {
    process.stderr.write(`evse fleet: ${(err as Error).message}\n`);
    return EX_USAGE;
  }

  let control: FleetControl | undefined;
  if (opts.controlPort !== undefined) {
    const host = opts.controlHost ?? '127.0.0.1';
    control = new FleetControl({ target: fleet, host, port: opts.controlPort });
    try {
      const { url } = await control.start();
      process.stderr.write(`evse fleet: control API on ${url}\n`);
    } catch (err) {
      process.stderr.write(`evse fleet: --control-port: cannot listen on ${host}:${opts.controlPort}: ${(err as Error).message}\n`);
      return EX_USAGE;
    }
  }
  const versions = mix && describeMix(mix) !== '1.6' ? ` speaking OCPP ${describeMix(mix)}` : '';
  process.stderr.write(`evse fleet: ${describePlan(fleet.planned, opts.count, shard)}${versions} against ${opts.csms} at ${opts.ramp}/s on ${threads} thread(s)\n`);
  let metrics: FleetMetricsServer | undefined;
  if (opts.metricsPort !== undefined) {
    const host = opts.metricsHost ?? '127.0.0.1';
    try {
      metrics = await serveFleetMetrics({ host, port: opts.metricsPort, report: () => fleet.report() });
      process.stderr.write(`evse fleet: Prometheus metrics on ${metrics.url}\n`);
    } catch (err) {
      process.stderr.write(`evse fleet: --metrics-port: cannot listen on ${host}:${opts.metricsPort}: ${(err as Error).message}\n`);
      await control?.stop();
      return EX_USAGE;
    }
  }
  const progress = new FleetProgress({ report: () => fleet.report(), intervalS: opts.progress });

  // SIGINT/SIGTERM (or --duration) stops gracefully; a signal during the stop cuts it short, the
  // next one ends the process (Node's default).
  let stopping = false;
  let unwatchParent: (() => void) | undefined;
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (!stopping) return resolve(signal);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stderr.write(`evse fleet: ${signal} again: stopping at once, transactions not yet ended stay open\n`);
      fleet.cutShort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (opts.duration !== undefined) setTimeout(() => resolve('duration'), opts.duration).unref();
    // A shard process of `--processes` (or a harness) that must not outlive its parent: the parent
    // holds our stdin open and never writes; when it ends, however it ends, stdin ends and we stop.
    if (process.env[STOP_WITH_PARENT] === '1') unwatchParent = watchParent(() => resolve('parent ended'));
  });
  void fleet.start();
  const why = await stopped;
  unwatchParent?.();
  progress.stop();
  const withinMs = opts.stopTimeout ?? FLEET_STOP_MS;
  process.stderr.write(`evse fleet: stopping (${why}): ending every transaction, at most ${withinMs / 1000} s; SIGINT/SIGTERM again stops at once and leaves the rest open\n`);
  stopping = true;
  const t0 = performance.now();
  const report = await fleet.stop(withinMs);
  // After the fleet: event streams carry the stop's events, then `fleet-stopped` with the totals.
  await control?.stop(report);
  const full = { ...report, stopMs: Math.round(performance.now() - t0) };
  const written = await writeOutputFiles([
    jsonOut && { ...jsonOut, content: () => `${JSON.stringify(full, null, 2)}\n` },
    htmlOut && { ...htmlOut, content: () => reportHtml(report) },
  ]);
  await metrics?.close();
  for (const w of written) if (!w.ok) process.stderr.write(`evse fleet: ${w.option} ${w.file}: cannot write the ${w.what} (${w.error})\n`);
  process.stdout.write(`${formatSummary(report)}\n  stopped in ${full.stopMs} ms\n${written.map((w) => `  ${describeWritten(w)}\n`).join('')}`);
  if (!written.every((w) => w.ok)) return EX_CANTCREAT;
  return (report.stop?.leftOpen ?? 0) > 0 ? EXIT_LEFT_OPEN : 0;
}

/** `10 chargers`, or for a shard `shard 1/4: 3 chargers of 10`. */
function describePlan(planned: number, count: number, shard: Shard | undefined): string {
  return shard === undefined || shard.count === 1 ? `${planned} chargers` : `shard ${shard.index}/${shard.count}: ${planned} chargers of ${count}`;
}

/**
 * `--local-address a,b,…`: IP addresses of this machine. Each is bound once here, so a typo or an
 * address the machine does not have fails now with its name, not later as 10,000 failed connects.
 */
export async function parseLocalAddresses(text: string): Promise<string[]> {
  const addresses = text.split(',').map((a) => a.trim());
  for (const address of addresses) {
    if (isIP(address) === 0) throw new RangeError(`--local-address: expected IP addresses separated by commas, got "${address}" in "${text}"`);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', (err: NodeJS.ErrnoException) => reject(new RangeError(`--local-address: ${address} is not an address of this machine (${err.code ?? err.message})`)));
      probe.listen(0, address, () => probe.close(() => resolve()));
    });
  }
  return [...new Set(addresses)];
}
