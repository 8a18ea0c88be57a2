/**
 * WorkerSupervisor with real worker threads running small scripts that post reports the way
 * fleetWorker.ts does, then crash in the ways a fleet worker can: an uncaught exception,
 * `process.exit` inside the worker. (The whole fleet on threads: test/fleet.threads.supervision.test.ts.)
 */
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/support/until.js';
import { mergeReports } from './mergeReports.js';
import { emptyReport, WorkerSupervisor, type SupervisorOptions } from './WorkerSupervisor.js';

/** A worker that posts one progress report (`accepted` chargers, `boots` Accepted), then does `then`. */
function script(accepted: number, boots: number, then: string): string {
  const report = { ...emptyReport(), chargers: { planned: 5, started: 5, connected: accepted, accepted }, bootResults: { Accepted: boots } };
  return `
    const { parentPort } = require('node:worker_threads');
    const report = ${JSON.stringify(report)};
    parentPort.postMessage({ type: 'progress', report });
    parentPort.on('message', (m) => {
      if (m.type === 'stop') parentPort.postMessage({ type: 'final', report, series: {} });
    });
    setTimeout(() => { ${then} }, 100);
  `;
}

const running: WorkerSupervisor[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop(500);
});

function supervise(scripts: ((restart: boolean, n: number) => string)[], policy: SupervisorOptions['policy']) {
  const lines: { level: number; msg: string; worker: number }[] = [];
  const downs: number[] = [];
  const spawns: [number, boolean][] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]), done()) });
  const supervisor = new WorkerSupervisor({
    slices: scripts.length,
    spawn: (j, restart) => {
      spawns.push([j, restart]);
      return new Worker(scripts[j]!(restart, spawns.filter(([k]) => k === j).length), { eval: true });
    },
    onMessage: () => undefined,
    onDown: (j) => downs.push(j),
    chargersOf: () => 5,
    log: pino({ level: 'info' }, sink),
    policy,
  });
  running.push(supervisor);
  supervisor.start();
  return { supervisor, lines, downs, spawns };
}

const report = (s: WorkerSupervisor) => mergeReports(s.parts(), { index: 0, count: 1 });

describe('WorkerSupervisor', () => {
  it('logs an uncaught exception once, keeps the reported counts, restarts the slice, then gives it up', { timeout: 20_000 }, async () => {
    const steady = () => script(5, 5, '');
    const crashing = () => script(5, 5, "throw new Error('boom in charger loop')");
    const { supervisor, lines, downs, spawns } = supervise([steady, crashing], { backoffMs: 50, maxRestarts: 2, windowMs: 60_000 });
    await until('slice 1 given up', () => supervisor.gaveUp(1), 10_000);
    expect(spawns).toEqual([[0, false], [1, false], [1, true], [1, true]]);
    expect(downs).toEqual([1, 1, 1]);
    const died = lines.filter((l) => l.msg.includes('worker thread 1 died'));
    expect(died).toHaveLength(3);
    expect(died[0]!.msg).toMatch(/^worker thread 1 died \(Error: boom in charger loop\) with 5 chargers; their last \d+ ms of metrics are lost; restarting it in 50 ms$/);
    expect(died[1]!.msg).toMatch(/restarting it in 100 ms$/); // doubled
    expect(died[2]!.msg).toMatch(/died 3 times within 60 s, so its 5 chargers stay down for the rest of the run$/);
    expect(lines.filter((l) => /restarted/.test(l.msg))).toHaveLength(2);
    expect(supervisor.report()).toMatchObject({ threads: 2, deaths: 3, restarts: 2, chargersAffected: 15, slicesGivenUp: 1, chargersGivenUp: 5, lostWorkerReports: 3 });
    expect(supervisor.report().failures.map((f) => f.error)).toEqual(new Array(3).fill('Error: boom in charger loop'));
    expect(supervisor.downReason(1)).toMatch(/given up/);
    expect(supervisor.post(1, { type: 'stop', withinMs: 0 })).toBe(false);
    // Three dead workers' reports and the live one: boots add up, only the live chargers count.
    const r = report(supervisor);
    expect(r.bootResults.Accepted).toBe(20);
    expect(r.chargers).toMatchObject({ started: 5, accepted: 5 });
    const parts = await supervisor.stop(1000);
    const final = mergeReports(parts, { index: 0, count: 1 });
    expect(final.bootResults.Accepted).toBe(20);
    expect(supervisor.report().lostWorkerReports).toBe(3); // the live worker's final report arrived
  });

  it('treats process.exit inside a worker as a death and restarts it with the same slice', { timeout: 20_000 }, async () => {
    const once = (restart: boolean) => script(5, 5, restart ? '' : 'process.exit(0)');
    const { supervisor, lines, spawns } = supervise([once], { backoffMs: 20 });
    await until('the replacement reported', () => supervisor.report().restarts === 1 && report(supervisor).chargers.accepted === 5, 10_000);
    expect(spawns).toEqual([[0, false], [0, true]]);
    expect(lines.find((l) => l.msg.includes('died'))!.msg).toMatch(/died \(exit code 0\)/);
    expect(report(supervisor).bootResults.Accepted).toBe(10);
  });

  it('does not restart a worker that ends during the stop, and counts its missing final report', { timeout: 20_000 }, async () => {
    const quitter = () => script(5, 5, '').replace("if (m.type === 'stop')", "if (m.type === 'stop') process.exit(1); if (false)");
    const { supervisor, lines, spawns } = supervise([quitter], { backoffMs: 20 });
    await until('the first report', () => report(supervisor).chargers.accepted === 5, 10_000);
    const parts = await supervisor.stop(1000);
    expect(spawns).toHaveLength(1);
    expect(lines).toEqual([]);
    expect(supervisor.report()).toMatchObject({ deaths: 0, restarts: 0, lostWorkerReports: 1 });
    expect(mergeReports(parts, { index: 0, count: 1 }).bootResults.Accepted).toBe(5); // its last progress stands in
  });
});
