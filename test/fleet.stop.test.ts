/**
 * The graceful stop of a fleet against a strict CSMS that answers StopTransaction slowly (one at a
 * time, after a delay: a CSMS with less capacity than the fleet's stop would like): in process, it
 * paces itself to the answers and ends every transaction, or, cut short by its deadline, sends no
 * call it does not wait for and counts what it left open; as an `evse fleet` process, a second
 * SIGTERM cuts the stop short, and the summary, the report and the exit code say what was left open.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedCsms, TrafficRecord } from '../scenarios/csms/EmbeddedCsms.js';
import { NO_REPLY } from '../scenarios/csms/EmbeddedCsms.js';
import { Fleet, STOPPING_AT_ONCE } from '../scenarios/fleet/Fleet.js';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { cleanupStack } from './support/cleanupStack.js';
import { startQuietCsms } from './support/quietCsms.js';
import { spawnEvse } from './support/spawnEvse.js';
import { until as pollUntil } from './support/until.js';

const until = (what: string, check: () => boolean, ms = 30_000): Promise<void> => pollUntil(what, check, ms, 50);

const { cleanups, release, tempDir } = cleanupStack();
afterEach(release);

/** The CSMS answers StopTransaction one at a time, each `delayMs` after the previous one. */
function answerStopsSlowly(csms: EmbeddedCsms, delayMs: number): void {
  let queue = Promise.resolve();
  csms.respondTo('StopTransaction', (_request, ctx) => {
    const answered = queue.then(() => sleep(delayMs)).then(() => ctx.defaultReply());
    queue = answered.then(() => undefined);
    return answered;
  });
}

/** A fleet of `n` chargers each mid-session (sessions last 10 minutes). */
async function chargingFleet(url: string, log: Logger, csms: EmbeddedCsms, n: number): Promise<Fleet> {
  const fleet = new Fleet({ csmsUrl: url, count: n, idPrefix: 'P', rampPerSecond: 1000, seed: 5, log, behaviour: { idleMs: [50, 200], chargeMs: [600_000, 600_000] } });
  cleanups.push(() => fleet.stop(2000));
  await fleet.start();
  await until(`${n} transactions running`, () => csms.transactions().filter((t) => !t.stop).length === n);
  return fleet;
}

/** Most of `intervals` ([start, end] times) that overlap at one moment. */
function mostAtOnce(intervals: [number, number][]): number {
  const edges = intervals.flatMap(([a, b]): [number, number][] => [
    [a, 1],
    [b, -1],
  ]);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (open += d));
  return most;
}

/** Per charge point, [call received, answer sent] of every call it made from `t0` on. */
function callsFrom(csms: EmbeddedCsms, t0: number): Map<string, [number, number][]> {
  const records = csms.traffic((r: TrafficRecord) => r.t >= t0);
  const received = new Map<string, TrafficRecord>();
  const out = new Map<string, [number, number][]>();
  for (const r of records) {
    if (r.messageId === undefined) continue;
    if (r.kind === 'call' && r.direction === 'in') received.set(r.messageId, r);
    if (r.kind === 'result' && r.direction === 'out') {
      const call = received.get(r.messageId);
      if (call) out.set(r.chargePointId, [...(out.get(r.chargePointId) ?? []), [call.t, r.t]]);
    }
  }
  return out;
}

