import { describe, expect, it } from 'vitest';
import { parseProfile } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';
import { resolveBehaviour } from './profileLoader.js';
import { deriveSeed, seededRandom } from '../seededRandom.js';
import { arrivalRate, dayAfter, FaultPlanner, sample, SessionPlanner, windowAt, type SessionPlan } from './SessionPlanner.js';

const HOUR = 3_600_000;

/** Back-to-back sessions of one connector for `hours` of profile time (what the behaviour would draw). */
function plan(seed: number, k: number, hours: number, profile = DEFAULT_PROFILE): SessionPlan[] {
  const planner = new SessionPlanner({ profile }, seededRandom(deriveSeed(seed, k, 2)), 0);
  const out: SessionPlan[] = [];
  let t = 0;
  for (let i = 0; i < 10_000 && t < (hours * HOUR) / profile.time.acceleration; i++) {
    const p = planner.next(t);
    if (!p) break;
    out.push(p);
    t += p.arriveInMs + p.chargeMs + p.dwellMs;
  }
  return out;
}

describe('session planner', () => {
  it('same seed and charger → the same plan; another seed or charger → another', () => {
    const a = plan(7, 3, 24 * 7);
    expect(a.length).toBeGreaterThan(5);
    expect(plan(7, 3, 24 * 7)).toEqual(a);
    expect(plan(8, 3, 24 * 7)).not.toEqual(a);
    expect(plan(7, 4, 24 * 7)).not.toEqual(a);
    expect(new Set(a.map((p) => p.ev.name)).size).toBeGreaterThan(1);
    const faults = (seed: number) => {
      const f = new FaultPlanner(DEFAULT_PROFILE, seededRandom(seed));
      return f.kinds().map((k) => f.next(k));
    };
    expect(faults(5)).toEqual(faults(5));
    expect(faults(5).find((f) => f.kind === 'relayWeld')?.forMs).toBe(Infinity);
  });

  it('follows the daily pattern: arrivals cluster where the rate is high', () => {
    const profile = parseProfile({ ...DEFAULT_PROFILE, arrivals: { baseline: 0, peaks: [{ hour: 8, perHour: 2, widthHours: 0.5 }] } });
    expect(arrivalRate(profile.arrivals, 8)).toBeCloseTo(2);
    expect(arrivalRate(profile.arrivals, 20)).toBeLessThan(1e-6);
    expect(arrivalRate(profile.arrivals, 32)).toBeCloseTo(2); // hour 8 of the next day
    const planner = new SessionPlanner({ profile }, seededRandom(1), 0);
    const hours: number[] = [];
    for (let i = 0; i < 300; i++) hours.push(planner.hourAt(planner.nextArrivalInMs(0)!));
    expect(hours.filter((h) => h > 6.5 && h < 9.5).length).toBeGreaterThan(290);
  });

  it('draws lognormal medians and p90s, clamps, scales by the acceleration', () => {
    const r = seededRandom(3);
    const xs = Array.from({ length: 20_000 }, () => sample({ median: 10, p90: 40 }, r)).sort((a, b) => a - b);
    expect(xs[10_000]!).toBeGreaterThan(9.3);
    expect(xs[10_000]!).toBeLessThan(10.7);
    expect(xs[18_000]!).toBeGreaterThan(36);
    expect(xs[18_000]!).toBeLessThan(44);
    expect(Math.max(...Array.from({ length: 1000 }, () => sample({ median: 10, p90: 40, max: 12 }, r)))).toBe(12);
    const fast = parseProfile({ ...DEFAULT_PROFILE, time: { startHour: 0, startDay: 'mon', acceleration: 144 }, sessions: { ...DEFAULT_PROFILE.sessions, minutes: 144, energyKWh: 14.4, dwellMinutes: 0, byHour: [] } });
    const p = new SessionPlanner({ profile: fast }, seededRandom(1), 0).next(0)!;
    expect(p.chargeMs).toBeCloseTo(60_000); // 144 profile minutes = 1 wall minute
    expect(p.energyWh).toBeCloseTo(100); // 14.4 kWh in profile terms = 100 Wh on the wall clock
  });

  it('the idle/charge shorthands replace arrivals and session length and drop the energy target', () => {
    const planner = new SessionPlanner({ profile: DEFAULT_PROFILE, idleMs: [100, 200], chargeMs: [300, 400] }, seededRandom(1), 0);
    for (let i = 0; i < 50; i++) {
      const p = planner.next(i * 1000)!;
      expect(p.arriveInMs).toBeGreaterThanOrEqual(100);
      expect(p.arriveInMs).toBeLessThanOrEqual(200);
      expect(p.chargeMs).toBeGreaterThanOrEqual(300);
      expect(p.chargeMs).toBeLessThanOrEqual(400);
      expect(p.energyWh).toBeUndefined();
    }
    // Without a profile they run the simple loop in real time, whatever the default's acceleration:
    // a full-size battery, so a long --charge is not ended early by a battery scaled down and full.
    const simple = resolveBehaviour({ idleMs: [100, 200], chargeMs: [600_000, 600_000] });
    expect(simple.profile.time.acceleration).toBe(1);
    expect(new SessionPlanner(simple, seededRandom(1), 0).next(0)!.ev.batteryKWh).toBe(60);
  });

  it('draws EV models by share: counts converge, each session gets its model with a start SoC in its range and the battery scaled like energies', () => {
    const profile = parseProfile({ ...DEFAULT_PROFILE, time: { ...DEFAULT_PROFILE.time, acceleration: 10 } });
    const planner = new SessionPlanner({ profile, idleMs: [1, 1] }, seededRandom(deriveSeed(3, 0, 2)), 0);
    const n = 20_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const p = planner.next(i)!;
      counts.set(p.ev.name, (counts.get(p.ev.name) ?? 0) + 1);
      const model = profile.evs.find((e) => e.name === p.ev.name)!;
      const range = model.socStart as { min: number; max: number };
      expect(p.socStart).toBeGreaterThanOrEqual(range.min);
      expect(p.socStart).toBeLessThanOrEqual(range.max);
      expect(p.ev).toEqual({ name: model.name, batteryKWh: model.batteryKWh / 10, maxCurrentA: model.maxCurrentA, phases: model.phases, ventilation: false });
    }
    // 20,000 draws: one standard deviation of a share is at most 0.0035.
    for (const e of profile.evs) expect(Math.abs(counts.get(e.name)! / n - e.share)).toBeLessThan(0.015);
    // One model of share 1 is every session's.
    const one = parseProfile({ ...profile, evs: [{ ...profile.evs[1]!, share: 1 }] });
    const single = new SessionPlanner({ profile: one, idleMs: [1, 1] }, seededRandom(1), 0);
    expect(new Set(Array.from({ length: 200 }, (_, i) => single.next(i)!.ev.name))).toEqual(new Set(['mid']));
  });

  it('applies the byHour window of the arrival hour (wrapping past midnight), the base distributions elsewhere', () => {
    const profile = parseProfile({
      ...DEFAULT_PROFILE,
      time: { startHour: 0, startDay: 'mon', acceleration: 1 },
      sessions: { ...DEFAULT_PROFILE.sessions, minutes: 100, energyKWh: 10, dwellMinutes: 5, byHour: [{ from: 18, to: 6, minutes: 500, dwellMinutes: 300 }, { from: 11, to: 15, minutes: 50, energyKWh: null }] },
    });
    expect(windowAt(profile.sessions.byHour, 23.5)?.from).toBe(18);
    expect(windowAt(profile.sessions.byHour, 5.99)?.from).toBe(18);
    expect(windowAt(profile.sessions.byHour, 6)).toBeUndefined();
    expect(windowAt(profile.sessions.byHour, 11)?.from).toBe(11);
    const planner = new SessionPlanner({ profile }, seededRandom(9), 0);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const now = i * 0.37 * HOUR;
      const p = planner.next(now)!;
      const h = planner.hourAt(now + p.arriveInMs);
      const expected = h >= 18 || h < 6 ? [500, 10_000, 300, 'night'] : h >= 11 && h < 15 ? [50, undefined, 5, 'midday'] : [100, 10_000, 5, 'base'];
      expect([p.chargeMs / 60_000, p.energyWh, p.dwellMs / 60_000]).toEqual(expected.slice(0, 3));
      seen.add(expected[3] as string);
    }
    expect(seen).toEqual(new Set(['night', 'midday', 'base']));
  });

  it('uses the weekend rates on Saturday and Sunday profile days, counted from time.startDay', () => {
    expect([dayAfter('mon', 0), dayAfter('mon', 24 * 5 + 1), dayAfter('sun', 24), dayAfter('fri', 24 * 9)]).toEqual(['mon', 'sat', 'mon', 'sun']);
    const weekendOnly = (startDay: 'mon' | 'fri' | 'sat', startHour: number, acceleration = 1) =>
      parseProfile({ ...DEFAULT_PROFILE, time: { startHour, startDay, acceleration }, arrivals: { baseline: 0, peaks: [], weekend: { baseline: 2, peaks: [] } } });
    for (const [startDay, startHour, acceleration, earliestH, latestH] of [
      ['mon', 0, 1, 5 * 24, 7 * 24],
      ['fri', 12, 1, 12, 60],
      ['sat', 6, 144, 0, 42],
    ] as const) {
      const planner = new SessionPlanner({ profile: weekendOnly(startDay, startHour, acceleration) }, seededRandom(4), 0);
      for (let i = 0; i < 50; i++) {
        const at = planner.nextArrivalInMs(0)!;
        expect(['sat', 'sun']).toContain(planner.dayAt(at));
        const h = (at * acceleration) / HOUR;
        expect(h).toBeGreaterThanOrEqual(earliestH);
        expect(h).toBeLessThan(latestH);
      }
    }
    // Without weekend rates, weekends equal weekdays; with weekend rates of 0, a Saturday start waits for Monday.
    const noWeekend = parseProfile({ ...DEFAULT_PROFILE, time: { startHour: 0, startDay: 'sat', acceleration: 1 }, arrivals: { baseline: 2, peaks: [] } });
    expect(new SessionPlanner({ profile: noWeekend }, seededRandom(4), 0).nextArrivalInMs(0)!).toBeLessThan(12 * HOUR);
    const closedWeekend = parseProfile({ ...noWeekend, arrivals: { baseline: 2, peaks: [], weekend: { perHour: Array<number>(24).fill(0) } } });
    const p = new SessionPlanner({ profile: closedWeekend }, seededRandom(4), 0);
    for (let i = 0; i < 50; i++) expect(p.dayAt(p.nextArrivalInMs(0)!)).toBe('mon');
  });
});
