import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChargingProfile } from './chargingProfile.js';
import { ChargingProfileStore, profileProblem, type ClearCriteria, type ProfileRules } from './ChargingProfileStore.js';

const log = pino({ level: 'silent' });
const RULES: ProfileRules = { maxStackLevel: 8, maxPeriods: 4, maxProfiles: 10, units: ['A', 'W'], connectorCount: 2 };

function profile(id: number, p: Partial<ChargingProfile> = {}): ChargingProfile {
  return { id, connectorId: 1, stackLevel: 0, purpose: 'TxDefault', kind: 'Relative', ...p, schedule: { unit: 'A', periods: [{ startPeriod: 0, limit: 16 }], ...p.schedule } };
}
const ids = (s: ChargingProfileStore) => s.all().map((p) => p.id).sort((a, b) => a - b);

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('installing', () => {
  it('replaces the profile with the same id, wherever it is', () => {
    const s = ChargingProfileStore.inMemory(log);
    s.install(profile(1, { stackLevel: 1 }), 10);
    expect(s.install(profile(1, { stackLevel: 2, connectorId: 2 }), 10)?.replaced).toEqual([1]);
    expect(s.all()).toEqual([expect.objectContaining({ id: 1, stackLevel: 2, connectorId: 2 })]);
  });

  it('replaces the profile with the same stack level and purpose on the same connector only', () => {
    const s = ChargingProfileStore.inMemory(log);
    s.install(profile(1, { stackLevel: 3 }), 10);
    s.install(profile(2, { stackLevel: 3, connectorId: 2 }), 10);
    s.install(profile(3, { stackLevel: 3, purpose: 'Tx' }), 10);
    expect(s.install(profile(4, { stackLevel: 3 }), 10)?.replaced).toEqual([1]);
    expect(ids(s)).toEqual([2, 3, 4]);
  });

  it('refuses a profile beyond MaxChargingProfilesInstalled (a replacement still fits)', () => {
    const s = ChargingProfileStore.inMemory(log);
    s.install(profile(1), 2);
    s.install(profile(2, { stackLevel: 1 }), 2);
    expect(s.install(profile(3, { stackLevel: 2 }), 2)).toBeUndefined();
    expect(s.install(profile(2, { stackLevel: 2 }), 2)?.replaced).toEqual([2]);
  });

  it.each<[string, ChargingProfile, string | undefined]>([
    ['valid', profile(1), undefined],
    ['ChargePointMax off connector 0', profile(1, { purpose: 'ChargePointMax' }), 'a ChargePointMaxProfile is set on connector 0'],
    ['Tx on connector 0', profile(1, { purpose: 'Tx', connectorId: 0 }), 'a TxProfile is set on a connector (not 0)'],
    ['unknown connector', profile(1, { connectorId: 3 }), 'no connector 3'],
    ['stack level too high', profile(1, { stackLevel: 9 }), 'stackLevel above ChargeProfileMaxStackLevel (8)'],
    ['too many periods', profile(1, { schedule: { unit: 'A', periods: [0, 1, 2, 3, 4].map((i) => ({ startPeriod: i * 60, limit: 6 })) } }), 'more than ChargingScheduleMaxPeriods (4) periods'],
    ['first period not at 0', profile(1, { schedule: { unit: 'A', periods: [{ startPeriod: 5, limit: 6 }] } }), 'the first period starts at 0'],
    ['periods out of order', profile(1, { schedule: { unit: 'A', periods: [{ startPeriod: 0, limit: 6 }, { startPeriod: 0, limit: 7 }] } }), 'periods in ascending startPeriod'],
    ['recurring without start', profile(1, { kind: 'Recurring', recurrency: 'Daily' }), 'a Recurring profile needs recurrencyKind and startSchedule'],
    ['validTo before validFrom', profile(1, { validFrom: 2000, validTo: 1000 }), 'validTo before validFrom'],
  ])('profileProblem: %s', (_name, p, problem) => {
    expect(profileProblem(p, RULES)).toBe(problem);
  });

  it('a unit the charger does not allow is refused', () => {
    expect(profileProblem(profile(1, { schedule: { unit: 'W', periods: [{ startPeriod: 0, limit: 1000 }] } }), { ...RULES, units: ['A'] })).toMatch(/chargingRateUnit W/);
  });
});

describe('ClearChargingProfile criteria', () => {
  const installed = () => {
    const s = ChargingProfileStore.inMemory(log);
    s.install(profile(1, { connectorId: 0, purpose: 'ChargePointMax', stackLevel: 0 }), 10);
    s.install(profile(2, { connectorId: 0, purpose: 'TxDefault', stackLevel: 1 }), 10);
    s.install(profile(3, { connectorId: 1, purpose: 'TxDefault', stackLevel: 2 }), 10);
    s.install(profile(4, { connectorId: 1, purpose: 'Tx', stackLevel: 2 }), 10);
    return s;
  };
  it.each<[string, ClearCriteria, number[]]>([
    ['none: everything', {}, [1, 2, 3, 4]],
    ['by id', { id: 3 }, [3]],
    ['by connector', { connectorId: 0 }, [1, 2]],
    ['by purpose', { purpose: 'TxDefault' }, [2, 3]],
    ['by stack level', { stackLevel: 2 }, [3, 4]],
    ['by purpose and stack level', { purpose: 'Tx', stackLevel: 2 }, [4]],
    ['criteria that match nothing', { connectorId: 2 }, []],
  ])('%s', (_name, criteria, removed) => {
    const s = installed();
    expect(s.clear(criteria).removed.sort()).toEqual(removed);
    expect(s.size).toBe(4 - removed.length);
  });
});

describe('persistence', () => {
  it('a reopened store has the profiles; a damaged entry is dropped, a damaged file means none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'profiles-'));
    dirs.push(dir);
    const file = join(dir, 'charging-profiles.json');
    const s = await ChargingProfileStore.open(file, log);
    expect(await s.install(profile(7, { validFrom: 1000 }), 10)!.persisted).toBe(true);
    expect((await ChargingProfileStore.open(file, log)).all()).toEqual([profile(7, { validFrom: 1000 })]);
    const body = JSON.parse(await readFile(file, 'utf8')) as { profiles: unknown[] };
    await writeFile(file, JSON.stringify({ version: 1, profiles: [...body.profiles, { id: 'x' }] }));
    expect(ids(await ChargingProfileStore.open(file, log))).toEqual([7]);
    await writeFile(file, '{ not json');
    expect((await ChargingProfileStore.open(file, log)).size).toBe(0);
  });
});
