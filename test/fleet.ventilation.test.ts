/**
 * The fleet profile's `charger.ventilation` reaches every charger's Agent, in-process against the
 * embedded strict CSMS on 127.0.0.1: EVs of a model that asks for ventilation (pilot D) charge on
 * a ventilated site and are refused (Faulted, no energy) on one without.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import { mergeOverDefault, parseProfile, ProfileError } from '../scenarios/fleet/profile.js';
import { DEFAULT_PROFILE } from '../scenarios/fleet/profileDefault.js';
import { cleanupStack } from './support/cleanupStack.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until } from './support/until.js';

const { cleanups, release } = cleanupStack();
afterEach(release);

/** An EV every ~2 s per free connector, RFID only, 3 s of charging, no faults; every EV asks for ventilation. */
const profile = (ventilation: boolean) =>
  parseProfile(
    mergeOverDefault(DEFAULT_PROFILE, {
      name: `ventilation-${ventilation}`,
      time: { acceleration: 1 },
      arrivals: { baseline: 1800, peaks: [] },
      charger: { ventilation },
      evs: [{ name: 'vented', share: 1, batteryKWh: 60, maxCurrentA: 16, phases: 3, socStart: 0.3, ventilation: true }],
      sessions: { minutes: 0.05, energyKWh: null, dwellMinutes: 0, remoteShare: 0, remotePatienceMinutes: 1 },
      faults: {},
    }),
    'test',
  );

async function runFleet(ventilation: boolean) {
  const { csms, url, log } = await startQuietCsms(cleanups);
  const fleet = new Fleet({ csmsUrl: url, count: 2, idPrefix: `V${ventilation ? 'Y' : 'N'}`, rampPerSecond: 100, seed: 3, log, behaviour: { profile: profile(ventilation) } });
  cleanups.push(() => fleet.stop(2000));
  await fleet.start();
  const statuses = () => csms.traffic((r) => r.kind === 'call' && r.action === 'StatusNotification').map((r) => r.payload as { status: string; errorCode: string; info?: string });
  return { csms, statuses };
}

describe('fleet profile charger.ventilation', () => {
  it('true: EVs asking for ventilation charge, and their transactions carry energy', { timeout: 30_000 }, async () => {
    const { csms, statuses } = await runFleet(true);
    await until('two finished transactions', () => csms.transactions().filter((t) => t.stop).length >= 2, 20_000);
    const done = csms.transactions().filter((t) => t.stop);
    for (const t of done) expect(t.stop!.meterStop).toBeGreaterThan(t.meterStart);
    expect(statuses().some((s) => s.status === 'Charging')).toBe(true);
    expect(statuses().filter((s) => s.status === 'Faulted')).toEqual([]);
    expect(csms.violations()).toEqual([]);
  });

  it('false (the default): the connector reports Faulted with the reason and nothing charges', { timeout: 30_000 }, async () => {
    const { csms, statuses } = await runFleet(false);
    await until('a refused EV', () => statuses().filter((s) => s.status === 'Faulted').length >= 2, 20_000);
    expect(statuses().find((s) => s.status === 'Faulted')).toMatchObject({ errorCode: 'OtherError', info: 'EV requests ventilation; not supported' });
    expect(statuses().some((s) => s.status === 'Charging')).toBe(false);
    for (const t of csms.transactions().filter((t) => t.stop)) expect(t.stop!.meterStop).toBe(t.meterStart);
    expect(csms.violations()).toEqual([]);
  });

  it('is optional in a profile file (default false) and must be true or false', () => {
    expect(parseProfile(mergeOverDefault(DEFAULT_PROFILE, { name: 'x' })).charger).toEqual({ ventilation: false });
    const { charger: _omitted, ...withoutCharger } = DEFAULT_PROFILE;
    expect(parseProfile(withoutCharger).charger).toEqual({ ventilation: false });
    const bad = () => parseProfile(mergeOverDefault(DEFAULT_PROFILE, { charger: { ventilation: 'yes', fans: 2 } }), 'p.yaml');
    expect(bad).toThrow(ProfileError);
    expect(bad).toThrow(/charger\.ventilation: must be boolean, got "yes"/);
    expect(bad).toThrow(/charger\.fans: unknown field/);
  });
});
