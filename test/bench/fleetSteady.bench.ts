/**
 * `npm run bench:fleet -- --steady`: steady-state CPU of a fleet in which every connector charges,
 * with MeterValues every 60 s (config/fleet/steady.yaml: an EV ≈ 1 s after boot, a day-long
 * session, RFID start), against `evse csms --quiet` in its own process on 127.0.0.1. Each row in a
 * fresh Node process. Environment:
 * - BENCH_FLEET_SIZES: chargers per row (default 10000; 1 connector each)
 * - BENCH_FLEET_MODES: `auto` (as `evse fleet`), `1` or a worker count (default auto)
 * - BENCH_FLEET_RAMP: chargers started per second (default 2000)
 * - BENCH_FLEET_STEADY_S: measurement window, s (default 180: three MeterValues per connector)
 * - BENCH_FLEET_STEADY_LIMIT_S: longest wait for every connector charging, s (default 300; a
 *   loaded machine may need more)
 * - BENCH_FLEET_OCPP: the chargers' OCPP version(s), as `evse fleet --ocpp` (default 1.6); a 2.0.1
 *   charger's meter values in a transaction are TransactionEvent Updated, counted with MeterValues
 *
 * Figures over the window, which starts 5 s after every connector has a transaction: CPU of the
 * whole fleet process (process.cpuUsage: all threads) and of the CSMS process (/proc), as % of 2
 * cores; messages/s both ways (the fleet's count); RSS of the fleet process (peak in the window
 * sampled every 100 ms, and peak since start). Then the graceful stop as on SIGTERM (Fleet.stop with
 * FLEET_STOP_MS): its duration, the StopTransactions the CSMS answered within it, the transactions
 * it left open, the CPU of both processes and the RSS peak during it.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Fleet } from '../../scenarios/fleet/Fleet.js';
import { autoThreads, FLEET_STOP_MS, tuneHeapForFleet } from '../../scenarios/fleet/fleetHeap.js';
import { FleetThreads } from '../../scenarios/fleet/FleetThreads.js';
import { loadProfile } from '../../scenarios/fleet/profileLoader.js';
import { describeMix, parseOcppOption } from '../../scenarios/fleet/ocppVersions.js';
import { startCsms, type BenchCsms } from './fleetCsms.js';

const RAMP = Number(process.env.BENCH_FLEET_RAMP ?? 2000);
const WINDOW_S = Number(process.env.BENCH_FLEET_STEADY_S ?? 180);
const CHARGING_LIMIT_S = Number(process.env.BENCH_FLEET_STEADY_LIMIT_S ?? 300);
const OCPP = process.env.BENCH_FLEET_OCPP ? parseOcppOption(process.env.BENCH_FLEET_OCPP) : undefined;
const CORES = 2;
const compiled = fileURLToPath(import.meta.url).includes('/dist/');
const PROFILE = fileURLToPath(new URL(compiled ? '../../../config/fleet/steady.yaml' : '../../config/fleet/steady.yaml', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

interface SteadyRow {
  n: number;
  threads: number;
  /** From start until every connector had a transaction. */
  chargingS: number;
  fleetCpuPct: number;
  csmsCpuPct: number;
  messagesPerS: number;
  meterValuesPerS: number;
  rssWindowPeak: number;
  rssPeak: number;
  charging: number;
  /** Graceful stop: seconds, StopTransactions the CSMS answered during it, RSS peak during it. */
  stopS: number;
  stopsConfirmed: number;
  /** CPU seconds during the stop: fleet process (all threads), CSMS process. */
  stopFleetCpuS: number;
  stopCsmsCpuS: number;
  rssStopPeak: number;
  /** The stop's own account (FleetStop.ts): transactions left open, and whether it was cut short. */
  leftOpen?: number;
  cutShort?: string;
  csms: string;
}

/** CPU seconds used from now on by this process (all threads) and by the CSMS process: call the result to read them. */
function cpuSince(csms: BenchCsms): () => { fleetS: number; csmsS: number } {
  const fleet0 = process.cpuUsage();
  const csms0 = csms.cpuS();
  return () => {
    const fleet = process.cpuUsage(fleet0);
    return { fleetS: (fleet.user + fleet.system) / 1e6, csmsS: csms.cpuS() - csms0 };
  };
}

