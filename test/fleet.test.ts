/**
 * Fleet mode end to end: real Agents with simulated hardware on the wall clock against the
 * embedded strict CSMS on 127.0.0.1 — in-process (boot, sessions, one dropped socket), and as an
 * `evse fleet` process stopped by SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet, STOPPING_AT_ONCE } from '../scenarios/fleet/Fleet.js';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { spawnEvse } from './support/spawnEvse.js';
import { cleanupStack } from './support/cleanupStack.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until as pollUntil } from './support/until.js';

/** Polls `check` every 50 ms for at most `ms` of real time. */
const until = (what: string, check: () => boolean, ms = 15_000): Promise<void> => pollUntil(what, check, ms, 50);

const { cleanups, release, tempDir } = cleanupStack();
afterEach(release);

describe('fleet in-process against the embedded strict CSMS', () => {
  it('boots 120 chargers, runs sessions, survives one dropped socket, and stops every transaction', { timeout: 60_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const fleet = new Fleet({
      csmsUrl: url,
      count: 120,
      idPrefix: 'T',
      rampPerSecond: 400,
      seed: 7,
      log,
      ocpp: { RetryBackOffWaitMinimum: 0, RetryBackOffRandomRange: 1, RetryBackOffRepeatTimes: 0 },
      behaviour: { idleMs: [100, 600], chargeMs: [300, 1200] },
    });
    cleanups.push(() => fleet.stop(2000));
    await fleet.start();
    await until('all chargers accepted', () => fleet.accepted === 120);
    expect(new Set(csms.chargePoints().map((c) => c.id)).size).toBe(120);
    await until('20 completed sessions', () => csms.transactions().filter((t) => t.stop).length >= 20);

    // The CSMS drops one charger: the others go on, it comes back and boots again.
    const victim = 'T00042';
    const boots = () => csms.traffic((r) => r.chargePointId === victim && r.action === 'BootNotification' && r.kind === 'call' && r.direction === 'in').length;
    const bootsBefore = boots();
    const stoppedBefore = csms.transactions().filter((t) => t.stop && t.chargePointId !== victim).length;
    expect(await csms.disconnect(victim, { force: true })).toBe(true);
    await until('the victim to be seen offline', () => fleet.metrics.disconnects >= 1, 5000);
    await until('the victim to boot again', () => boots() > bootsBefore && csms.isConnected(victim), 10_000);
    await until('other chargers to finish more sessions', () => csms.transactions().filter((t) => t.stop && t.chargePointId !== victim).length >= stoppedBefore + 10);
    expect(fleet.metrics.reconnects).toBeGreaterThanOrEqual(1);
    expect(csms.chargePoints().filter((c) => c.connected)).toHaveLength(120);

    const t0 = performance.now();
    const report = await fleet.stop(8000);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const open = csms.transactions().filter((t) => !t.stop && t.duplicateOf === undefined);
    expect(open).toEqual([]);
    expect(csms.violations()).toEqual([]);
    expect(report.chargers).toMatchObject({ planned: 120, started: 120, accepted: 120 });
    expect(report.bootResults.Accepted).toBeGreaterThanOrEqual(121);
    expect(report.actions.StartTransaction!.sent).toBeGreaterThanOrEqual(30);
    expect(report.actions.StopTransaction!.results).toBe(report.actions.StartTransaction!.results);
    expect(report.actions.BootNotification!.responseMs.p99).toBeGreaterThanOrEqual(report.actions.BootNotification!.responseMs.p50);
    expect(report.connectMs.count).toBe(120);
    for (const a of Object.values(report.actions)) expect(a.callErrors).toBe(0);
  });

  it(`stops more chargers than it stops at once (${STOPPING_AT_ONCE}) in turns: every transaction stopped and answered, every socket closed`, { timeout: 60_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const n = STOPPING_AT_ONCE + 50;
    const fleet = new Fleet({ csmsUrl: url, count: n, idPrefix: 'W', rampPerSecond: 1000, seed: 3, log, behaviour: { idleMs: [100, 300], chargeMs: [600_000, 600_000] } });
    cleanups.push(() => fleet.stop(2000));
    await fleet.start();
    await until('every connector charging', () => csms.transactions().filter((t) => !t.stop).length === n, 30_000);

    const report = await fleet.stop(8000);
    expect(csms.transactions().filter((t) => !t.stop)).toEqual([]);
    expect(report.actions.StopTransaction!.results).toBe(n);
    expect(csms.chargePoints().filter((c) => c.connected)).toEqual([]);
    expect(report.stop).toMatchObject({ transactions: n, leftOpen: 0, chargers: n, chargersCutShort: 0 });
    // How many stop at once, and one call at a time each: test/fleet.stop.test.ts.
    expect(csms.violations()).toEqual([]);
  });
});

