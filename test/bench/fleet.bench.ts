/**
 * `npm run bench:fleet`: connect+boot time, CPU and memory per charger of a fleet, each row in a
 * fresh Node process (so one row's heap does not inflate the next), against `evse csms --quiet`
 * (strict both ways, counting instead of printing every frame) in its own process on 127.0.0.1
 * (its memory is not counted; its final count line is printed after each row).
 *
 * Chargers have 1 connector and no sessions (booted, statuses reported); `--steady` instead runs
 * test/bench/fleetSteady.bench.ts (every connector charging, CPU in steady state), `--sites`
 * test/bench/fleetSites.bench.ts (site load management: obey latencies, site power), `--reconnect`
 * test/bench/fleetReconnect.bench.ts (the spread of reconnections after a CSMS restart), `--scale` the
 * 50,000-charger boot of test/bench/fleetScale.bench.ts (`evse fleet --processes 3` against the
 * strict CSMS as a 4-worker cluster; opt-in, minutes). Environment:
 * - BENCH_FLEET_SIZES: chargers per row (default 1000,5000,10000); a row above 20,000 runs as the
 *   `--scale` case with that count
 * - BENCH_FLEET_MODES: `auto` (what `evse fleet` does by default), `1` (in this thread, as
 *   `--threads 1`) or a worker count (default auto)
 * - BENCH_FLEET_RAMP: chargers started per second (default 2000)
 * - BENCH_FLEET_GC=0: without the fleet heap setting (scenarios/fleet/fleetHeap.ts), to compare
 * - BENCH_FLEET_LOCAL_ADDRESSES: `--local-address` list (e.g. 127.0.0.2,127.0.0.3 past ~28,000)
 * - BENCH_FLEET_OCPP: the chargers' OCPP version, `1.6` (default), `2.0.1` or a mix in percent by
 *   position (`1.6:70,2.0.1:30`), as `evse fleet --ocpp`; also for `--steady`
 * - BENCH_FLEET_CPU_PROFILE=<file>: a V8 CPU profile of the boot only (start until the last
 *   boot; one-thread rows), for Chrome DevTools / speedscope
 *
 * Figures: peak RSS = the whole process (all threads), sampled every 20 ms from start until 2 s
 * after the last boot; RSS after = at that moment (no forced GC); heap = live heap per charger
 * added by the fleet, after a forced GC (one-thread rows only); CPU = user+system until booted, of the whole
 * fleet process and (from /proc) of the CSMS process, each also per booted charger.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Fleet } from '../../scenarios/fleet/Fleet.js';
import { autoThreads, tuneHeapForFleet } from '../../scenarios/fleet/fleetHeap.js';
import { FleetThreads } from '../../scenarios/fleet/FleetThreads.js';
import { describeMix, parseOcppOption } from '../../scenarios/fleet/ocppVersions.js';
import { startCsms } from './fleetCsms.js';
import { runSteadyBench } from './fleetSteady.bench.js';
import { runSitesBench } from './fleetSites.bench.js';
import { formatReconnect, runReconnectBench } from './fleetReconnect.bench.js';
import { runScaleBench } from './fleetScale.bench.js';

/** Rows above this run as `evse fleet --processes` against the CSMS cluster (fleetScale.bench.ts): one process may hold 20,000 sockets here. */
const ONE_PROCESS_MAX = 20_000;

