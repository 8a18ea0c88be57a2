/**
 * Worked examples of the composite schedule: each row is a set of installed profiles, the
 * connector's situation and the periods the charger must compute (OCPP 1.6 §3.13.4).
 */
import { describe, expect, it } from 'vitest';
import type { ChargingProfile, ConnectorSituation } from './chargingProfile.js';
import { compositeSchedule, nextChange, profileLimitAt, type CompositePeriod } from './compositeSchedule.js';

const T0 = Date.UTC(2026, 0, 1); // Thursday 00:00 UTC
const H = 3_600_000;
const MIN = 60_000;

const situation: ConnectorSituation = { connectorId: 1, voltageV: 230, phases: 3 };

let nextId = 1;
function profile(p: Partial<ChargingProfile> & { periods: [number, number, number?][] }): ChargingProfile {
  const { periods, ...rest } = p;
  return {
    id: nextId++,
    connectorId: 1,
    stackLevel: 0,
    purpose: 'TxDefault',
    kind: 'Absolute',
    ...rest,
    schedule: {
      unit: 'A',
      startSchedule: T0,
      ...rest.schedule,
      periods: periods.map(([startPeriod, limit, numberPhases]) => ({ startPeriod, limit, ...(numberPhases !== undefined && { numberPhases }) })),
    },
  };
}

interface Example {
  name: string;
  profiles: ChargingProfile[];
  situation?: Partial<ConnectorSituation>;
  from?: number;
  durationS: number;
  unit?: 'A' | 'W';
  ceilingA?: number;
  expected: CompositePeriod[];
}

const examples: Example[] = [
  {
    name: 'no profile: the ceiling for the whole span',
    profiles: [],
    durationS: 3600,
    expected: [{ startPeriod: 0, limit: 32 }],
  },
  {
    name: 'one absolute profile, two periods, below the ceiling',
    profiles: [profile({ periods: [[0, 10], [1800, 16]] })],
    durationS: 3600,
    expected: [{ startPeriod: 0, limit: 10 }, { startPeriod: 1800, limit: 16 }],
  },
  {
    name: 'overlapping stack levels: the higher one wins while its schedule runs, the lower one after it ends',
    profiles: [
      profile({ stackLevel: 0, periods: [[0, 16]] }),
      profile({ stackLevel: 2, periods: [[0, 8]], schedule: { unit: 'A', startSchedule: T0 + 10 * MIN, duration: 20 * 60, periods: [] } }),
      profile({ stackLevel: 1, periods: [[0, 12]], schedule: { unit: 'A', startSchedule: T0 + 5 * MIN, duration: 40 * 60, periods: [] } }),
    ],
    durationS: 3600,
    expected: [
      { startPeriod: 0, limit: 16 },
      { startPeriod: 300, limit: 12 },
      { startPeriod: 600, limit: 8 },
      { startPeriod: 1800, limit: 12 },
      { startPeriod: 2700, limit: 16 },
    ],
  },
  {
    name: 'ChargePointMax caps the TxDefault (the lower of the two wins)',
    profiles: [
      profile({ connectorId: 0, purpose: 'ChargePointMax', periods: [[0, 20], [1800, 8]] }),
      profile({ periods: [[0, 16]] }),
    ],
    durationS: 3600,
    expected: [{ startPeriod: 0, limit: 16 }, { startPeriod: 1800, limit: 8 }],
  },
  {
    name: 'a Tx profile replaces the TxDefault even when higher',
    profiles: [profile({ stackLevel: 5, periods: [[0, 10]] }), profile({ purpose: 'Tx', stackLevel: 0, periods: [[0, 20]] })],
    durationS: 600,
    expected: [{ startPeriod: 0, limit: 20 }],
  },
  {
    name: "a connector's own TxDefault before the charger-wide one at the same stack level; a higher charger-wide one wins",
    profiles: [profile({ connectorId: 0, stackLevel: 1, periods: [[0, 10]] }), profile({ connectorId: 1, stackLevel: 1, periods: [[0, 14]] }), profile({ connectorId: 0, stackLevel: 2, periods: [[0, 12]], schedule: { unit: 'A', startSchedule: T0 + 30 * MIN, periods: [] } })],
    durationS: 3600,
    expected: [{ startPeriod: 0, limit: 14 }, { startPeriod: 1800, limit: 12 }],
  },
  {
    name: 'recurring daily across midnight: 22:00–06:00 at 32 A, 8 A in the day, asked at 20:00',
    profiles: [profile({ kind: 'Recurring', recurrency: 'Daily', periods: [[0, 32], [8 * 3600, 8]], schedule: { unit: 'A', startSchedule: T0 - 2 * H, periods: [] } })],
    from: T0 + 20 * H,
    durationS: 12 * 3600,
    ceilingA: 40,
    expected: [{ startPeriod: 0, limit: 8 }, { startPeriod: 2 * 3600, limit: 32 }, { startPeriod: 10 * 3600, limit: 8 }],
  },
  {
    name: 'recurring weekly: only on the start weekday',
    profiles: [profile({ kind: 'Recurring', recurrency: 'Weekly', periods: [[0, 6]], schedule: { unit: 'A', startSchedule: T0 - 7 * 24 * H, duration: 24 * 3600, periods: [] } })],
    from: T0 + 6 * 24 * H,
    durationS: 2 * 24 * 3600,
    expected: [{ startPeriod: 0, limit: 32 }, { startPeriod: 24 * 3600, limit: 6 }],
  },
  {
    name: 'relative: counts from the session start, then the lower stack level',
    profiles: [profile({ stackLevel: 0, periods: [[0, 16]] }), profile({ stackLevel: 1, kind: 'Relative', periods: [[0, 6], [600, 10]], schedule: { unit: 'A', duration: 1200, periods: [] } })],
    situation: { sessionStart: T0 - 5 * MIN },
    durationS: 3600,
    expected: [{ startPeriod: 0, limit: 6 }, { startPeriod: 300, limit: 10 }, { startPeriod: 900, limit: 16 }],
  },
  {
    name: 'W with 3 phases at 230 V → A per phase (rounded down to 0.1 A)',
    profiles: [profile({ periods: [[0, 11_000], [600, 4140, 1]], schedule: { unit: 'W', startSchedule: T0, periods: [] } })],
    durationS: 1200,
    expected: [{ startPeriod: 0, limit: 15.9 }, { startPeriod: 600, limit: 18, numberPhases: 1 }],
  },
  {
    name: 'A asked in W: A × 230 V × phases',
    profiles: [profile({ periods: [[0, 16], [600, 16, 1]] })],
    durationS: 1200,
    unit: 'W',
    expected: [{ startPeriod: 0, limit: 11_040 }, { startPeriod: 600, limit: 3680, numberPhases: 1 }],
  },
  {
    name: 'a single-phase connector counts one phase whatever numberPhases says',
    profiles: [profile({ periods: [[0, 7360, 3]], schedule: { unit: 'W', startSchedule: T0, periods: [] } })],
    situation: { phases: 1 },
    durationS: 600,
    expected: [{ startPeriod: 0, limit: 32, numberPhases: 1 }],
  },
  {
    name: 'validFrom / validTo bound the profile',
    profiles: [profile({ validFrom: T0 + 10 * MIN, validTo: T0 + 20 * MIN, periods: [[0, 6]] })],
    durationS: 3600,
    expected: [{ startPeriod: 0, limit: 32 }, { startPeriod: 600, limit: 6 }, { startPeriod: 1200, limit: 32 }],
  },
  {
    name: 'an absolute schedule that has not started does not apply yet',
    profiles: [profile({ periods: [[0, 10]], schedule: { unit: 'A', startSchedule: T0 + H, periods: [] } })],
    durationS: 2 * 3600,
    expected: [{ startPeriod: 0, limit: 32 }, { startPeriod: 3600, limit: 10 }],
  },
  {
    name: 'another connector’s profiles do not apply',
    profiles: [profile({ connectorId: 2, periods: [[0, 10]] }), profile({ connectorId: 2, purpose: 'Tx', periods: [[0, 8]] })],
    durationS: 600,
    expected: [{ startPeriod: 0, limit: 32 }],
  },
];

