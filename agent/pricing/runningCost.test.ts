import { describe, expect, it } from 'vitest';
import { costAt, type RunningCost } from './runningCost.js';

const T = Date.parse('2026-03-19T12:00:00Z');
const base: RunningCost = { transactionId: 1, timestamp: '2026-03-19T12:00:00Z', meterValue: 1_234_000, cost: 1, state: 'Charging', chargingPrice: { kWhPrice: 0.3, hourPrice: 1 } };
const h = 3_600_000;

describe('the cost of a running session between RunningCost messages', () => {
  it.each<[string, RunningCost, number, number, number]>([
    ['nothing used yet: the CSMS cost', base, T, 1_234_000, 1],
    ['energy and time since the message while charging', base, T + h / 2, 1_244_000, 1 + 10 * 0.3 + 0.5],
    ['a meter value older than the message counts nothing', base, T - h, 1_200_000, 1],
    ['idle within the grace: nothing added', { ...base, state: 'Idle', idlePrice: { graceMinutes: 30, hourPrice: 2 } }, T + 20 * 60_000, 1_234_000, 1],
    ['idle beyond the grace: the idle hour price', { ...base, state: 'Idle', idlePrice: { graceMinutes: 30, hourPrice: 2 } }, T + 90 * 60_000, 1_234_000, 1 + 2],
    ['idle without an idle price: nothing added', { ...base, state: 'Idle' }, T + 2 * h, 1_234_000, 1],
    ['the next period prices the part after its time', { ...base, chargingPrice: { hourPrice: 1 }, nextPeriod: { atTime: '2026-03-19T13:00:00Z', chargingPrice: { hourPrice: 3 } } }, T + 2 * h, 1_234_000, 1 + 1 + 3],
    ['energy split by the time shares around a price change', { ...base, chargingPrice: { kWhPrice: 0.2 }, nextPeriod: { atTime: '2026-03-19T13:00:00Z', chargingPrice: { kWhPrice: 0.4 } } }, T + 2 * h, 1_254_000, 1 + 10 * 0.2 + 10 * 0.4],
  ])('%s', (_name, rc, now, meterWh, expected) => {
    expect(costAt(rc, now, meterWh)).toBeCloseTo(expected, 9);
  });
});
