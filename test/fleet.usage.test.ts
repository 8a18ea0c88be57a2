/**
 * The fleet report's utilisation (scenarios/fleet/FleetUsage.ts, the summary `evse sessions` prints):
 * real Agents with simulated hardware on the wall clock against the embedded strict CSMS on
 * 127.0.0.1. Its sessions and energy agree with what the CSMS booked; reports of worker threads
 * merge into the same figures; the text and HTML reports show it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { spawnEvse } from './support/spawnEvse.js';
import { cleanupStack } from './support/cleanupStack.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until as pollUntil } from './support/until.js';

const until = (what: string, check: () => boolean, ms = 15_000): Promise<void> => pollUntil(what, check, ms, 50);
const { cleanups, release, tempDir } = cleanupStack();
afterEach(release);

describe('fleet utilisation', () => {
  it('counts every session the CSMS booked, with its energy, and the connector time of the run', { timeout: 60_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const fleet = new Fleet({ csmsUrl: url, count: 20, connectors: 2, idPrefix: 'U', rampPerSecond: 400, seed: 5, log, behaviour: { idleMs: [100, 400], chargeMs: [500, 1500] } });
    cleanups.push(() => fleet.stop(2000));
    const t0 = Date.now();
    await fleet.start();
    await until('15 completed sessions', () => csms.transactions().filter((t) => t.stop).length >= 15);
    const report = await fleet.stop(8000);
    const ranMs = Date.now() - t0;

    const booked = csms.transactions().filter((t) => t.duplicateOf === undefined);
    expect(booked.every((t) => t.stop)).toBe(true);
    const { tally, summary } = report.usage!;
    expect(tally.sessions).toBe(booked.length);
    expect(tally.stoppedSessions).toBe(booked.length);
    expect(tally.energyWh).toBe(booked.reduce((n, t) => n + (t.stop!.meterStop - t.meterStart), 0));
    expect(tally.connectors).toBe(40);
    expect(tally.connectorMs).toBeGreaterThan(0);
    expect(tally.connectorMs).toBeLessThanOrEqual(40 * ranMs);
    // Charging happens plugged in; both happened.
    expect(tally.chargingMs).toBeGreaterThan(0);
    expect(tally.pluggedMs).toBeGreaterThan(tally.chargingMs);
    expect(summary.sessions).toBe(booked.length);
    expect(summary.occupancyPercent).toBeGreaterThan(summary.chargingPercent);
    expect(summary.occupancyPercent).toBeLessThanOrEqual(100);
  });

  it('worker threads: the merged report counts the sessions of both threads; text and HTML show the summary', { timeout: 60_000 }, async () => {
    const { csms, url } = await startQuietCsms(cleanups);
    const dir = await tempDir('evse-fleet-usage-');
    const reportFile = join(dir, 'report.json');
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '16', '--threads', '2', '--id-prefix', 'M', '--ramp', '500', '--idle', '0.1-0.3', '--charge', '0.3-0.6', '--duration', '6', '--report', reportFile], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    // Six seconds: worker threads take a while to load on a busy machine before the first session.
    expect(await fleet.exited).toBe(0);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport;
    const booked = csms.transactions().filter((t) => t.duplicateOf === undefined);
    expect(booked.length).toBeGreaterThan(0);
    expect(report.usage!.tally.sessions).toBe(booked.length);
    expect(report.usage!.tally.connectors).toBe(16);
    expect(report.usage!.summary.sessions).toBe(booked.length);
    expect(fleet.stdout()).toMatch(new RegExp(`^ {2}usage ${booked.length} sessions \\(`, 'm'));
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Utilisation</h2>');
    expect(html).toContain(`<tr><th>sessions (per day)</th><td>${booked.length} (`);
  });
});
