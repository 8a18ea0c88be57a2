/**
 * `npm run bench:fleet`: connect+boot time and memory per charger of a fleet in one process
 * for each size in BENCH_FLEET_SIZES (default 1000,5000), on one thread and on BENCH_FLEET_THREADS
 * worker threads (default 2; 0 = skip), against `evse csms --quiet` (strict both ways, counting
 * instead of printing every frame) in its own process on 127.0.0.1 (its memory is not counted;
 * its final count line is printed after each run). Chargers have 1 connector, no sessions (idle, booted, statuses
 * reported), ramp BENCH_FLEET_RAMP per second (default 2000). RSS is the whole process, all threads.
 */
import { pino } from 'pino';
import { Fleet } from '../../scenarios/fleet/Fleet.js';
import { FleetThreads } from '../../scenarios/fleet/FleetThreads.js';
import { spawnEvse } from '../support/spawnEvse.js';

const SIZES = (process.env.BENCH_FLEET_SIZES ?? '1000,5000').split(',').map(Number);
const RAMP = Number(process.env.BENCH_FLEET_RAMP ?? 2000);
const THREADS = Number(process.env.BENCH_FLEET_THREADS ?? 2);
/** BENCH_FLEET_SINGLE=0 skips the one-thread run (each mode's RSS is cleanest in a fresh process). */
const SINGLE = process.env.BENCH_FLEET_SINGLE !== '0';

async function startCsms(): Promise<{ url: string; stop: () => Promise<unknown> }> {
  const csms = spawnEvse(['csms', '--port', '0', '--quiet', '--summary', '60'], {});
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`evse csms did not start: ${csms.stderr()}`)), 10_000);
    csms.child.stderr!.on('data', () => {
      const m = /listening on (ws:\/\/\S+?)[ (]/.exec(csms.stderr());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return {
    url,
    stop: async () => {
      await csms.stop('SIGTERM');
      const final = csms.stdout().split('\n').find((l) => / final \[/.test(l));
      console.log(`  csms: ${final?.replace(/^\S+ final /, '') ?? '(no final summary)'}`);
    },
  };
}

async function measureThreads(count: number, prefix: string, threads: number) {
  const csms = await startCsms();
  const before = process.memoryUsage().rss;
  const fleet = new FleetThreads({ csmsUrl: csms.url, count, idPrefix: prefix, rampPerSecond: RAMP, logLevel: 'silent', behaviour: false, threads });
  const t0 = performance.now();
  await fleet.start();
  const deadline = Date.now() + 120_000;
  let peakRss = 0;
  while (fleet.report().chargers.accepted < count && Date.now() < deadline) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Progress arrives once a second: the boot time is known to ±1 s.
  const bootS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  const t1 = performance.now();
  const report = await fleet.stop(8000);
  const stopS = (performance.now() - t1) / 1000;
  await csms.stop();
  if (report.chargers.accepted < count) throw new Error(`only ${report.chargers.accepted} of ${count} chargers booted`);
  return { bootS, stopS, rss, before, peakRss, report };
}

async function measure(count: number, prefix: string) {
  const csms = await startCsms();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const fleet = new Fleet({ csmsUrl: csms.url, count, idPrefix: prefix, rampPerSecond: RAMP, log: pino({ level: 'silent' }), behaviour: false });
  const t0 = performance.now();
  void fleet.start();
  const deadline = Date.now() + 120_000;
  let peakRss = 0;
  while (fleet.accepted < count && Date.now() < deadline) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 20));
  }
  const bootS = (performance.now() - t0) / 1000;
  if (fleet.accepted < count) throw new Error(`only ${fleet.accepted} of ${count} chargers booted`);
  await Promise.all(fleet.chargers.map((c) => c.agent.whenIdle(10_000)));
  gc?.();
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  const report = fleet.report();
  const t1 = performance.now();
  await fleet.stop(8000);
  const stopS = (performance.now() - t1) / 1000;
  await csms.stop();
  return { count, bootS, stopS, after, before, peakRss, report };
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
for (const [i, n] of SIZES.entries()) {
  const r = SINGLE ? await measure(n, `B${i}-`) : undefined;
  if (r) console.log(
    `${n} chargers (1 connector, one thread, ramp ${RAMP}/s): connected+booted in ${r.bootS.toFixed(1)} s ` +
      `(boot p50 ${r.report.bootMs.p50.toFixed(0)} ms, p99 ${r.report.bootMs.p99.toFixed(0)} ms after start); ` +
      `RSS ${kb((r.after.rss - r.before.rss) / n)} marginal, ${kb(r.after.rss / n)} whole process, peak ${kb(r.peakRss / n)}; ` +
      `heap ${kb((r.after.heapUsed - r.before.heapUsed) / n)} per charger; stop ${r.stopS.toFixed(1)} s`,
  );
  if (THREADS > 0) {
    const t = await measureThreads(n, `W${i}-`, THREADS);
    console.log(
      `${n} chargers on ${THREADS} worker threads: connected+booted in ${t.bootS.toFixed(1)} s (±1 s; boot p50 ${t.report.bootMs.p50.toFixed(0)} ms, p99 ${t.report.bootMs.p99.toFixed(0)} ms); ` +
        `RSS ${kb(t.rss / n)} whole process (all threads), ${kb((t.rss - t.before) / n)} marginal, peak ${kb(t.peakRss / n)}; stop ${t.stopS.toFixed(1)} s`,
    );
  }
}