describe('compositeSchedule', () => {
  it.each(examples)('$name', (e) => {
    const s = { ...situation, ...e.situation };
    const result = compositeSchedule(e.profiles, s, { from: e.from ?? T0, durationS: e.durationS, unit: e.unit ?? 'A', ceilingA: e.ceilingA ?? 32 });
    expect(result.periods).toEqual(e.expected);
  });

  it('minChargingRate of the winning transaction profile, in the unit asked', () => {
    const p = profile({ periods: [[0, 10]], schedule: { unit: 'A', startSchedule: T0, minChargingRate: 6, periods: [] } });
    expect(compositeSchedule([p], situation, { from: T0, durationS: 60, unit: 'W', ceilingA: 32 }).minChargingRate).toBe(6 * 230 * 3);
    expect(profileLimitAt([p], situation, T0)).toMatchObject({ amps: 10, minAmps: 6, purpose: 'TxDefault', profileId: p.id });
  });
});

describe('nextChange', () => {
  it('the next period boundary, validity edge or recurrence of an applying profile', () => {
    const daily = profile({ kind: 'Recurring', recurrency: 'Daily', periods: [[0, 32], [8 * 3600, 8]], schedule: { unit: 'A', startSchedule: T0 - 2 * H, periods: [] } });
    expect(nextChange([daily], situation, T0 + 20 * H, T0 + 48 * H)).toBe(T0 + 22 * H);
    expect(nextChange([daily], situation, T0 + 22 * H, T0 + 48 * H)).toBe(T0 + 30 * H);
    expect(nextChange([profile({ connectorId: 2, periods: [[0, 6], [60, 8]] })], situation, T0, T0 + H)).toBeUndefined();
  });
});
