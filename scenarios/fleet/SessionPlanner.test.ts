import { describe, expect, it } from 'vitest';
import { parseProfile } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';
import { deriveSeed, seededRandom } from '../seededRandom.js';
import { arrivalRate, FaultPlanner, sample, SessionPlanner, type SessionPlan } from './SessionPlanner.js';

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
    const fast = parseProfile({ ...DEFAULT_PROFILE, time: { startHour: 0, acceleration: 144 }, sessions: { ...DEFAULT_PROFILE.sessions, minutes: 144, energyKWh: 14.4, dwellMinutes: 0 } });
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
  });
});
