/**
 * `evse fleet` as a process with the options of issue 6: a profile file (validated: exit 64 naming
 * the field), --shards with JOB_COMPLETION_INDEX, the Prometheus endpoint, the HTML report beside
 * the JSON one; and `evse fleet merge` over shard reports (exact counts and percentiles, errors for
 * missing, invalid and duplicate reports).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { LatencyHistogram } from '../scenarios/fleet/LatencyHistogram.js';
import { spawnEvse } from './support/spawnEvse.js';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evse-fleet-cli-'));
  return () => rm(dir, { recursive: true, force: true });
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('evse fleet with a profile', () => {
  it('refuses an invalid profile with exit 64 naming the file and the field', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'sessions:\n  remoteShare: 2\n');
    const fleet = spawnEvse(['fleet', '--csms', 'ws://127.0.0.1:1', '--count', '1', '--profile', file], {});
    expect(await fleet.exited).toBe(64);
    expect(fleet.stderr()).toContain(`evse fleet: invalid fleet profile ${file}: sessions.remoteShare: must be <= 1, got 2`);
    const shards = spawnEvse(['fleet', '--csms', 'ws://127.0.0.1:1', '--count', '4', '--shards', '2'], { JOB_COMPLETION_INDEX: undefined });
    expect(await shards.exited).toBe(64);
    expect(shards.stderr()).toMatch(/--shards needs JOB_COMPLETION_INDEX/);
  });

  it('runs shard JOB_COMPLETION_INDEX of --shards, serves /metrics, writes JSON and HTML reports', { timeout: 60_000 }, async () => {
    const csms = new EmbeddedCsms({ logger: pino({ level: 'silent' }) });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const profile = join(dir, 'quick.yaml');
    await writeFile(profile, 'name: quick\ntime: { acceleration: 1 }\narrivals: { baseline: 3600, peaks: [] }\nsessions: { minutes: { min: 0.02, max: 0.04 }, dwellMinutes: 0, remoteShare: 0 }\nfaults: {}\n');
    const reportFile = join(dir, 'shard1.json');
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '20', '--shards', '2', '--id-prefix', 'K', '--ramp', '200', '--threads', '1', '--profile', profile, '--metrics-port', '0', '--report', reportFile, '--duration', '6'], { JOB_COMPLETION_INDEX: '1' });
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    let metricsUrl = '';
    await until('the metrics endpoint', () => {
      metricsUrl = /Prometheus metrics on (http:\/\/\S+)/.exec(fleet.stderr())?.[1] ?? '';
      return metricsUrl !== '';
    });
    await until('10 chargers accepted in /metrics', async () => /^evse_fleet_chargers\{state="accepted"\} 10$/m.test(await (await fetch(metricsUrl)).text()));
    expect(await fleet.exited).toBe(0);
    expect(csms.chargePoints().map((c) => c.id).sort()).toEqual(Array.from({ length: 10 }, (_, j) => `K${String(2 * j + 2).padStart(5, '0')}`));
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport;
    expect(report).toMatchObject({ shard: { index: 1, count: 2 }, profile: 'quick', chargers: { planned: 10, accepted: 10 } });
    expect(report.behaviour?.startedRfid).toBeGreaterThan(0);
    expect(report.timeline?.connects.reduce((n, v) => n + v, 0)).toBe(10);
    const html = await readFile(join(dir, 'shard1.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(fleet.stdout()).toMatch(/profile quick/);
    expect(fleet.stderr()).toMatch(/^evse fleet: shard 1\/2: 10 chargers of 20 against /m);
    expect(fleet.stdout()).toMatch(/^fleet shard 1\/2: 10 of 10 chargers started, 10 accepted/);
    // The summary says where the reports went.
    expect(fleet.stdout()).toContain(`\n  JSON report written to ${reportFile}\n`);
    expect(fleet.stdout()).toContain(`\n  HTML report written to ${join(dir, 'shard1.html')}\n`);
  });
});

describe('evse fleet: output files are checked before the run', () => {
  it.each([
    [['--report', '/nonexistent/dir/r.json'], "--report /nonexistent/dir/r.json: directory /nonexistent/dir does not exist"],
    [['--report', tmpdir()], `--report ${tmpdir()}: is a directory; give a file name`],
    [['--report', join(tmpdir(), 'evse-r.json'), '--html', '/nonexistent/r.html'], '--html /nonexistent/r.html: directory /nonexistent does not exist'],
    [['--report', join(tmpdir(), 'evse-same.json'), '--html', join(tmpdir(), 'evse-same.json')], `--html ${join(tmpdir(), 'evse-same.json')}: the same file as --report`],
  ])('evse fleet %j exits 64 at once with one line naming the option', async (args, problem) => {
    // Without the check the fleet would run its 3 s and then fail to write (or never write).
    const fleet = spawnEvse(['fleet', '--csms', 'ws://127.0.0.1:1', '--count', '1', '--duration', '3', ...args], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    expect(await fleet.exited).toBe(64);
    expect(fleet.stderr()).toBe(`evse fleet: ${problem}\n`);
    expect(fleet.stdout()).toBe('');
  });

  it('evse fleet merge checks --report and --html before it reads the reports', async () => {
    for (const [option, file, problem] of [
      ['--report', '/nonexistent/dir/m.json', 'directory /nonexistent/dir does not exist'],
      ['--html', dir, 'is a directory; give a file name'],
    ] as const) {
      const merge = spawnEvse(['fleet', 'merge', join(dir, 'not-read.json'), option, file], {});
      expect(await merge.exited).toBe(64);
      expect(merge.stderr()).toBe(`evse fleet merge: ${option} ${file}: ${problem}\n`);
    }
  });
});

describe('evse fleet merge', () => {
  /** Two shard reports from in-process fleets against the embedded CSMS. */
  async function shardReports(): Promise<[string, string, FleetReport[]]> {
    const csms = new EmbeddedCsms({ logger: pino({ level: 'silent' }) });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const reports: FleetReport[] = [];
    for (const index of [0, 1]) {
      const fleet = new Fleet({ csmsUrl: url, count: 30, idPrefix: 'M', shard: { index, count: 2 }, rampPerSecond: 500, log: pino({ level: 'silent' }), behaviour: { idleMs: [100, 300], chargeMs: [300, 600] } });
      await fleet.start();
      await until('shard accepted', () => fleet.accepted === 15);
      await new Promise((r) => setTimeout(r, 1500));
      reports.push(await fleet.stop(4000));
    }
    const files = [join(dir, 'a.json'), join(dir, 'b.json')] as const;
    for (const [i, f] of files.entries()) await writeFile(f, JSON.stringify(reports[i]));
    return [files[0], files[1], reports];
  }

  it('adds counts and merges percentiles exactly; refuses missing, invalid and duplicate reports', { timeout: 60_000 }, async () => {
    const [a, b, reports] = await shardReports();
    const out = join(dir, 'merged.json');
    const merge = spawnEvse(['fleet', 'merge', a, b, '--report', out, '--html', join(dir, 'merged.html')], {});
    expect(await merge.exited).toBe(0);
    const merged = JSON.parse(await readFile(out, 'utf8')) as FleetReport;
    expect(merged.chargers).toMatchObject({ planned: 30, started: 30, accepted: 30 });
    expect(merged.messages.out).toBe(reports[0]!.messages.out + reports[1]!.messages.out);
    const pooled = (name: string) => {
      const h = new LatencyHistogram();
      for (const r of reports) if (r.latency?.[name]) h.absorb(r.latency[name]);
      return h.summary();
    };
    expect(merged.bootMs).toEqual(pooled('boot'));
    expect(merged.bootMs.count).toBe(30);
    for (const [action, m] of Object.entries(merged.actions)) {
      expect(m.sent).toBe(reports.reduce((n, r) => n + (r.actions[action]?.sent ?? 0), 0));
      expect(m.responseMs).toEqual(pooled(`action:${action}`));
    }
    expect(merged.transactions.started).toBe(reports[0]!.transactions.started + reports[1]!.transactions.started);
    expect(merged.timeline?.connects.reduce((n, v) => n + v, 0)).toBe(30);
    expect(merge.stdout()).toMatch(/^fleet: 30 of 30 chargers started, 30 accepted/);
    expect(merge.stdout()).toContain(`\n  JSON report written to ${out}\n`);
    expect(merge.stdout()).toContain(`\n  HTML report written to ${join(dir, 'merged.html')}\n`);
    expect(await readFile(join(dir, 'merged.html'), 'utf8')).toContain('<svg');

    const missing = spawnEvse(['fleet', 'merge', a, join(dir, 'nope.json')], {});
    expect(await missing.exited).toBe(66);
    expect(missing.stderr()).toMatch(/evse fleet merge: .*nope\.json: cannot read it \(ENOENT\)/);
    const junk = join(dir, 'junk.json');
    await writeFile(junk, '{"hello": 1}');
    const invalid = spawnEvse(['fleet', 'merge', a, junk], {});
    expect(await invalid.exited).toBe(65);
    expect(invalid.stderr()).toMatch(/junk\.json: not an evse fleet report/);
    // Duplicates count twice: refused with exit 64 and one line naming the files.
    const refused = async (args: string[], message: RegExp) => {
      const p = spawnEvse(['fleet', 'merge', ...args], {});
      expect(await p.exited, args.join(' ')).toBe(64);
      expect(p.stderr().trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(message)]);
      expect(p.stdout()).toBe('');
    };
    await refused([a, b, a], /^evse fleet merge: \S*a\.json is given twice: its chargers would count twice$/);
    await mkdir(join(dir, 'sub'), { recursive: true });
    await refused([a, `${dir}/./sub/../a.json`], /a\.json and \S*sub\/\.\.\/a\.json are the same file/);
    const copy = join(dir, 'copy-of-a.json');
    await writeFile(copy, await readFile(a, 'utf8'));
    await refused([a, b, copy], /^evse fleet merge: \S*a\.json and \S*copy-of-a\.json are both shard 0\/2 of one run \(30 chargers M…, seed 1, started \S+\): their chargers would count twice$/);
    // An unsharded run (0/1) too: its report twice, or a progress snapshot beside the final report.
    const whole = join(dir, 'whole.json');
    const snapshot = join(dir, 'snapshot.json');
    const unsharded = { ...reports[0]!, shard: { index: 0, count: 1 } };
    await writeFile(whole, JSON.stringify(unsharded));
    await writeFile(snapshot, JSON.stringify({ ...unsharded, endedAt: new Date(Date.parse(unsharded.startedAt) + 100).toISOString() }));
    await refused([whole, whole], /whole\.json is given twice/);
    await refused([whole, snapshot], /whole\.json and \S*snapshot\.json are both shard 0\/1 of one run/);
    // The same shard of two different runs (another seed; or the same command again later) merges.
    const otherSeed = join(dir, 'other-seed.json');
    await writeFile(otherSeed, JSON.stringify({ ...unsharded, run: { ...unsharded.run!, seed: 2 } }));
    expect(await spawnEvse(['fleet', 'merge', whole, otherSeed], {}).exited).toBe(0);
    const later = join(dir, 'later.json');
    const hourMs = 3_600_000;
    await writeFile(later, JSON.stringify({ ...unsharded, startedAt: new Date(Date.parse(unsharded.startedAt) + hourMs).toISOString(), endedAt: new Date(Date.parse(unsharded.endedAt) + hourMs).toISOString() }));
    expect(await spawnEvse(['fleet', 'merge', whole, later], {}).exited).toBe(0);
    const half = spawnEvse(['fleet', 'merge', b], {});
    expect(await half.exited).toBe(0);
    expect(half.stderr()).toMatch(/shards 0 of 2 are missing/);
  });
});