const RAMP = Number(process.env.BENCH_FLEET_RAMP ?? 2000);
const LOCAL = process.env.BENCH_FLEET_LOCAL_ADDRESSES?.split(',');
const OCPP = process.env.BENCH_FLEET_OCPP ? parseOcppOption(process.env.BENCH_FLEET_OCPP) : undefined;
const kb = (bytes: number, n: number) => `${(bytes / 1024 / n).toFixed(1)} KB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  n: number;
  threads: number;
  bootS: number;
  cpuS: number;
  /** CPU seconds of the CSMS process from start() until booted. */
  csmsCpuS: number;
  peakRss: number;
  rss: number;
  heap?: number;
  stopS: number;
  csms: string;
}

/** One row, in this (fresh) process. */
async function measure(n: number, mode: string): Promise<Row> {
  if (process.env.BENCH_FLEET_GC !== '0') tuneHeapForFleet();
  const threads = mode === 'auto' ? autoThreads(n, availableParallelism()) : Number(mode);
  const csms = await startCsms();
  const options = { csmsUrl: csms.url, count: n, idPrefix: 'B', rampPerSecond: RAMP, behaviour: false as const, ...(LOCAL && { localAddresses: LOCAL }), ...(OCPP && { ocppVersions: OCPP }) };
  const fleet = threads === 1 ? new Fleet({ ...options, log: pino({ level: 'silent' }) }) : new FleetThreads({ ...options, logLevel: 'silent', threads });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const booted = () => (fleet instanceof Fleet ? fleet.accepted : fleet.report().chargers.accepted);
  const profiler = process.env.BENCH_FLEET_CPU_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const csmsCpu0 = csms.cpuS();
  const t0 = performance.now();
  void fleet.start();
  let peakRss = 0;
  const deadline = Date.now() + 180_000;
  while (booted() < n && Date.now() < deadline) {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    await sleep(20);
  }
  // Worker progress arrives once a second: their boot time is known to ±1 s.
  const bootS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const csmsCpuS = csms.cpuS() - csmsCpu0;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_FLEET_CPU_PROFILE!, JSON.stringify(profile));
    profiler.disconnect();
  }
  if (booted() < n) throw new Error(`only ${booted()} of ${n} chargers booted`);
  for (let i = 0; i < 100; i++) {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    await sleep(20);
  }
  const rss = process.memoryUsage.rss();
  let heap: number | undefined;
  if (fleet instanceof Fleet && gc) {
    await Promise.all(fleet.chargers.map((c) => c.agent.whenIdle(10_000)));
    gc();
    heap = process.memoryUsage().heapUsed - heap0;
  }
  const t1 = performance.now();
  await fleet.stop(8000);
  const stopS = (performance.now() - t1) / 1000;
  return { n, threads, bootS, cpuS: (cpu.user + cpu.system) / 1e6, csmsCpuS, peakRss, rss, ...(heap !== undefined && { heap }), stopS, csms: await csms.stop() };
}

function runRow(n: number, mode: string): Promise<Row> {
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_FLEET_ONE: `${n}:${mode}` }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as Row);
      else reject(new Error(`row ${n}:${mode} failed (exit ${code}): ${out}`));
    }),
  );
}

if (process.argv.includes('--steady')) {
  await runSteadyBench();
} else if (process.argv.includes('--sites')) {
  await runSitesBench();
} else if (process.argv.includes('--reconnect')) {
  console.log(formatReconnect(await runReconnectBench()));
  process.exit(0);
} else if (process.argv.includes('--scale')) {
  process.exitCode = await runScaleBench();
} else if (process.env.BENCH_FLEET_ONE) {
  const [n, mode] = process.env.BENCH_FLEET_ONE.split(':');
  process.stdout.write(`${JSON.stringify(await measure(Number(n), mode!))}\n`);
  process.exit(0);
} else {
  const sizes = (process.env.BENCH_FLEET_SIZES ?? '1000,5000,10000').split(',').map(Number);
  const modes = (process.env.BENCH_FLEET_MODES ?? 'auto').split(',');
  console.log(`fleet bench: OCPP ${describeMix(OCPP)}, ramp ${RAMP}/s, heap setting ${process.env.BENCH_FLEET_GC === '0' ? 'off' : 'on'}${LOCAL ? `, local addresses ${LOCAL.join(',')}` : ''}, Node ${process.version}`);
  for (const n of sizes) {
    if (n > ONE_PROCESS_MAX) {
      if ((await runScaleBench(n)) !== 0) process.exitCode = 1;
      continue;
    }
    for (const mode of modes) {
      const r = await runRow(n, mode);
      console.log(
        `${n} chargers, ${r.threads} thread(s)${mode === 'auto' ? ' (auto)' : ''}: booted in ${r.bootS.toFixed(1)} s${r.threads > 1 ? ' (±1 s)' : ''}, CPU fleet ${r.cpuS.toFixed(1)} s (${((r.cpuS * 1000) / n).toFixed(2)} ms per boot), CSMS ${r.csmsCpuS.toFixed(1)} s (${((r.csmsCpuS * 1000) / n).toFixed(2)} ms); ` +
          `peak RSS ${kb(r.peakRss, n)} per charger (${(r.peakRss / 1048576).toFixed(0)} MB), after ${kb(r.rss, n)}` +
          `${r.heap !== undefined ? `, live heap ${kb(r.heap, n)} (marginal)` : ''}; stop ${r.stopS.toFixed(1)} s`,
      );
      console.log(`  csms: ${r.csms}`);
    }
  }
}
