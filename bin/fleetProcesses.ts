/**
 * `evse fleet --processes P`: the fleet as P shard processes started by this one, for fleets larger
 * than one process may hold (open files, ephemeral ports, one event loop). Process j runs the
 * composed shard `i + n·j` of `n·P` of this command's shard i/n (the same residues as worker
 * threads, FleetThreads.ts), with `--ramp` and the source addresses split between them, and writes
 * its report to a temporary file; once all have ended this process merges the reports
 * (mergeReports.ts, as `evse fleet merge` does), writes `--report`/`--html` and prints the summary.
 *
 * The children run in their own process group: a terminal's Ctrl-C reaches this process only, which
 * passes each signal on (the first: graceful stop; the second: cut short), so every shard sees it
 * once. Their stderr (start line, progress, logs) is passed through, each line marked with its shard.
 * Their stdin is a pipe from this process: should it die without stopping them (SIGKILL, a crash),
 * the pipe ends and they stop gracefully on their own ({@link STOP_WITH_PARENT}).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { autoThreads, bootOldSpaceFlag } from '../scenarios/fleet/fleetHeap.js';
import { shardPositions, type Shard } from '../scenarios/fleet/fleetIds.js';
import { formatSummary } from '../scenarios/fleet/formatReport.js';
import { mergeReports } from '../scenarios/fleet/mergeReports.js';
import { reportHtml } from '../scenarios/fleet/reportHtml.js';
import { ephemeralPorts, fileLimitProblem, openFileLimit } from './fleetLimits.js';
import type { FleetCommandOptions } from './fleetOptions.js';
import { describeWritten, EX_CANTCREAT, writeOutputFiles, type OutputFile } from './outputFiles.js';

/** Environment variable: `1` makes `evse fleet` stop gracefully when its stdin ends (its parent has ended). */
export const STOP_WITH_PARENT = 'EVSE_FLEET_STOP_WITH_PARENT';

/**
 * Calls `ended` once stdin ends or fails (the parent that holds it has ended). The returned
 * function stops watching and lets go of stdin, which would otherwise keep the process alive.
 */
export function watchParent(ended: () => void): () => void {
  process.stdin.once('end', ended);
  process.stdin.once('error', ended);
  process.stdin.resume();
  return () => {
    process.stdin.off('end', ended);
    process.stdin.off('error', ended);
    process.stdin.destroy();
  };
}

/** What the command checked before it starts the shard processes. */
export interface ProcessesPlan {
  processes: number;
  /** This command's own slice (--shard/--shards), if any. */
  shard: Shard | undefined;
  /** Source addresses, checked (--local-address), or undefined. */
  localAddresses: string[] | undefined;
  jsonOut: OutputFile | undefined;
  htmlOut: OutputFile | undefined;
}

/** Composed shard of process j of P within `shard`: `i + n·j` of `n·P`. */
export function processShard(shard: Shard | undefined, j: number, processes: number): Shard {
  const s = shard ?? { index: 0, count: 1 };
  return { index: s.index + s.count * j, count: s.count * processes };
}

/**
 * Source addresses of process j: with at least as many addresses as processes, every P-th one
 * (disjoint sets); with fewer, one each, in turn. Without --local-address, towards a CSMS on this
 * machine (loopback), 127.0.0.(2+j): Linux answers on all of 127/8, and each source address
 * brings its own ≈ 28,000 ephemeral ports.
 */
export function processAddresses(addresses: readonly string[] | undefined, j: number, processes: number, csmsUrl: string): string[] | undefined {
  if (addresses && addresses.length > 0) {
    if (addresses.length >= processes) return addresses.filter((_, i) => i % processes === j);
    return [addresses[j % addresses.length]!];
  }
  if (processes > 1 && isLoopbackUrl(csmsUrl) && process.platform === 'linux' && j < 250) return [`127.0.0.${2 + j}`];
  return undefined;
}

