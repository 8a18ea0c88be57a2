import { describe, expect, it } from 'vitest';
import { addTallies, countInterval, countSession, describeUsage, emptyTally, summarizeUsage, tallyHistory } from './usageSummary.js';
import type { SessionRecord, UsageInterval } from '../store/usageTypes.js';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 4, 1);

const session = (over: Partial<SessionRecord> & Pick<SessionRecord, 'id' | 'startedAt'>): SessionRecord => ({ connectorId: 1, chargingMs: 0, faults: [], ...over });

describe('utilisation summary', () => {
  // Two connectors over two days (96 connector-hours).
  const period = { from: T0, to: T0 + 2 * DAY };
  const sessions: SessionRecord[] = [
    // 2 h, 10 kWh, charged 1.5 h, left 1 h after the charge ended.
    session({ id: 'a', startedAt: T0 + 8 * H, stoppedAt: T0 + 10 * H, unpluggedAt: T0 + 10.5 * H, chargeEndedAt: T0 + 9.5 * H, chargingMs: 1.5 * H, energyWh: 10_000 }),
    // 4 h, 20 kWh, stopped, EV still there: no idle time yet.
    session({ id: 'b', connectorId: 2, startedAt: T0 + DAY, stoppedAt: T0 + DAY + 4 * H, energyWh: 20_000 }),
    // Running: counts as a session without energy or duration.
    session({ id: 'c', startedAt: T0 + 2 * DAY - H }),
    // Started before the period: not counted (its intervals still count where they overlap).
    session({ id: 'old', startedAt: T0 - H, stoppedAt: T0 + H, unpluggedAt: T0 + H, energyWh: 99_000 }),
  ];
  const intervals: UsageInterval[] = [
    { connectorId: 1, kind: 'plugged', from: T0 - H, to: T0 + H }, // 1 h inside
    { connectorId: 1, kind: 'plugged', from: T0 + 8 * H, to: T0 + 10.5 * H }, // 2.5 h
    { connectorId: 1, kind: 'charging', from: T0 + 8 * H, to: T0 + 9.5 * H }, // 1.5 h
    { connectorId: 2, kind: 'plugged', from: T0 + DAY, to: T0 + DAY + 6 * H }, // 6 h
    { connectorId: 2, kind: 'charging', from: T0 + DAY, to: T0 + DAY + 3 * H }, // 3 h
    { connectorId: 1, kind: 'plugged', from: T0 + 2 * DAY - H }, // open: until openUntil
    { connectorId: 2, kind: 'faulted', from: T0 + 30 * H, to: T0 + 30 * H + 4.8 * H }, // 4.8 h
    { connectorId: 1, kind: 'unavailable', from: T0 + 2 * DAY - 0.96 * H, to: T0 + 3 * DAY }, // 0.96 h inside
  ];

  it('counts sessions that started in the period and connector time within it', () => {
    const openUntil = T0 + 2 * DAY - 0.5 * H;
    const t = tallyHistory({ sessions, intervals, connectors: 2 }, period, openUntil);
    expect(t).toEqual({
      connectors: 2,
      connectorMs: 96 * H,
      sessions: 3,
      energyWh: 30_000,
      stoppedSessions: 2,
      sessionMs: 6 * H,
      completeSessions: 1,
      idleAfterChargeMs: 1 * H,
      pluggedMs: (1 + 2.5 + 6 + 0.5) * H,
      chargingMs: 4.5 * H,
      faultedMs: 4.8 * H,
      unavailableMs: 0.96 * H,
    });
    expect(summarizeUsage(t)).toEqual({
      connectors: 2,
      days: 2,
      sessions: 3,
      sessionsPerDay: 1.5,
      energyKWh: 30,
      kWhPerDay: 15,
      kWhPerSession: 15,
      averageSessionMinutes: 180,
      averageIdleAfterChargeMinutes: 60,
      occupancyPercent: 10.42, // 10 h of 96
      chargingPercent: 4.69,
      faultedPercent: 5,
      unavailablePercent: 1,
    });
  });

  it('adds up across parts: the summary of summed tallies is the summary of the whole', () => {
    const whole = tallyHistory({ sessions, intervals, connectors: 2 }, period);
    const one = tallyHistory({ sessions: sessions.filter((s) => s.connectorId === 1), intervals: intervals.filter((i) => i.connectorId === 1), connectors: 1 }, period);
    const two = tallyHistory({ sessions: sessions.filter((s) => s.connectorId === 2), intervals: intervals.filter((i) => i.connectorId === 2), connectors: 1 }, period);
    expect(addTallies(one, two)).toEqual(whole);
    expect(summarizeUsage(addTallies(one, two))).toEqual(summarizeUsage(whole));
  });

  it('says nothing it does not know: no connector time, no stopped session', () => {
    const s = summarizeUsage(emptyTally());
    expect(s).toMatchObject({ days: 0, sessionsPerDay: 0, occupancyPercent: 0, kWhPerSession: null, averageSessionMinutes: null, averageIdleAfterChargeMinutes: null });
    const t = emptyTally(1);
    countSession(t, session({ id: 'x', startedAt: T0 }));
    countInterval(t, { connectorId: 1, kind: 'plugged', from: T0 }, { from: T0, to: T0 + H });
    t.connectorMs = H;
    expect(summarizeUsage(t)).toMatchObject({ sessions: 1, occupancyPercent: 100, kWhPerSession: null });
    expect(describeUsage(summarizeUsage(t))).toMatch(/^1 sessions \(24\/day\), 0\.0 kWh \(0\/day\); occupancy 100 %, charging 0 %, faulted 0 %, unavailable 0 % of 0\.042 days × 1 connector$/);
  });
});
