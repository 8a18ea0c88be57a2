/**
 * Fleet sites against the embedded strict CSMS's site load manager, in-process on 127.0.0.1: four
 * chargers in two sites (one limited in A per phase, one in kW) and one outside any site. The
 * manager shares each limit among the site's transactions with TxProfiles; the fleet's report
 * shows every site's power staying within its limit and how fast the chargers obeyed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import { mergeOverDefault, parseProfile } from '../scenarios/fleet/profile.js';
import { DEFAULT_PROFILE } from '../scenarios/fleet/profileDefault.js';
import { resolveSites } from '../scenarios/fleet/sites.js';
import { formatSummary } from '../scenarios/fleet/formatReport.js';
import { reportHtml } from '../scenarios/fleet/reportHtml.js';
import { fleetRegistry } from '../scenarios/fleet/fleetPrometheus.js';
import { SITE_DEFAULT_PROFILE_ID, SiteLoadManager } from '../scenarios/csms/SiteLoadManager.js';
import { cleanupStack } from './support/cleanupStack.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until } from './support/until.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnEvse } from './support/spawnEvse.js';

const { cleanups, release } = cleanupStack();
afterEach(release);

/** An EV at every free connector within about a second, 16 A three-phase, charging for 6 s. */
const profile = parseProfile(
  mergeOverDefault(DEFAULT_PROFILE, {
    name: 'sites',
    time: { acceleration: 1 },
    arrivals: { baseline: 3600, peaks: [] },
    evs: [{ name: 'sixteen', share: 1, batteryKWh: 60, maxCurrentA: 16, phases: 3, socStart: 0.2 }],
    sessions: { minutes: 0.1, energyKWh: null, dwellMinutes: 0, remoteShare: 0, remotePatienceMinutes: 1 },
    faults: {},
    sites: [
      { name: 'depot', chargers: 2, limitA: 20 },
      { name: 'office', share: 0.4, limitKW: 11 },
    ],
  }),
  'test',
);

