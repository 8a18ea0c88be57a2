/**
 * `evse fleet --processes P` as a user runs it: the command starts P shard processes against the
 * strict embedded CSMS, each from its own source address (127.0.0.2…), passes SIGTERM on (one
 * graceful stop each), merges their reports into one and exits 0; killed itself, it leaves no shard
 * process running; options that address one process are refused with exit 64.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { spawnEvse } from './support/spawnEvse.js';

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evse-fleet-processes-'));
  return () => rm(dir, { recursive: true, force: true });
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('evse fleet --processes', () => {
  it('runs the shards as processes from their own source addresses, stops them on SIGTERM and merges their reports', { timeout: 60_000 }, async () => {
    const csms = new EmbeddedCsms({ logger: pino({ level: 'silent' }) });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const from = new Map<string, string>();
    csms.on('connect', (e) => from.set(e.chargePointId, e.remoteAddress ?? '?'));
    const reportFile = join(dir, 'merged.json');
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '6', '--processes', '2', '--id-prefix', 'P', '--ramp', '100', '--threads', '1', '--idle', '3600-3600', '--report', reportFile], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    const booted = () => csms.chargePoints().filter((c) => (c.handled.BootNotification ?? 0) >= 1 && (c.handled.StatusNotification ?? 0) >= 2).length;
    await until('6 chargers booted with their statuses', () => booted() === 6);
    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);

    // Shard 0/2 takes P00001, P00003, P00005 from 127.0.0.2; shard 1/2 the others from 127.0.0.3.
    expect(Object.fromEntries([...from].sort())).toEqual({
      P00001: '127.0.0.2', P00002: '127.0.0.3', P00003: '127.0.0.2', P00004: '127.0.0.3', P00005: '127.0.0.2', P00006: '127.0.0.3',
    });
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport & { processes: number };
    expect(report).toMatchObject({ processes: 2, shard: { index: 0, count: 1 }, chargers: { planned: 6, started: 6, accepted: 6, connected: 0 }, bootResults: { Accepted: 6 } });
    expect(report.actions.StatusNotification?.results).toBeGreaterThanOrEqual(12);
    expect(report.actions.BootNotification?.callErrors).toBe(0);
    expect(fleet.stderr()).toMatch(/^evse fleet: 2 processes \(6 chargers\) against ws:\/\/127\.0\.0\.1:\d+ at 100\/s in all; source addresses 127\.0\.0\.2, 127\.0\.0\.3/m);
    expect(fleet.stderr()).toMatch(/^\[0\/2\] evse fleet: shard 0\/2: 3 chargers of 6 /m);
    expect(fleet.stderr()).toMatch(/^\[1\/2\] evse fleet: shard 1\/2: 3 chargers of 6 /m);
    // One graceful stop per shard: the signal was passed on once, not cut short.
    expect(fleet.stderr().match(/stopping \(SIGTERM\)/g)).toHaveLength(2);
    expect(fleet.stderr()).not.toMatch(/again: stopping at once|stop at once/);
    expect(fleet.stdout()).toMatch(/^fleet: 6 of 6 chargers started, 6 accepted/);
    expect(fleet.stdout()).toMatch(/2 shard processes, 2 reports merged/);
    expect(fleet.stdout()).toContain(`JSON report written to ${reportFile}`);
  });

  it('leaves no shard process behind when the command itself is killed', { timeout: 60_000 }, async () => {
    const csms = new EmbeddedCsms({ logger: pino({ level: 'silent' }) });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '4', '--processes', '2', '--ramp', '100', '--threads', '1', '--idle', '3600-3600'], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    await until('4 chargers connected', () => csms.chargePoints().filter((c) => c.connected).length === 4);
    fleet.child.kill('SIGKILL');
    // The shard processes see their stdin end and stop gracefully: every charger disconnects.
    await until('every charger disconnected', () => csms.chargePoints().every((c) => !c.connected), 20_000);
    expect(csms.chargePoints()).toHaveLength(4);
  });

  it('refuses what one process cannot share with others, and a bad count, with exit 64', async () => {
    const control = spawnEvse(['fleet', '--csms', 'ws://127.0.0.1:1', '--count', '4', '--processes', '2', '--control-port', '0'], {});
    const zero = spawnEvse(['fleet', '--csms', 'ws://127.0.0.1:1', '--count', '4', '--processes', '0'], {});
    expect(await control.exited).toBe(64);
    expect(control.stderr()).toMatch(/^evse fleet: --control-port cannot be used with --processes/m);
    expect(await zero.exited).toBe(64);
    expect(zero.stderr()).toMatch(/--processes/);
  });
});
