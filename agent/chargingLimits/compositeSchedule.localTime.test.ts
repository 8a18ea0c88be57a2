/**
 * Recurring schedules in the charger's local time: worked examples in Europe/Berlin across
 * midnight and across the 2026 daylight-saving changes (clocks forward 29 March 02:00 CET,
 * back 25 October 03:00 CEST). The same profiles in UTC keep their UTC times (last example).
 */
import { describe, expect, it } from 'vitest';
import type { ChargingProfile, ConnectorSituation } from './chargingProfile.js';
import { compositeSchedule, nextChange, profileLimitAt } from './compositeSchedule.js';

const berlin: ConnectorSituation = { connectorId: 1, voltageV: 230, phases: 3, timeZone: 'Europe/Berlin' };
const utc: ConnectorSituation = { connectorId: 1, voltageV: 230, phases: 3 };
const at = (iso: string) => Date.parse(iso);

/** Daily from 18:00 local: 8 A in the evening peak, 32 A from 22:00, 16 A from 06:00 the next day. */
function evening(startSchedule: number, periods: [number, number][] = [[0, 8], [4 * 3600, 32], [12 * 3600, 16]]): ChargingProfile {
  return {
    id: 1,
    connectorId: 1,
    stackLevel: 0,
    purpose: 'TxDefault',
    kind: 'Recurring',
    recurrency: 'Daily',
    schedule: { unit: 'A', startSchedule, periods: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) },
  };
}

const amps = (p: ChargingProfile, s: ConnectorSituation, iso: string) => profileLimitAt([p], s, at(iso))?.amps;

describe('recurring schedules in local time (Europe/Berlin)', () => {
  // Set up in winter: 18:00 CET is 17:00 UTC.
  const daily = evening(at('2026-01-05T17:00:00Z'));

  it('in winter the run holds across midnight: 32 A from 22:00 to 06:00 local', () => {
    expect(amps(daily, berlin, '2026-01-20T20:59:00Z')).toBe(8);
    expect(amps(daily, berlin, '2026-01-20T21:00:00Z')).toBe(32);
    expect(amps(daily, berlin, '2026-01-20T23:30:00Z')).toBe(32); // 00:30 local, the next day
    expect(amps(daily, berlin, '2026-01-21T04:59:00Z')).toBe(32);
    expect(amps(daily, berlin, '2026-01-21T05:00:00Z')).toBe(16);
    expect(amps(daily, berlin, '2026-01-21T17:00:00Z')).toBe(8);
  });

  it('spring forward: the runs stay at 18:00, 22:00 and 06:00 local, the night run is 23 h long', () => {
    const from = at('2026-03-28T12:00:00Z');
    const c = compositeSchedule([daily], berlin, { from, durationS: 48 * 3600, unit: 'A', ceilingA: 32 });
    expect(c.periods).toEqual([
      { startPeriod: 0, limit: 16 },
      { startPeriod: 5 * 3600, limit: 8 }, //   Sat 18:00 CET  = 17:00 UTC
      { startPeriod: 9 * 3600, limit: 32 }, //  Sat 22:00 CET  = 21:00 UTC
      { startPeriod: 16 * 3600, limit: 16 }, // Sun 06:00 CEST = 04:00 UTC (11 h after 22:00 CET)
      { startPeriod: 28 * 3600, limit: 8 }, //  Sun 18:00 CEST = 16:00 UTC
      { startPeriod: 32 * 3600, limit: 32 }, // Sun 22:00 CEST = 20:00 UTC
      { startPeriod: 40 * 3600, limit: 16 }, // Mon 06:00 CEST = 04:00 UTC
    ]);
    expect(nextChange([daily], berlin, at('2026-03-28T21:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(at('2026-03-29T04:00:00Z'));
  });

  it('fall back: the runs stay at 18:00, 22:00 and 06:00 local, the night run is 25 h long', () => {
    const from = at('2026-10-24T12:00:00Z');
    const c = compositeSchedule([daily], berlin, { from, durationS: 48 * 3600, unit: 'A', ceilingA: 32 });
    expect(c.periods).toEqual([
      { startPeriod: 0, limit: 16 },
      { startPeriod: 4 * 3600, limit: 8 }, //   Sat 18:00 CEST = 16:00 UTC
      { startPeriod: 8 * 3600, limit: 32 }, //  Sat 22:00 CEST = 20:00 UTC
      { startPeriod: 17 * 3600, limit: 16 }, // Sun 06:00 CET  = 05:00 UTC (9 h after 22:00 CEST)
      { startPeriod: 29 * 3600, limit: 8 }, //  Sun 18:00 CET  = 17:00 UTC
      { startPeriod: 33 * 3600, limit: 32 }, // Sun 22:00 CET  = 21:00 UTC
      { startPeriod: 41 * 3600, limit: 16 }, // Mon 06:00 CET  = 05:00 UTC
    ]);
  });

  it('a period at a local time the clocks skip starts when they jump (02:30 on 29 March: 03:00 CEST)', () => {
    const p = evening(at('2026-01-05T17:00:00Z'), [[0, 8], [8.5 * 3600, 20]]);
    expect(amps(p, berlin, '2026-03-29T00:59:00Z')).toBe(8);
    expect(amps(p, berlin, '2026-03-29T01:00:00Z')).toBe(20);
  });

  it('a period at a local time that happens twice starts at its first occurrence (02:30 CEST on 25 October)', () => {
    const p = evening(at('2026-01-05T17:00:00Z'), [[0, 8], [8.5 * 3600, 20]]);
    expect(amps(p, berlin, '2026-10-25T00:29:00Z')).toBe(8);
    expect(amps(p, berlin, '2026-10-25T00:30:00Z')).toBe(20);
    expect(amps(p, berlin, '2026-10-25T01:15:00Z')).toBe(20); // 02:15 CET, the second time round: still the same run
  });

  it('weekly: Monday 18:00–22:00 local, in winter and in summer', () => {
    const weekly: ChargingProfile = { ...evening(at('2026-01-05T17:00:00Z'), [[0, 6]]), recurrency: 'Weekly', schedule: { unit: 'A', startSchedule: at('2026-01-05T17:00:00Z'), duration: 4 * 3600, periods: [{ startPeriod: 0, limit: 6 }] } };
    expect(amps(weekly, berlin, '2026-01-12T17:30:00Z')).toBe(6);
    expect(amps(weekly, berlin, '2026-01-13T17:30:00Z')).toBeUndefined();
    expect(amps(weekly, berlin, '2026-07-06T15:59:00Z')).toBeUndefined();
    expect(amps(weekly, berlin, '2026-07-06T16:00:00Z')).toBe(6); // 18:00 CEST
    expect(amps(weekly, berlin, '2026-07-06T19:59:00Z')).toBe(6);
    expect(amps(weekly, berlin, '2026-07-06T20:00:00Z')).toBeUndefined();
  });

  it('without a time zone the same profile keeps its UTC times (18:00 CEST is then 19:00 local)', () => {
    expect(amps(daily, utc, '2026-07-06T16:30:00Z')).toBe(16);
    expect(amps(daily, utc, '2026-07-06T17:00:00Z')).toBe(8);
    expect(amps(daily, berlin, '2026-07-06T16:00:00Z')).toBe(8);
  });
});