describe('graceful stop of an in-process fleet against a slow strict CSMS', () => {
  it('paces itself to the answers: one call in flight per charger, a bounded number of chargers at once, every transaction ended', { timeout: 90_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const n = STOPPING_AT_ONCE + 150;
    const fleet = await chargingFleet(url, log, csms, n);
    answerStopsSlowly(csms, 4);

    const t0 = Date.now();
    const report = await fleet.stop(60_000);
    expect(csms.transactions().filter((t) => !t.stop)).toEqual([]);
    expect(report.stop).toMatchObject({ transactions: n, leftOpen: 0, chargers: n, chargersCutShort: 0 });
    expect(report.stop!.cutShort).toBeUndefined();
    expect(report.actions.StopTransaction).toMatchObject({ sent: n, results: n, callErrors: 0 });
    expect(csms.chargePoints().filter((c) => c.connected)).toEqual([]);
    // One call at a time per charger, and the stop's calls of at most STOPPING_AT_ONCE chargers at once.
    const calls = callsFrom(csms, t0);
    for (const [id, list] of calls) expect(mostAtOnce(list), id).toBe(1);
    // A charger's turn: from its StopTransaction to the last answer it waited for. (A periodic
    // MeterValues sent before its turn came is no part of it: on a busy machine the stop lasts long
    // enough for one.)
    const stopAt = new Map(csms.traffic((r: TrafficRecord) => r.t >= t0 && r.kind === 'call' && r.direction === 'in' && r.action === 'StopTransaction').map((r) => [r.chargePointId, r.t]));
    const spans = [...calls].map(([id, list]): [number, number] => [stopAt.get(id)!, Math.max(...list.map((c) => c[1]))]);
    expect(mostAtOnce(spans)).toBeGreaterThan(1);
    expect(mostAtOnce(spans)).toBeLessThanOrEqual(STOPPING_AT_ONCE);
    expect(csms.violations()).toEqual([]);
  });

  it('cut short by its deadline: sends no StopTransaction it will not wait for, and reports what it left open', { timeout: 90_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const n = STOPPING_AT_ONCE + 150;
    const fleet = await chargingFleet(url, log, csms, n);
    // 20 ms per answer: 400 StopTransactions would take 8 s; the deadline is 1.5 s.
    answerStopsSlowly(csms, 20);

    const t0 = performance.now();
    const report = await fleet.stop(1500);
    expect(performance.now() - t0).toBeLessThan(1500 + 5000);
    const answered = report.actions.StopTransaction?.results ?? 0;
    expect(report.stop).toMatchObject({ transactions: n, cutShort: 'deadline' });
    // Every transaction without an answered StopTransaction, and one whose answer crossed the socket's close.
    expect(report.stop!.leftOpen).toBeGreaterThanOrEqual(n - answered);
    expect(report.stop!.leftOpen).toBeLessThan(n);
    expect(report.stop!.chargersCutShort).toBeGreaterThan(0);
    // Only the chargers mid-turn when the deadline came had a StopTransaction unanswered: a charger
    // whose turn had not come sent none (before, every charger sent one and closed its socket).
    const received = csms.traffic((r) => r.action === 'StopTransaction' && r.kind === 'call' && r.direction === 'in').length;
    expect(received - answered).toBeLessThanOrEqual(STOPPING_AT_ONCE);
    // The CSMS sees at least as few open transactions as reported (it may have answered a call whose answer did not arrive).
    await until('every socket closed', () => csms.chargePoints().every((c) => !c.connected), 10_000);
    const openAtCsms = csms.transactions().filter((t) => !t.stop).length;
    expect(openAtCsms).toBeGreaterThan(0);
    expect(openAtCsms).toBeLessThanOrEqual(report.stop!.leftOpen);
    expect(csms.violations()).toEqual([]);
  });
});

describe('evse fleet stopped twice', () => {
  it('a second SIGTERM cuts the stop short: summary, report and exit code say how many transactions were left open', { timeout: 90_000 }, async () => {
    const { csms, url } = await startQuietCsms(cleanups);
    // This CSMS never answers StopTransaction: the stop cannot end by itself before its deadline.
    csms.respondTo('StopTransaction', NO_REPLY);
    const reportFile = join(await tempDir('evse-fleet-stop-'), 'report.json');
    const n = 30;
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', String(n), '--ramp', '400', '--idle', '0.05-0.2', '--charge', '600', '--report', reportFile, '--seed', '4'], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    await until(`${n} running transactions`, () => csms.transactions().filter((t) => !t.stop).length === n, 45_000);
    fleet.child.kill('SIGTERM');
    await until('the stop to begin', () => /stopping \(SIGTERM\)/.test(fleet.stderr()), 10_000);
    await until('StopTransactions at the CSMS', () => csms.traffic((r) => r.action === 'StopTransaction' && r.kind === 'call').length > 0, 10_000);
    const { code, elapsedMs } = await fleet.stop('SIGTERM', 10_000);
    expect(code).toBe(1);
    expect(elapsedMs).toBeLessThan(5000);
    expect(fleet.stderr()).toMatch(/SIGTERM again: stopping at once/);
    expect(fleet.stdout()).toMatch(new RegExp(`stop cut short by a second signal after [\\d.]+ s: ${n} of ${n} transactions left open at the CSMS`));
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport;
    expect(report.stop).toMatchObject({ transactions: n, leftOpen: n, cutShort: 'interrupted' });
    expect(csms.transactions().filter((t) => !t.stop)).toHaveLength(n);
    expect(await readFile(reportFile.replace(/\.json$/, '.html'), 'utf8')).toMatch(new RegExp(`${n} of ${n} transactions left open`));
  });

  it('--stop-timeout cuts the stop short with exit 1; a bad value exits 64', { timeout: 90_000 }, async () => {
    const { csms, url } = await startQuietCsms(cleanups);
    csms.respondTo('StopTransaction', NO_REPLY);
    const n = 10;
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', String(n), '--ramp', '400', '--idle', '0.05-0.2', '--charge', '600', '--stop-timeout', '1s', '--seed', '4'], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    await until(`${n} running transactions`, () => csms.transactions().filter((t) => !t.stop).length === n, 45_000);
    const { code } = await fleet.stop('SIGTERM', 10_000);
    expect(code).toBe(1);
    expect(fleet.stdout()).toMatch(new RegExp(`stop cut short by its deadline \\(--stop-timeout\\) after [\\d.]+ s: ${n} of ${n} transactions left open`));

    const bad = spawnEvse(['fleet', '--csms', url, '--count', '1', '--stop-timeout', 'soon'], {});
    expect(await bad.exited).toBe(64);
    expect(bad.stderr()).toMatch(/--stop-timeout/);
  });
});