function isLoopbackUrl(url: string): boolean {
  const host = URL.canParse(url) ? new URL(url).hostname : '';
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Chargers and threads of shard process j; `--threads auto`: the processes already spread over the cores, each takes its share. */
function shardSize(opts: FleetCommandOptions, plan: ProcessesPlan, j: number): { planned: number; threads: number } {
  const planned = shardPositions(opts.count!, processShard(plan.shard, j, plan.processes)).length;
  const threads = opts.threads === 'auto' ? autoThreads(planned, Math.max(1, Math.floor(availableParallelism() / plan.processes))) : Number(opts.threads);
  return { planned, threads };
}

/** The `evse fleet` arguments of shard process j (everything but what this process does for all). */
export function shardProcessArgs(opts: FleetCommandOptions, plan: ProcessesPlan, j: number, reportFile: string): string[] {
  const P = plan.processes;
  const shard = processShard(plan.shard, j, P);
  const { threads } = shardSize(opts, plan, j);
  const addresses = processAddresses(plan.localAddresses, j, P, opts.csms!);
  const args = [
    'fleet',
    '--csms', opts.csms!,
    '--count', String(opts.count),
    '--id-prefix', opts.idPrefix,
    '--ramp', String(opts.ramp / P),
    '--connectors', String(opts.connectors),
    '--shard', `${shard.index}/${shard.count}`,
    '--seed', String(opts.seed),
    '--progress', String(opts.progress),
    '--threads', String(threads),
    '--max-booting', String(opts.maxBooting),
    '--log-level', opts.logLevel,
    '--report', reportFile,
    '--html', reportFile.replace(/\.json$/, '.html'),
  ];
  if (opts.duration !== undefined) args.push('--duration', `${opts.duration}ms`);
  if (opts.stopTimeout !== undefined) args.push('--stop-timeout', `${opts.stopTimeout}ms`);
  if (opts.profile !== undefined) args.push('--profile', opts.profile);
  if (opts.ocpp !== undefined) args.push('--ocpp', opts.ocpp);
  if (opts.idle !== undefined) args.push('--idle', opts.idle);
  if (opts.charge !== undefined) args.push('--charge', opts.charge);
  if (addresses) args.push('--local-address', addresses.join(','));
  const pretty = opts.pretty ?? process.stderr.isTTY === true;
  args.push(pretty ? '--pretty' : '--no-pretty');
  return args;
}

/**
 * Node flags of shard process j: this process's own, and an old space sized for its chargers
 * (fleetHeap.ts, bootOldSpaceFlag) unless the user sized it (flag or NODE_OPTIONS).
 */
export function shardNodeFlags(opts: FleetCommandOptions, plan: ProcessesPlan, j: number, execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  if ([...execArgv, nodeOptions].some((f) => f.includes('old-space-size') || f.includes('old_space_size'))) return [...execArgv];
  const { planned, threads } = shardSize(opts, plan, j);
  const flag = bootOldSpaceFlag(Math.ceil(planned / threads));
  return flag ? [...execArgv, flag] : [...execArgv];
}

/** Options that address one process and cannot be given to P of them. */
export function processesConflict(opts: FleetCommandOptions): string | undefined {
  if (opts.controlPort !== undefined) return '--control-port cannot be used with --processes (each shard process would need its own API); run the shard processes yourself with --shard i/n to control them';
  if (opts.metricsPort !== undefined) return '--metrics-port cannot be used with --processes (each shard process would need its own port); run the shard processes yourself with --shard i/n and --metrics-port each';
  return undefined;
}

/** Checks the machine's limits for P processes; a problem is a usage error, a risk a warning line. */
export function checkProcessLimits(opts: FleetCommandOptions, plan: ProcessesPlan): { error?: string; warnings: string[] } {
  const P = plan.processes;
  const sizes = Array.from({ length: P }, (_, j) => shardPositions(opts.count!, processShard(plan.shard, j, P)).length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const problem = fileLimitProblem(Math.max(...sizes), P, total);
  if (problem) return { error: `--processes ${P}: ${problem}`, warnings: [] };
  const warnings: string[] = [];
  const ports = ephemeralPorts();
  const perAddress = new Map<string, number>();
  for (let j = 0; j < P; j++) {
    const addresses = processAddresses(plan.localAddresses, j, P, opts.csms!) ?? ['(default)'];
    for (const a of addresses) perAddress.set(a, (perAddress.get(a) ?? 0) + sizes[j]! / addresses.length);
  }
  for (const [address, n] of perAddress)
    if (ports !== undefined && n > ports)
      warnings.push(`about ${Math.round(n)} chargers would connect from source address ${address}, which has ${ports} ephemeral ports towards one CSMS address and port: give more addresses with --local-address`);
  return { warnings };
}

interface Shardling {
  j: number;
  shard: Shard;
  child: ChildProcess;
  stdout: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function runFleetProcesses(opts: FleetCommandOptions, plan: ProcessesPlan): Promise<number> {
  const P = plan.processes;
  const dir = await mkdtemp(join(tmpdir(), 'evse-fleet-'));
  const evse = process.argv[1]!;
  const shards: Shardling[] = [];
  const limit = openFileLimit();
  const sources = Array.from({ length: P }, (_, j) => processAddresses(plan.localAddresses, j, P, opts.csms!)?.join('+') ?? 'default');
  process.stderr.write(
    `evse fleet: ${P} processes (${plan.shard ? `shard ${plan.shard.index}/${plan.shard.count} of ` : ''}${opts.count} chargers) against ${opts.csms} at ${opts.ramp}/s in all; ` +
      `source addresses ${sources.join(', ')}${limit !== undefined && Number.isFinite(limit) ? `; open files ≤ ${limit} per process` : ''}\n`,
  );
  for (let j = 0; j < P; j++) {
    const shard = processShard(plan.shard, j, P);
    const env = { ...process.env };
    // The composed --shard names the slice; a Job index must not be read again by each child.
    delete env.JOB_COMPLETION_INDEX;
    delete env.EVSE_FLEET_SHARDS;
    // Each holds a pipe from us as stdin: should this process die without stopping them (SIGKILL),
    // the pipe ends and they stop gracefully instead of running on unseen.
    env[STOP_WITH_PARENT] = '1';
    const child = spawn(process.execPath, [...shardNodeFlags(opts, plan, j), evse, ...shardProcessArgs(opts, plan, j, join(dir, `shard-${j}.json`))], {
      env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const s: Shardling = {
      j,
      shard,
      child,
      stdout: '',
      exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    };
    child.stdout!.on('data', (d: Buffer) => (s.stdout += d.toString()));
    const tag = `[${shard.index}/${shard.count}] `;
    createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`${tag}${line}\n`));
    shards.push(s);
  }
  const alive = () => shards.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  const killAll = () => {
    for (const s of alive()) s.child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) process.stderr.write(`evse fleet: ${signal}: stopping the ${alive().length} shard processes gracefully; again: cut the stop short\n`);
    else if (signals === 2) process.stderr.write(`evse fleet: ${signal} again: the shard processes stop at once, transactions not yet ended stay open\n`);
    else {
      process.stderr.write(`evse fleet: ${signal} a third time: killing the shard processes\n`);
      killAll();
      return;
    }
    for (const s of alive()) s.child.kill('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by a harness that must not leave us behind: its end is a stop signal.
  const unwatch = process.env[STOP_WITH_PARENT] === '1' ? watchParent(() => onSignal('SIGTERM')) : undefined;
  const t0 = performance.now();
  const exits = await Promise.all(shards.map((s) => s.exit));
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('exit', killAll);
  unwatch?.();

  const reports: FleetReport[] = [];
  const failed: string[] = [];
  for (const s of shards) {
    const { code, signal } = exits[s.j]!;
    const name = `shard process ${s.shard.index}/${s.shard.count} (pid ${s.child.pid})`;
    if (code !== 0 && code !== 1) failed.push(`${name} ended with ${signal ?? `exit ${code}`}`);
    try {
      reports.push(JSON.parse(await readFile(join(dir, `shard-${s.j}.json`), 'utf8')) as FleetReport);
    } catch {
      failed.push(`${name} wrote no report${s.stdout ? `; its output: ${s.stdout.trim()}` : ''}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  for (const f of failed) process.stderr.write(`evse fleet: ${f}\n`);
  if (reports.length === 0) {
    // Nothing ran: the children's own exit code (e.g. 64 for an option they refused) says why.
    const codes = new Set(exits.map((e) => e.code));
    return codes.size === 1 && typeof exits[0]!.code === 'number' && exits[0]!.code !== 0 ? exits[0]!.code : 1;
  }
  const report = mergeReports(reports.map((r) => ({ report: r })), plan.shard ?? { index: 0, count: 1 });
  const stopMs = Math.max(0, ...reports.map((r) => (r as { stopMs?: number }).stopMs ?? 0));
  const full = { ...report, stopMs, processes: P };
  const written = await writeOutputFiles([
    plan.jsonOut && { ...plan.jsonOut, content: () => `${JSON.stringify(full, null, 2)}\n` },
    plan.htmlOut && { ...plan.htmlOut, content: () => reportHtml(report) },
  ]);
  for (const w of written) if (!w.ok) process.stderr.write(`evse fleet: ${w.option} ${w.file}: cannot write the ${w.what} (${w.error})\n`);
  process.stdout.write(
    `${formatSummary(report)}\n  ${P} shard processes, ${reports.length} reports merged; stopped in ${stopMs} ms (slowest shard), all ended ${Math.round(performance.now() - t0)} ms after the start\n` +
      `${written.map((w) => `  ${describeWritten(w)}\n`).join('')}`,
  );
  if (failed.length > 0) return 1;
  if (!written.every((w) => w.ok)) return EX_CANTCREAT;
  return (report.stop?.leftOpen ?? 0) > 0 ? 1 : 0;
}
