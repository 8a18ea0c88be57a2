/**
 * A fleet that mixes OCPP 1.6 and 2.0.1 chargers, in-process against the embedded strict CSMS on
 * 127.0.0.1 (ocpp-rpc strict mode both ways, each connection in the version its charger offers):
 * both versions boot and run sessions (2.0.1 with TransactionEvent), the report has each version's
 * counts and response-time percentiles (JSON, summary, HTML, Prometheus, merged across shards), the
 * control API's transaction events speak of 2.0.1 transactions like 1.6 ones, and the embedded
 * CSMS's site load manager shares a site among 2.0.1 chargers with 2.0.1 SetChargingProfile calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import type { FleetEvent } from '../scenarios/fleet/controlTypes.js';
import { formatSummary } from '../scenarios/fleet/formatReport.js';
import { fleetRegistry } from '../scenarios/fleet/fleetPrometheus.js';
import { mergeReports } from '../scenarios/fleet/mergeReports.js';
import { versionAt } from '../scenarios/fleet/ocppVersions.js';
import { mergeOverDefault, parseProfile } from '../scenarios/fleet/profile.js';
import { DEFAULT_PROFILE } from '../scenarios/fleet/profileDefault.js';
import { reportHtml } from '../scenarios/fleet/reportHtml.js';
import { resolveSites } from '../scenarios/fleet/sites.js';
import { SiteLoadManager } from '../scenarios/csms/SiteLoadManager.js';
import { cleanupStack } from './support/cleanupStack.js';
import { histogramSeries, parseExposition } from './support/promText.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until as pollUntil } from './support/until.js';
import { spawnEvse } from './support/spawnEvse.js';

const until = (what: string, check: () => boolean, ms = 20_000): Promise<void> => pollUntil(what, check, ms, 50);

const { cleanups, release } = cleanupStack();
afterEach(release);

describe('a fleet of OCPP 1.6 and 2.0.1 chargers against the strict CSMS', () => {
  it('boots both versions by position, runs sessions in each, and reports per-version percentiles', { timeout: 60_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const n = 60;
    // The mix from a profile, as `ocppVersions` in a profile file says it.
    const profile = parseProfile(mergeOverDefault(DEFAULT_PROFILE, { ocppVersions: { '1.6': 70, '2.0.1': 30 } }), 'test');
    const fleet = new Fleet({ csmsUrl: url, count: n, idPrefix: 'MX', rampPerSecond: 500, seed: 4, log, behaviour: { profile, idleMs: [100, 500], chargeMs: [400, 1000] } });
    cleanups.push(() => fleet.stop(2000));
    const events: FleetEvent[] = [];
    const unwatch = await fleet.watch({ types: ['transaction'] }, (e) => events.push(e));
    await fleet.start();
    await until('all chargers accepted', () => fleet.accepted === n);

    // Each charger speaks the version of its position, end to end (the CSMS saw its subprotocol).
    const ids = Array.from({ length: n }, (_, i) => `MX${String(i + 1).padStart(5, '0')}`);
    const v201 = ids.filter((id) => csms.ocppVersion(id) === '2.0.1');
    expect(v201).toEqual(ids.filter((_, i) => versionAt({ '1.6': 70, '2.0.1': 30 }, i + 1) === '2.0.1'));
    expect(v201).toHaveLength(18);
    // A 2.0.1 charger whose connection drops comes back without a new boot (its registration
    // outlives the connection): the fleet still counts it connected and its reconnection.
    const victim = v201[0]!;
    expect(await csms.disconnect(victim, { force: true })).toBe(true);
    await until('the victim seen offline', () => fleet.metrics.disconnects >= 1, 5000);
    await until('the victim back', () => csms.isConnected(victim) && fleet.chargers.find((c) => c.id === victim)!.agent.link.state === 'accepted', 15_000);
    expect(fleet.connected).toBe(n);
    expect(fleet.report().timeline!.reconnects.reduce((a, b) => a + b, 0)).toBe(1);
    const done = (ids: string[]) => csms.transactions().filter((t) => t.stop && ids.includes(t.chargePointId)).length;
    await until('sessions ended on both versions', () => done(v201) >= 6 && done(ids.filter((id) => !v201.includes(id))) >= 6);
    unwatch();

    const report = await fleet.stop(8000);
    expect(csms.violations()).toEqual([]);
    expect(csms.transactions().filter((t) => !t.stop && t.duplicateOf === undefined)).toEqual([]);
    const v = report.ocppVersions!;
    expect(v['1.6']!.chargers).toEqual({ started: 42, accepted: 42 });
    expect(v['2.0.1']!.chargers).toEqual({ started: 18, accepted: 18 });
    // 2.0.1 sessions are TransactionEvents; each Started and Ended answered counts as a transaction.
    expect(v['2.0.1']!.actions.StartTransaction).toBeUndefined();
    expect(v['1.6']!.actions.TransactionEvent).toBeUndefined();
    expect(v['2.0.1']!.transactions.started).toBeGreaterThanOrEqual(6);
    expect(v['2.0.1']!.transactions.stopped).toBe(v['2.0.1']!.transactions.started);
    expect(v['1.6']!.transactions.stopped).toBe(v['1.6']!.actions.StartTransaction!.results);
    expect(report.transactions.started).toBe(v['1.6']!.transactions.started + v['2.0.1']!.transactions.started);
    for (const version of ['1.6', '2.0.1'] as const) {
      const boot = v[version]!.actions.BootNotification!;
      expect(boot.results).toBe(version === '1.6' ? 42 : 18);
      expect(boot.responseMs.count).toBe(boot.results);
      expect(boot.responseMs.p50).toBeLessThanOrEqual(boot.responseMs.p95);
      expect(boot.responseMs.p95).toBeLessThanOrEqual(boot.responseMs.p99);
      for (const a of Object.values(v[version]!.actions)) expect(a.callErrors).toBe(0);
    }
    const te = v['2.0.1']!.actions.TransactionEvent!;
    expect(te.responseMs.count).toBe(te.results);
    expect(report.actions.BootNotification!.results).toBe(n);

    // The control API's transaction events: a 2.0.1 session as a 1.6 one is told.
    const started201 = events.find((e) => v201.includes(e.charger) && (e.data as { phase?: string }).phase === 'started');
    expect(started201?.data).toMatchObject({ phase: 'started', connectorId: 1, transactionId: expect.any(Number), idTagStatus: 'Accepted', ocppVersion: '2.0.1' });
    expect(events.some((e) => !v201.includes(e.charger) && (e.data as { phase?: string }).phase === 'stopped')).toBe(true);

    // Summary, HTML and Prometheus speak per version.
    const summary = formatSummary(report);
    expect(summary).toContain('OCPP 1.6: 42 chargers started, 42 accepted');
    expect(summary).toMatch(/StopTransaction or TransactionEvent Ended answered/);
    expect(summary).toMatch(/OCPP 2\.0\.1: 18 chargers started, 18 accepted[^\n]*\n {4}action[^\n]*\n(?: {4}.*\n)*? {4}TransactionEvent +\d+/);
    const html = reportHtml(report);
    expect(html).toContain('<h2>Per OCPP version</h2>');
    expect(html).toContain('<h3>OCPP 2.0.1</h3>');
    const { samples } = parseExposition(await fleetRegistry(() => report).scrape());
    const te201 = histogramSeries(samples, 'evse_fleet_ocpp_response_seconds').find((s) => s.labels.action === 'TransactionEvent');
    expect(te201?.labels).toEqual({ action: 'TransactionEvent', ocpp_version: '2.0.1' });
    expect(te201?.count).toBe(te.responseMs.count);
    expect(samples.find((s) => s.name === 'evse_fleet_ocpp_version_chargers' && s.labels.ocpp_version === '2.0.1' && s.labels.state === 'accepted')?.value).toBe(18);

    // Shards merge per version: counts add, percentiles come from the merged histograms.
    const merged = mergeReports([{ report }, { report: { ...report, shard: { index: 1, count: 2 } } }], { index: 0, count: 1 });
    expect(merged.ocppVersions!['2.0.1']!.chargers.started).toBe(36);
    expect(merged.ocppVersions!['2.0.1']!.actions.TransactionEvent!.responseMs.count).toBe(2 * te.responseMs.count);
    expect(merged.ocppVersions!['2.0.1']!.actions.TransactionEvent!.responseMs.p99).toBeCloseTo(te.responseMs.p99, 6);
    expect(merged.ocppVersions!['1.6']!.transactions.started).toBe(2 * v['1.6']!.transactions.started);
  });

  it('shares a site among 2.0.1 chargers with 2.0.1 SetChargingProfile calls from the embedded load manager', { timeout: 40_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const profile = parseProfile(
      mergeOverDefault(DEFAULT_PROFILE, {
        name: 'sites201',
        time: { acceleration: 1 },
        arrivals: { baseline: 3600, peaks: [] },
        evs: [{ name: 'sixteen', share: 1, batteryKWh: 60, maxCurrentA: 16, phases: 3, socStart: 0.2 }],
        sessions: { minutes: 0.2, energyKWh: null, dwellMinutes: 0, remoteShare: 0, remotePatienceMinutes: 1 },
        faults: {},
        sites: [{ name: 'depot', chargers: 2, limitA: 20 }],
        ocppVersions: { '2.0.1': 100 },
      }),
      'test',
    );
    const manager = new SiteLoadManager(csms, { sites: resolveSites(profile.sites, 2), idPrefix: 'SV' }).attach();
    cleanups.push(async () => manager.detach());
    const fleet = new Fleet({ csmsUrl: url, count: 2, idPrefix: 'SV', rampPerSecond: 100, seed: 5, log, behaviour: { profile } });
    cleanups.push(() => fleet.stop(2000));
    await fleet.start();
    type Profile201 = { evseId: number; chargingProfile: { chargingProfilePurpose: string; transactionId?: string; chargingSchedule: { chargingSchedulePeriod: { limit: number }[] }[] } };
    const sent = () => csms.traffic((r) => r.kind === 'call' && r.action === 'SetChargingProfile' && r.direction === 'out').map((r) => r.payload as Profile201);
    await until('both chargers sharing the depot at 10 A', () => sent().filter((p) => p.chargingProfile.chargingProfilePurpose === 'TxProfile' && p.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod[0]!.limit === 10).length >= 2, 30_000);
    expect(sent().find((p) => p.chargingProfile.chargingProfilePurpose === 'TxProfile')).toMatchObject({ evseId: 1, chargingProfile: { transactionId: expect.stringMatching(/^\d+$/) } });
    await until('the fleet saw a profile obeyed', () => (fleet.report().sites?.obey.obeyed ?? 0) > 0, 10_000);
    expect(manager.counts.failed).toBe(0);
    const report = await fleet.stop(8000);
    expect(csms.violations()).toEqual([]);
    expect(report.ocppVersions!['1.6']).toBeUndefined();
    expect(report.ocppVersions!['2.0.1']!.chargers.accepted).toBe(2);
  });
});

describe('evse fleet --ocpp', () => {
  it('refuses a mix that does not add up with exit 64 and one line naming the option', async () => {
    const fleet = spawnEvse(['fleet', '--csms', 'ws://127.0.0.1:1', '--count', '1', '--ocpp', '1.6:70,2.0.1:20'], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    expect(await fleet.exited).toBe(64);
    expect(fleet.stderr()).toBe('evse fleet: --ocpp: percentages add up to 90 (1.6: 70, 2.0.1: 20), must add up to 100\n');
  });

  it('runs a whole fleet in 2.0.1: the start line and the summary say so', { timeout: 30_000 }, async () => {
    const { csms, url } = await startQuietCsms(cleanups);
    const fleet = spawnEvse(['fleet', '--csms', url, '--count', '4', '--ocpp', '2.0.1', '--ramp', '1000', '--duration', '5', '--idle', '0.2-0.5', '--charge', '0.5-1'], {});
    cleanups.push(() => fleet.stop('SIGKILL', 2000));
    expect(await fleet.exited).toBe(0);
    expect(fleet.stderr()).toMatch(/^evse fleet: 4 chargers speaking OCPP 2\.0\.1 against /m);
    expect(fleet.stdout()).toMatch(/^ {2}OCPP 2\.0\.1: 4 chargers started, 4 accepted; transactions started \d+/m);
    expect(csms.chargePoints().map((c) => csms.ocppVersion(c.id))).toEqual(['2.0.1', '2.0.1', '2.0.1', '2.0.1']);
    expect(csms.violations()).toEqual([]);
  });
});
