/**
 * `npm run bench:fleet -- --sites`: a CSMS's smart charging at scale, on one machine. The fleet runs
 * config/fleet/sites.yaml (three sites, short sessions so transactions start and stop all the time)
 * in this process against `evse csms --quiet --sites config/fleet/sites.yaml` in its own process on
 * 127.0.0.1, whose load manager shares each site's limit among its transactions with
 * SetChargingProfile. Environment:
 * - BENCH_FLEET_SIZES: chargers per row (default 100; 1 connector each)
 * - BENCH_FLEET_MODES: `1` (this thread, default) or a worker count
 * - BENCH_FLEET_SITES_S: how long each row runs, s (default 120)
 *
 * Figures per row: SetChargingProfile received to the new PWM offer (p50/p95/p99/max, on the
 * fleet's clock, only calls that changed the offer) and the counts behind them; per site the peak
 * power against its limit and the 1-s samples over it; CPU seconds of the fleet process (all
 * threads) and of the CSMS process (/proc) over the row; the CSMS's final count line.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Fleet } from '../../scenarios/fleet/Fleet.js';
import { FleetThreads } from '../../scenarios/fleet/FleetThreads.js';
import { describeSites } from '../../scenarios/fleet/formatReport.js';
import { loadProfile } from '../../scenarios/fleet/profileLoader.js';
import { startCsms } from './fleetCsms.js';

const compiled = fileURLToPath(import.meta.url).includes('/dist/');
const PROFILE = fileURLToPath(new URL(compiled ? '../../../config/fleet/sites.yaml' : '../../config/fleet/sites.yaml', import.meta.url));
const RUN_S = Number(process.env.BENCH_FLEET_SITES_S ?? 120);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function row(n: number, threads: number): Promise<void> {
  const profile = await loadProfile(PROFILE);
  const csms = await startCsms(['--sites', PROFILE, '--site-chargers', String(n), '--site-id-prefix', 'SB']);
  const options = { csmsUrl: csms.url, count: n, idPrefix: 'SB', rampPerSecond: 200, behaviour: { profile } };
  const fleet = threads === 1 ? new Fleet({ ...options, log: pino({ level: 'warn' }) }) : new FleetThreads({ ...options, logLevel: 'warn', threads });
  const cpu0 = process.cpuUsage();
  const csms0 = csms.cpuS();
  await fleet.start();
  await sleep(RUN_S * 1000);
  const report = await fleet.stop(10_000);
  const cpu = process.cpuUsage(cpu0);
  const csmsCpuS = csms.cpuS() - csms0;
  const csmsLine = await csms.stop();
  console.log(`${n} chargers, ${threads} thread(s), ${RUN_S} s: transactions ${report.transactions.started}/${report.transactions.stopped}; CPU fleet ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, CSMS ${csmsCpuS.toFixed(1)} s`);
  for (const line of report.sites ? describeSites(report.sites) : ['(no sites in the report)']) console.log(`  ${line}`);
  console.log(`  csms: ${csmsLine}`);
}

export async function runSitesBench(): Promise<void> {
  const sizes = (process.env.BENCH_FLEET_SIZES ?? '100').split(',').map(Number);
  const modes = (process.env.BENCH_FLEET_MODES ?? '1').split(',').map(Number);
  console.log(`fleet sites bench: profile ${PROFILE}, ${RUN_S} s per row, Node ${process.version}, ${availableParallelism()} cores`);
  for (const n of sizes) for (const threads of modes) await row(n, threads);
}