describe('evse fleet as a process', () => {
  it('stops every transaction and writes the report within 10 s of SIGTERM', { timeout: 60_000 }, async () => {
    const { csms, url } = await startQuietCsms(cleanups);
    const reportFile = join(await tempDir('evse-fleet-'), 'report.json');
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '80', '--ramp', '400', '--idle', '0.1-0.5', '--charge', '60', '--report', reportFile, '--progress', '1', '--seed', '3'], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    // Charging lasts 60 s, so at SIGTERM most connectors are mid-session.
    // Generous: other test files load the same 2 cores while this one ramps 80 chargers.
    await until('60 running transactions', () => csms.transactions().filter((t) => !t.stop).length >= 60, 45_000);
    const { code, elapsedMs } = await fleet.stop('SIGTERM', 10_000);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(10_000);
    expect(csms.transactions().filter((t) => !t.stop)).toEqual([]);
    expect(csms.transactions().every((t) => t.stop?.reason === 'Other')).toBe(true);
    expect(csms.violations()).toEqual([]);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport & { stopMs: number };
    expect(report.chargers.accepted).toBe(80);
    expect(report.transactions.stopped).toBe(report.transactions.started);
    expect(fleet.stdout()).toMatch(/80 of 80 chargers started, 80 accepted/);
    expect(fleet.stderr()).toMatch(/\[\d+s\] started \d+\/80 {2}connected/);
  });

  it('the first example of docs/fleet.md: 20 chargers with the default profile show transactions within 10 s', { timeout: 60_000 }, async () => {
    const { csms, url } = await startQuietCsms(cleanups);
    const reportFile = join(await tempDir('evse-fleet-first-'), 'report.json');
    // Nothing but --csms and --count: the default profile, seed, ramp and threads.
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '20', '--progress', '1', '--report', reportFile], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    await until('the fleet started', () => /^evse fleet: 20 chargers against /m.test(fleet.stderr()), 10_000);
    const t0 = performance.now();
    await until('a transaction at the CSMS', () => csms.transactions().length > 0, 10_000);
    const firstAfterMs = performance.now() - t0;
    // The progress lines say so too (`tx started/stopped`).
    await until('a progress line with a transaction', () => /\] started \d+\/20 .* tx [1-9]\d*\//.test(fleet.stderr()), 5000);
    const { code } = await fleet.stop('SIGTERM', 10_000);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport;
    expect(report.profile).toBe('default');
    expect(report.transactions.started).toBeGreaterThan(0);
    expect(report.behaviour?.arrivals).toBeGreaterThan(0);
    expect(csms.violations()).toEqual([]);
    expect(firstAfterMs).toBeLessThan(10_000);
  });

  it('runs one shard over two worker threads: exactly its ids, merged report', { timeout: 60_000 }, async () => {
    const { csms, url } = await startQuietCsms(cleanups);
    const reportFile = join(await tempDir('evse-fleet-'), 'report.json');
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '61', '--shard', '1/3', '--threads', '2', '--id-prefix', 'S', '--ramp', '500', '--idle', '0.1-0.3', '--charge', '0.3-0.6', '--report', reportFile], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    // Stopped once every charger of the shard booted and a session ended, however slow the machine
    // (a fixed --duration cut the run short under load before the second thread had booted).
    await until('the shard booted and a session ended', () => csms.chargePoints().length >= 20 && csms.transactions().some((t) => t.stop), 40_000);
    expect((await fleet.stop('SIGTERM', 30_000)).code).toBe(0);
    const expected = Array.from({ length: 20 }, (_, j) => `S${String(3 * j + 2).padStart(5, '0')}`);
    expect(csms.chargePoints().map((c) => c.id).sort()).toEqual(expected);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport;
    expect(report.shard).toEqual({ index: 1, count: 3 });
    expect(report.chargers).toMatchObject({ planned: 20, started: 20, accepted: 20 });
    expect(report.bootMs.count).toBe(20);
    expect(report.actions.BootNotification!.responseMs.count).toBe(report.actions.BootNotification!.sent);
    expect(report.transactions.started).toBeGreaterThan(0);
    expect(report.transactions.stopped).toBe(report.transactions.started);
    expect(csms.transactions().filter((t) => !t.stop)).toEqual([]);
    expect(csms.violations()).toEqual([]);
  });

  it('refuses a bad shard with exit 64 and a message', async () => {
    const fleet = spawnEvse(['fleet', '--csms', 'ws://127.0.0.1:1', '--count', '10', '--shard', '2/2'], {});
    expect(await fleet.exited).toBe(64);
    expect(fleet.stderr()).toMatch(/evse fleet: shard index must be 0\.\.n-1/);
  });
});