async function measure(n: number, mode: string): Promise<SteadyRow> {
  tuneHeapForFleet();
  const threads = mode === 'auto' ? autoThreads(n, availableParallelism()) : Number(mode);
  const profile = await loadProfile(PROFILE);
  const csms = await startCsms();
  const options = { csmsUrl: csms.url, count: n, idPrefix: 'S', rampPerSecond: RAMP, behaviour: { profile }, ...(OCPP && { ocppVersions: OCPP }) };
  const fleet = threads === 1 ? new Fleet({ ...options, log: pino({ level: 'warn' }) }) : new FleetThreads({ ...options, logLevel: 'warn', threads });
  const charging = () => {
    const t = fleet.report().transactions;
    return t.started - t.stopped;
  };
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 100);
  const t0 = performance.now();
  void fleet.start();
  const deadline = Date.now() + CHARGING_LIMIT_S * 1000;
  while (charging() < n && Date.now() < deadline) await sleep(200);
  const chargingS = (performance.now() - t0) / 1000;
  if (charging() < n) throw new Error(`only ${charging()} of ${n} connectors charging after ${CHARGING_LIMIT_S} s`);
  await sleep(5000);
  const rssBefore = rssPeak;
  rssPeak = 0;
  const report0 = fleet.report();
  const windowCpu = cpuSince(csms);
  const w0 = performance.now();
  await sleep(WINDOW_S * 1000);
  const windowS = (performance.now() - w0) / 1000;
  const cpu = windowCpu();
  const report1 = fleet.report();
  const rssWindowPeak = rssPeak;
  const still = charging();
  // The graceful stop as `evse fleet` does it on SIGTERM: every transaction ends with a
  // StopTransaction the CSMS answers, every socket closes, within FLEET_STOP_MS.
  const stoppedBefore = fleet.report().transactions.stopped;
  rssPeak = 0;
  const t1 = performance.now();
  const stopCpu = cpuSince(csms);
  const final = await fleet.stop(FLEET_STOP_MS);
  const stopS = (performance.now() - t1) / 1000;
  const { fleetS: stopFleetCpuS, csmsS: stopCsmsCpuS } = stopCpu();
  clearInterval(sampler);
  const rssStopPeak = rssPeak;
  const msgs = (r: typeof report0) => r.messages.out + r.messages.in;
  // In a transaction a 2.0.1 charger's meter values are TransactionEvent Updated (the window has no starts or stops).
  const mv = (r: typeof report0) => (r.actions.MeterValues?.sent ?? 0) + (r.actions.TransactionEvent?.sent ?? 0);
  return {
    n,
    threads,
    chargingS,
    fleetCpuPct: (cpu.fleetS / windowS / CORES) * 100,
    csmsCpuPct: (cpu.csmsS / windowS / CORES) * 100,
    messagesPerS: (msgs(report1) - msgs(report0)) / windowS,
    meterValuesPerS: (mv(report1) - mv(report0)) / windowS,
    rssWindowPeak,
    rssPeak: Math.max(rssBefore, rssWindowPeak),
    charging: still,
    stopS,
    stopsConfirmed: final.transactions.stopped - stoppedBefore,
    stopFleetCpuS,
    stopCsmsCpuS,
    rssStopPeak,
    ...(final.stop && { leftOpen: final.stop.leftOpen, ...(final.stop.cutShort && { cutShort: final.stop.cutShort }) }),
    csms: await csms.stop(),
  };
}

function runRow(n: number, mode: string): Promise<SteadyRow> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_FLEET_STEADY_ONE: `${n}:${mode}` }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{"n"'));
      if (code === 0 && line) resolve(JSON.parse(line) as SteadyRow);
      else reject(new Error(`row ${n}:${mode} failed (exit ${code}): ${out.slice(-2000)}`));
    }),
  );
}

/** The parent: one fresh process per row, one line per row. */
export async function runSteadyBench(): Promise<void> {
  const sizes = (process.env.BENCH_FLEET_SIZES ?? '10000').split(',').map(Number);
  const modes = (process.env.BENCH_FLEET_MODES ?? 'auto').split(',');
  console.log(`fleet steady bench: OCPP ${describeMix(OCPP)}, every connector charging, MeterValues every 60 s, window ${WINDOW_S} s, ramp ${RAMP}/s, Node ${process.version}`);
  for (const n of sizes) {
    for (const mode of modes) {
      const r = await runRow(n, mode);
      console.log(
        `${n} chargers, ${r.threads} thread(s)${mode === 'auto' ? ' (auto)' : ''}: all charging after ${r.chargingS.toFixed(1)} s; ` +
          `fleet CPU ${r.fleetCpuPct.toFixed(1)} % of ${CORES} cores, CSMS CPU ${r.csmsCpuPct.toFixed(1)} %; ${r.messagesPerS.toFixed(0)} msg/s ` +
          `(MeterValues ${r.meterValuesPerS.toFixed(0)}/s); RSS peak in window ${mb(r.rssWindowPeak)}, since start ${mb(r.rssPeak)}; ${r.charging} still charging at the end; ` +
          `graceful stop ${r.stopS.toFixed(1)} s (limit ${FLEET_STOP_MS / 1000} s), ${r.stopsConfirmed} StopTransactions answered${r.leftOpen === undefined ? '' : `, ${r.leftOpen} left open${r.cutShort ? ` (cut short: ${r.cutShort})` : ''}`}, CPU during stop: fleet ${r.stopFleetCpuS.toFixed(1)} s, CSMS ${r.stopCsmsCpuS.toFixed(1)} s; RSS peak during stop ${mb(r.rssStopPeak)}`,
      );
      console.log(`  csms: ${r.csms}`);
    }
  }
}

if (process.env.BENCH_FLEET_STEADY_ONE) {
  const [n, mode] = process.env.BENCH_FLEET_STEADY_ONE.split(':');
  process.stdout.write(`${JSON.stringify(await measure(Number(n), mode!))}\n`);
  process.exit(0);
}