describe('fleet sites with the embedded CSMS load manager', () => {
  it('keeps each site within its limit and reports how fast chargers obeyed', { timeout: 40_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const sites = resolveSites(profile.sites, 5);
    expect(sites.map((s) => [s.name, s.first, s.count])).toEqual([['depot', 1, 2], ['office', 3, 2]]);
    const manager = new SiteLoadManager(csms, { sites, idPrefix: 'ST' }).attach();
    cleanups.push(async () => manager.detach());
    const fleet = new Fleet({ csmsUrl: url, count: 5, idPrefix: 'ST', rampPerSecond: 100, seed: 5, log, behaviour: { profile } });
    cleanups.push(() => fleet.stop(2000));
    await fleet.start();

    const txProfiles = () => csms.traffic((r) => r.kind === 'call' && r.action === 'SetChargingProfile' && r.direction === 'out');
    // Both chargers of the depot charging at once: 10 A each; the office's 11 kW is 15.9 A: 7 A each.
    const limitsOf = (id: string) => txProfiles().filter((r) => r.chargePointId === id).map((r) => (r.payload as { csChargingProfiles: { chargingSchedule: { chargingSchedulePeriod: { limit: number }[] } } }).csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]!.limit);
    await until('shared limits on both sites', () => ['ST00001', 'ST00002'].some((id) => limitsOf(id).includes(10)) && ['ST00003', 'ST00004'].some((id) => limitsOf(id).includes(7)), 25_000);
    await until('a sample with two sessions on the depot', () => (fleet.report().sites?.sites[0]?.maxW ?? 0) > 16 * 230 * 3, 15_000);
    const report = await fleet.stop(5000);

    // The charger outside any site is left alone: no default profile, no share.
    expect(txProfiles().filter((r) => r.chargePointId === 'ST00005')).toEqual([]);
    for (const id of ['ST00001', 'ST00002', 'ST00003', 'ST00004']) {
      const defaults = txProfiles().filter((r) => r.chargePointId === id && (r.payload as { csChargingProfiles: { chargingProfileId: number } }).csChargingProfiles.chargingProfileId === SITE_DEFAULT_PROFILE_ID);
      expect(defaults.length).toBeGreaterThanOrEqual(1);
    }
    const [depot, office] = report.sites!.sites;
    expect(depot).toMatchObject({ name: 'depot', chargers: 2, limitA: 20, samplesOverLimit: 0 });
    expect(office).toMatchObject({ name: 'office', chargers: 2, limitW: 11_000, samplesOverLimit: 0 });
    expect(depot!.maxW).toBeLessThanOrEqual(depot!.limitW * 1.01);
    expect(depot!.maxW).toBeGreaterThan(16 * 230 * 3); // more than one charger's worth: shared, not serialised
    expect(office!.maxW).toBeLessThanOrEqual(11_000 * 1.01);
    expect(depot!.power.maxW.some((w) => w !== null && w > 0)).toBe(true);
    const { obey } = report.sites!;
    expect(obey.obeyed).toBeGreaterThan(0);
    expect(obey.received).toBeGreaterThanOrEqual(obey.obeyed + obey.unchanged + obey.refused);
    expect(obey.ms.count).toBe(obey.obeyed);
    expect(obey.ms.p50).toBeLessThanOrEqual(obey.ms.p99);
    expect(csms.violations()).toEqual([]);

    // The summary, the HTML page and the Prometheus metrics show the same.
    const summary = formatSummary(report);
    expect(summary).toMatch(/site depot: 2 chargers, peak \d+\.\d kW of 13\.8 kW \(\d+ %\), 0 of \d+ samples over/);
    expect(summary).toMatch(new RegExp(`SetChargingProfile to new offer: p50 \\d+ {2}p95 \\d+ {2}p99 \\d+ {2}max \\d+ ms {2}\\(${obey.obeyed} obeyed of ${obey.received} received`));
    const html = reportHtml(report);
    expect(html).toContain('<h2>Sites</h2>');
    expect(html).toContain('aria-label="power of site office over time"');
    const metrics = await fleetRegistry(() => report).scrape();
    expect(metrics).toContain('evse_fleet_site_limit_watts{site="depot"} 13800');
    expect(metrics).toContain(`evse_fleet_profile_obedience_total{outcome="obeyed"} ${obey.obeyed}`);
    expect(metrics).toContain(`evse_fleet_profile_obey_seconds_count ${obey.obeyed}`);
  });

  it('evse csms --sites: the sites of a fleet profile, their id ranges at start; a wrong file or a share without the fleet size exits 64', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-sites-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const profileFile = fileURLToPath(new URL('../config/fleet/sites.yaml', import.meta.url));
    const shareOnly = spawnEvse(['csms', '--port', '0', '--no-interactive', '--sites', profileFile], {});
    expect(await shareOnly.exited).toBe(64);
    expect(shareOnly.stderr()).toContain('evse csms: --sites: site depot is a share of the fleet: give the fleet\'s size with --site-chargers <n> (its --count)');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'sites:\n  - { name: depot, chargers: 2 }\n');
    const wrong = spawnEvse(['csms', '--port', '0', '--no-interactive', '--sites', bad], {});
    expect(await wrong.exited).toBe(64);
    expect(wrong.stderr()).toMatch(/--sites: invalid fleet profile .*bad\.yaml: sites\[0\]: expected exactly one of limitKW/);

    const csms = spawnEvse(['csms', '--port', '0', '--no-interactive', '--quiet', '--sites', profileFile, '--site-chargers', '100'], {});
    cleanups.push(async () => void (await csms.stop('SIGKILL').catch(() => undefined)));
    await until('the site lines', () => csms.stderr().includes('site garage'), 15_000);
    expect(csms.stderr()).toContain('evse csms: site depot: CP00001…CP00040, limit 100.0 kW = 144.9 A per phase (3 × 230 V)');
    expect(csms.stderr()).toContain('evse csms: site office: CP00041…CP00070, limit 43.5 kW = 63.0 A per phase (3 × 230 V)');
    expect(csms.stderr()).toContain('evse csms: site garage: CP00071…CP00080, limit 22.0 kW');
    expect((await csms.stop('SIGTERM')).code).toBe(0);
  });
});
