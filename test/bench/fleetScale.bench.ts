/**
 * `npm run bench:fleet -- --scale` (or `npm run bench:fleet50k`): the 50,000-charger boot on one box,
 * as a user runs it (docs/fleet.md, "50,000 chargers on one box"): `evse fleet --processes P` (the
 * built CLI, shard processes with their own source addresses, reports merged) against the strict
 * counting CSMS as a `node:cluster` of W workers (fleetCsmsCluster.ts), both on this machine.
 * Opt-in (not part of `npm test`): it needs minutes, GBs and the whole machine.
 *
 * Booted = the CSMS has answered N BootNotifications and 2N StatusNotifications (N for 2.0.1; 1 connector:
 * connector 0 and 1). Printed: boot time, boots/s per 10 s (from the CSMS's counts, sampled every
 * second), peak RSS of the fleet's process tree (the command and its shard processes, sampled every
 * 250 ms) per charger, CPU seconds until booted of the fleet tree and of the CSMS tree separately
 * (from /proc, so other load on the machine does not count) and per booted charger, then the
 * graceful stop and the strict failures (CallErrors + violations at the CSMS, CallErrors in the
 * fleet's report). Exit 1 unless all booted with 0 strict failures.
 *
 * Bounded: the boot gets BENCH_FLEET_SCALE_TIMEOUT_S (default 300 s); the stop 60 s; every process
 * it started is killed at the end whatever happened (also on SIGINT/SIGTERM of the bench).
 * Environment (defaults in brackets):
 * - BENCH_FLEET_SCALE_COUNT [50000], BENCH_FLEET_SCALE_PROCESSES [3], BENCH_FLEET_SCALE_RAMP
 *   [900: chargers per second in all, split between the processes], BENCH_FLEET_CSMS_WORKERS [4]
 * - BENCH_FLEET_SCALE_ARGS: more `evse fleet` options, space-separated (e.g. `--max-booting 500`)
 * - BENCH_FLEET_OCPP: the chargers' OCPP version(s), as `evse fleet --ocpp` (a 2.0.1 charger sends one
 *   StatusNotification at boot, a 1.6 charger two)
 * - BENCH_FLEET_EVSE: another build's dist/bin/evse.js (to compare two trees in one sitting)
 * - BENCH_FLEET_SCALE_NODE_OPTIONS: NODE_OPTIONS of the fleet command and its shard processes; one
 *   that sizes the old space turns off the boot sizing of fleetHeap.ts bootOldSpaceFlag, for a
 *   before/after: give the machine's default maximum (`node -p "v8.getHeapStatistics()
 *   .heap_size_limit"`, 4,144 MiB here: `--max-old-space-size=4096`), which changes nothing else (a
 *   larger maximum also lets V8 start with a larger old space)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CsmsSummary } from '../../scenarios/csms/CsmsCounter.js';
import type { FleetReport } from '../../scenarios/fleet/FleetMetrics.js';
import { EVSE_BIN } from '../support/spawnEvse.js';
import { parseOcppOption, versionAt } from '../../scenarios/fleet/ocppVersions.js';

const env = process.env;
const N = Number(env.BENCH_FLEET_SCALE_COUNT ?? 50_000);
const PROCESSES = Number(env.BENCH_FLEET_SCALE_PROCESSES ?? 3);
const RAMP = Number(env.BENCH_FLEET_SCALE_RAMP ?? 900);
const WORKERS = Number(env.BENCH_FLEET_CSMS_WORKERS ?? 4);
const BOOT_TIMEOUT_S = Number(env.BENCH_FLEET_SCALE_TIMEOUT_S ?? 300);
const EXTRA = (env.BENCH_FLEET_SCALE_ARGS ?? '').split(' ').filter(Boolean);
/** The chargers' OCPP version(s), as `evse fleet --ocpp` (default 1.6). */
const OCPP = env.BENCH_FLEET_OCPP;
const MIX = OCPP === undefined ? undefined : parseOcppOption(OCPP);
const EVSE = env.BENCH_FLEET_EVSE ?? EVSE_BIN;
const CLUSTER = fileURLToPath(new URL('./fleetCsmsCluster.js', import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime+stime (s) and RSS (bytes) of a process from /proc; undefined once it has ended. */
function procStat(pid: number): { cpuS: number; rss: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14, 15 (utime, stime, clock ticks of 1/100 s) and 24 (rss, pages of 4 KiB).
    return { cpuS: (Number(f[11]) + Number(f[12])) / 100, rss: Number(f[21]) * 4096 };
  } catch {
    return undefined;
  }
}

/** The pid and every descendant still running. */
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (children) out.push(...children.split(' ').map(Number));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** CPU of a set of processes: the largest reading of each (a process that ended keeps its last one). */
class TreeCpu {
  private readonly last = new Map<number, number>();
  sample(pids: readonly number[]): { cpuS: number; rss: number } {
    let rss = 0;
    for (const pid of pids) {
      const s = procStat(pid);
      if (!s) continue;
      this.last.set(pid, Math.max(this.last.get(pid) ?? 0, s.cpuS));
      rss += s.rss;
    }
    return { cpuS: [...this.last.values()].reduce((a, b) => a + b, 0), rss };
  }
}

export async function runScaleBench(n = N): Promise<number> {
  const N = n;
  const started: ChildProcess[] = [];
  const seen = new Set<number>();
  const killEverything = () => {
    // Only what still runs our code (a pid that ended may have been given to someone else's process).
    for (const pid of seen) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes(EVSE) || cmdline.includes(CLUSTER)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const c of started) c.kill('SIGKILL');
  };
  process.on('exit', killEverything);
  const onSignal = () => {
    killEverything();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const dir = mkdtempSync(join(tmpdir(), 'evse-fleet-scale-'));
  try {
    console.log(
      `fleet scale bench: ${N} chargers, evse fleet --processes ${PROCESSES}, ramp ${RAMP}/s in all${EXTRA.length ? `, ${EXTRA.join(' ')}` : ''}; ` +
        `strict counting CSMS as a node:cluster of ${WORKERS} workers; Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
    // --- the CSMS ---
    // Both hold a pipe from us as stdin and stop when it ends: nothing runs on if the bench is killed.
    const csms = spawn(process.execPath, [CLUSTER, String(WORKERS)], { detached: true, stdio: ['pipe', 'pipe', 'inherit'], env: { ...env, FLEET_CSMS_STOP_WITH_PARENT: '1' } });
    started.push(csms);
    let latest: CsmsSummary | undefined;
    let final: CsmsSummary | undefined;
    let csmsPids: number[] = [];
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the CSMS cluster did not listen within 30 s')), 30_000);
      createInterface({ input: csms.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { type: string; url?: string; pids?: number[] } & CsmsSummary;
        if (msg.type === 'listening') {
          clearTimeout(timer);
          csmsPids = msg.pids!;
          for (const p of csmsPids) seen.add(p);
          resolve(msg.url!);
        } else if (msg.type === 'summary') latest = msg;
        else if (msg.type === 'final') final = msg;
      });
      csms.on('exit', (code) => reject(new Error(`the CSMS cluster ended (${code}) before it listened`)));
    });
    const url = await listening;

    // --- the fleet ---
    const reportFile = join(dir, 'fleet.json');
    const args = ['fleet', '--csms', url, '--count', String(N), '--processes', String(PROCESSES), '--ramp', String(RAMP), '--idle', '86400-86400', '--threads', '1', '--progress', '10', '--report', reportFile, ...(OCPP ? ['--ocpp', OCPP] : []), ...EXTRA];
    console.log(`  ${env.BENCH_FLEET_SCALE_NODE_OPTIONS ? `NODE_OPTIONS='${env.BENCH_FLEET_SCALE_NODE_OPTIONS}' ` : ''}${EVSE === EVSE_BIN ? 'evse' : EVSE} ${args.join(' ')}`);
    const nodeOptions = env.BENCH_FLEET_SCALE_NODE_OPTIONS;
    const fleet = spawn(process.execPath, [EVSE, ...args], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...env, EVSE_FLEET_STOP_WITH_PARENT: '1', ...(nodeOptions !== undefined && { NODE_OPTIONS: nodeOptions }) },
    });
    started.push(fleet);
    let fleetOut = '';
    let fleetErr = '';
    fleet.stdout!.on('data', (d: Buffer) => (fleetOut += d.toString()));
    fleet.stderr!.on('data', (d: Buffer) => (fleetErr += d.toString()));
    const fleetExit = new Promise<number | string>((resolve) => fleet.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

    const fleetCpu = new TreeCpu();
    const csmsCpu = new TreeCpu();
    const fleet0 = fleetCpu.sample([]);
    const csms0 = csmsCpu.sample(csmsPids);
    const t0 = performance.now();
    let peakRss = 0;
    let peakCsmsRss = 0;
    let booted = false;
    let lastWindow = { at: 0, boots: 0 };
    const windows: string[] = [];
    let atBoot = { fleetCpuS: 0, csmsCpuS: 0, s: 0 };
    const boots = () => latest?.actions.BootNotification?.resultsOut ?? 0;
    const statuses = () => latest?.actions.StatusNotification?.resultsOut ?? 0;
    // A 1.6 charger reports connector 0 and its connector, a 2.0.1 charger its one EVSE.
    let expectedStatuses = 0;
    for (let k = 1; k <= N; k++) expectedStatuses += versionAt(MIX, k) === '2.0.1' ? 1 : 2;
    while ((performance.now() - t0) / 1000 < BOOT_TIMEOUT_S && fleet.exitCode === null) {
      await sleep(250);
      const pids = tree(fleet.pid!);
      for (const p of pids) seen.add(p);
      const f = fleetCpu.sample(pids);
      const c = csmsCpu.sample(csmsPids);
      peakRss = Math.max(peakRss, f.rss);
      peakCsmsRss = Math.max(peakCsmsRss, c.rss);
      const s = (performance.now() - t0) / 1000;
      if (s - lastWindow.at >= 10) {
        windows.push(`${Math.round(lastWindow.at)}–${Math.round(s)} s: ${((boots() - lastWindow.boots) / (s - lastWindow.at)).toFixed(0)}/s`);
        lastWindow = { at: s, boots: boots() };
      }
      if (boots() >= N && statuses() >= expectedStatuses) {
        booted = true;
        atBoot = { fleetCpuS: f.cpuS - fleet0.cpuS, csmsCpuS: c.cpuS - csms0.cpuS, s };
        const end = (performance.now() - t0) / 1000;
        if (end > lastWindow.at + 0.5) windows.push(`${Math.round(lastWindow.at)}–${end.toFixed(0)} s: ${((boots() - lastWindow.boots) / (end - lastWindow.at)).toFixed(0)}/s`);
        break;
      }
    }
    if (!booted) {
      const s = (performance.now() - t0) / 1000;
      atBoot = { fleetCpuS: fleetCpu.sample(tree(fleet.pid!)).cpuS - fleet0.cpuS, csmsCpuS: csmsCpu.sample(csmsPids).cpuS - csms0.cpuS, s };
    }
    // Two more seconds of RSS after the last boot (the statuses' garbage), as the other rows do.
    for (let i = 0; i < 8 && booted; i++) {
      await sleep(250);
      peakRss = Math.max(peakRss, fleetCpu.sample(tree(fleet.pid!)).rss);
    }

    // --- stop: SIGTERM as a user would, bounded ---
    const t1 = performance.now();
    fleet.kill('SIGTERM');
    const code = await Promise.race([fleetExit, sleep(60_000).then(() => 'did not stop within 60 s')]);
    const stopS = (performance.now() - t1) / 1000;
    csms.kill('SIGTERM');
    await Promise.race([new Promise((r) => csms.on('exit', r)), sleep(30_000)]);
    let report: FleetReport | undefined;
    try {
      report = JSON.parse(readFileSync(reportFile, 'utf8')) as FleetReport;
    } catch {
      report = undefined;
    }
    const fleetCallErrors = report ? Object.values(report.actions).reduce((n, a) => n + a.callErrors, 0) : NaN;
    const counts = final ?? latest;
    const strict = (counts?.callErrors ?? NaN) + (counts?.violations ?? NaN) + fleetCallErrors;
    const n = booted ? N : boots();
    console.log(
      booted
        ? `  booted ${N} in ${atBoot.s.toFixed(1)} s (${(N / atBoot.s).toFixed(0)}/s on average)`
        : `  NOT booted within ${BOOT_TIMEOUT_S} s: ${boots()} BootNotifications and ${statuses()} StatusNotifications answered`,
    );
    console.log(`  boots/s per 10 s: ${windows.join(', ')}`);
    console.log(`  fleet tree (command + ${PROCESSES} shard processes): peak RSS ${(peakRss / 1048576).toFixed(0)} MB, ${(peakRss / 1024 / N).toFixed(1)} KB per charger`);
    console.log(
      `  CPU until booted: fleet ${atBoot.fleetCpuS.toFixed(1)} s (${((atBoot.fleetCpuS * 1000) / Math.max(1, n)).toFixed(2)} ms per boot), ` +
        `CSMS ${atBoot.csmsCpuS.toFixed(1)} s (${((atBoot.csmsCpuS * 1000) / Math.max(1, n)).toFixed(2)} ms per boot); CSMS peak RSS ${(peakCsmsRss / 1048576).toFixed(0)} MB`,
    );
    console.log(
      `  stop: exit ${code} after ${stopS.toFixed(1)} s; report ${report ? `${report.chargers.accepted} accepted, ${fleetCallErrors} CallErrors` : 'missing'}; ` +
        `CSMS ${counts ? `${counts.callErrors} CallErrors, ${counts.violations} violations, BootNotification ${counts.actions.BootNotification?.resultsOut ?? 0}, StatusNotification ${counts.actions.StatusNotification?.resultsOut ?? 0}` : 'no counts'}; ` +
        `strict failures ${strict}; load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    );
    if (!booted || strict !== 0 || code !== 0) {
      if (!report || code !== 0) console.log(`  fleet output:\n${fleetOut}\n${fleetErr.split('\n').slice(-20).join('\n')}`);
      return 1;
    }
    return 0;
  } finally {
    killEverything();
    process.off('exit', killEverything);
    rmSync(dir, { recursive: true, force: true });
  }
}
