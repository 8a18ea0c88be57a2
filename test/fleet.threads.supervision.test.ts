/**
 * Worker-thread supervision end to end: a real fleet on two worker threads against the embedded
 * strict CSMS on 127.0.0.1. Worker threads run compiled JavaScript, so the fleet comes from the
 * build (dist/, built by `npm test`). The test terminates a worker thread from outside: this
 * simulates a crash (an uncaught exception, an out-of-memory exit or `process.exit` inside the
 * worker end it the same way, with an `exit` while the fleet runs).
 */
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import type * as FleetThreadsModule from '../scenarios/fleet/FleetThreads.js';
import { serveFleetMetrics } from '../scenarios/fleet/fleetPrometheus.js';
import { cleanupStack } from './support/cleanupStack.js';
import { histogramSeries, parseExposition } from './support/promText.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until as pollUntil } from './support/until.js';

const until = (what: string, check: () => boolean, ms = 15_000): Promise<void> => pollUntil(what, check, ms, 50);
const compiled = fileURLToPath(import.meta.url).includes('/dist/');
const BUILT = fileURLToPath(new URL(compiled ? '../scenarios/fleet/FleetThreads.js' : '../dist/scenarios/fleet/FleetThreads.js', import.meta.url));

const { cleanups, release } = cleanupStack();
afterEach(release);

describe('fleet worker supervision', () => {
  it('restarts a dead worker for the same chargers, counts it, gives up after the limit, and still stops gracefully', { timeout: 60_000 }, async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does)`);
    const { FleetThreads } = (await import(BUILT)) as typeof FleetThreadsModule;
    const { csms, url } = await startQuietCsms(cleanups);
    const lines: { level: number; msg: string; worker?: number; err?: unknown }[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]), done()) });
    const fleet = new FleetThreads({
      csmsUrl: url,
      count: 10,
      threads: 2,
      idPrefix: 'R',
      rampPerSecond: 400,
      seed: 3,
      behaviour: false,
      logLevel: 'silent',
      log: pino({ level: 'info' }, sink),
      restart: { backoffMs: 200, maxRestarts: 1, windowMs: 60_000 },
    });
    cleanups.push(() => fleet.stop(2000));
    const metrics = await serveFleetMetrics({ host: '127.0.0.1', port: 0, report: () => fleet.report() });
    cleanups.push(() => metrics.close());
    await fleet.start();
    await until('10 chargers accepted (in the workers\' reports)', () => fleet.report().chargers.accepted === 10);

    // Two chargers added through the control API and an event subscription: the replacement gets them too.
    expect((await fleet.execute({ type: 'add', count: 2 })).body).toMatchObject({ added: ['R00011', 'R00012'], planned: 12 });
    await until('12 accepted', () => fleet.report().chargers.accepted === 12);
    const events: { charger: string; at: string }[] = [];
    const unwatch = await fleet.watch({ chargers: ['R00011'], types: ['connection'] }, (e) => events.push(e));
    cleanups.push(() => Promise.resolve(unwatch()));

    // Worker 0 runs the odd positions (composed shard 0/2), worker 1 the even ones.
    const slice0 = ['R00001', 'R00003', 'R00005', 'R00007', 'R00009', 'R00011'];
    const slice1 = ['R00002', 'R00004', 'R00006', 'R00008', 'R00010', 'R00012'];
    const boots = (id: string) => csms.traffic((r) => r.chargePointId === id && r.kind === 'call' && r.action === 'BootNotification').length;
    expect([...slice0, ...slice1].map(boots)).toEqual(new Array(12).fill(1));

    events.length = 0;
    await fleet.supervisor.worker(0)!.terminate(); // the simulated crash
    await until('the replacement re-booted the 6 chargers of worker 0', () => slice0.every((id) => boots(id) === 2 && csms.isConnected(id)));
    await until('all 12 accepted again', () => fleet.report().chargers.accepted === 12);
    expect(slice1.map(boots)).toEqual(new Array(6).fill(1));
    await until('connection events of R00011 from the replacement', () => events.length > 0);
    let report: FleetReport = fleet.report();
    expect(report.workers).toMatchObject({ threads: 2, deaths: 1, restarts: 1, chargersAffected: 6, slicesGivenUp: 0, lostWorkerReports: 1 });
    expect(report.workers!.failures).toMatchObject([{ worker: 0, chargers: 6, error: 'exit code 1' }]);
    // The dead worker's reported boots stay in the report beside the replacement's.
    expect(report.bootResults.Accepted).toBe(18);
    expect(report.chargers).toMatchObject({ planned: 12, started: 12, connected: 12, accepted: 12 });
    const died = lines.filter((l) => /worker thread 0 died/.test(l.msg));
    expect(died).toHaveLength(1);
    expect(died[0]).toMatchObject({ level: 50, worker: 0 });
    expect(died[0]!.msg).toMatch(/with 6 chargers; their last \d+ ms of metrics are lost; restarting it in 200 ms/);

    // The control API reaches the replacement.
    const got = await fleet.execute({ type: 'get', id: 'R00003' });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: 'R00003', accepted: true });

    // Scraped over HTTP: the restart counted, histograms well formed and merged across the parts.
    const { samples } = parseExposition(await (await fetch(metrics.url)).text());
    expect(samples.find((s) => s.name === 'evse_fleet_worker_restarts_total')!.value).toBe(1);
    const [bootHistogram] = histogramSeries(samples, 'evse_fleet_boot_seconds');
    expect(bootHistogram!.count).toBe(fleet.report().bootMs.count);

    // A second death within the window exceeds maxRestarts 1: the slice is given up, the rest goes on.
    await fleet.supervisor.worker(0)!.terminate();
    await until('worker 0 given up', () => fleet.report().workers?.slicesGivenUp === 1);
    expect(lines.filter((l) => /worker thread 0 died/.test(l.msg))).toHaveLength(2);
    expect(lines.at(-1)!.msg).toMatch(/died 2 times within 60 s, so its 6 chargers stay down for the rest of the run/);
    const refused = await fleet.execute({ type: 'get', id: 'R00003' });
    expect(refused.status).toBe(503);
    expect((refused.body as { error: string }).error).toMatch(/worker 0 died too often and was given up/);
    expect((await fleet.execute({ type: 'get', id: 'R00004' })).status).toBe(200);
    // Chargers added now start only on the live worker; the others are said to be skipped.
    expect((await fleet.execute({ type: 'add', count: 2 })).body).toMatchObject({ added: ['R00014'], planned: 13, skipped: ['R00013'] });
    await until('R00014 accepted', () => csms.chargePoint('R00014')?.registration === 'Accepted');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slice0.map(boots)).toEqual(new Array(6).fill(2)); // no third start

    const t0 = performance.now();
    report = await fleet.stop(5000);
    expect(performance.now() - t0).toBeLessThan(6000);
    expect(report.workers).toMatchObject({ deaths: 2, restarts: 1, chargersAffected: 12, slicesGivenUp: 1, chargersGivenUp: 6, lostWorkerReports: 2 });
    expect(report.chargers).toMatchObject({ planned: 13, started: 7 });
    expect(report.bootResults.Accepted).toBe(19);
    await until('the CSMS sees every charger gone', () => [...slice0, ...slice1, 'R00014'].every((id) => !csms.isConnected(id)), 5000);
    expect(csms.violations()).toEqual([]);
  });
});
