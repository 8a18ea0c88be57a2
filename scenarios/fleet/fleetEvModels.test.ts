/**
 * EV models end to end: a small fleet (real Agents, simulated hardware, real WebSockets on
 * 127.0.0.1) against the embedded strict CSMS, under a profile with two EV models of very
 * different on-board chargers. Each model's sessions reach the CSMS with its own charging power
 * in MeterValues, and the report counts sessions per model.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../csms/EmbeddedCsms.js';
import { Fleet } from './Fleet.js';
import { formatSummary } from './formatReport.js';
import { mergeOverDefault, parseProfile } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// 1 × 16 A × 230 V and 3 × 32 A × 230 V.
const ONE_PHASE_W = 3680;
const THREE_PHASE_32A_W = 22_080;

/** Profile time 60× the wall clock: an EV ~1 s after a connector is free, 3 s (wall) sessions, meter values every second. */
const profile = parseProfile(
  mergeOverDefault(DEFAULT_PROFILE, {
    name: 'two-models',
    time: { startHour: 12, acceleration: 60 },
    arrivals: { baseline: 60, peaks: [] },
    evs: [
      { name: 'city-1ph', share: 0.5, batteryKWh: 30, maxCurrentA: 16, phases: 1, socStart: 0.2 },
      { name: 'suv-22kw', share: 0.5, batteryKWh: 90, maxCurrentA: 32, phases: 3, socStart: 0.2 },
    ],
    sessions: { minutes: 3, energyKWh: null, dwellMinutes: 0, remoteShare: 0, remotePatienceMinutes: 1 },
    faults: {},
    ocpp: { MeterValueSampleInterval: 1, MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import' },
  }),
  'test',
);

describe('fleet EV models', () => {
  it('sessions of two models reach the CSMS with each model’s charging power; the report counts them per model', { timeout: 60_000 }, async () => {
    const log = pino({ level: 'silent' });
    const csms = new EmbeddedCsms({ logger: log });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const fleet = new Fleet({ csmsUrl: url, count: 4, idPrefix: 'EVM', rampPerSecond: 100, seed: 3, log, behaviour: { profile } });
    cleanups.push(() => fleet.stop(2000));
    await fleet.start();

    /** Non-zero Power.Active.Import values of a transaction's MeterValues. */
    const powers = (t: ReturnType<typeof csms.transactions>[number]) =>
      t.meterValues.flatMap((mv) => mv.sampledValue.filter((v) => v.measurand === 'Power.Active.Import').map((v) => Number(v.value))).filter((w) => w > 0);
    const near = (w: number, target: number) => Math.abs(w - target) <= target * 0.01;
    const sessionsAt = (target: number) => csms.transactions().filter((t) => t.stop && powers(t).length > 0 && powers(t).every((w) => near(w, target)));
    await until('finished sessions of both models with power in their MeterValues', () => sessionsAt(ONE_PHASE_W).length >= 2 && sessionsAt(THREE_PHASE_32A_W).length >= 2, 40_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(fleet.metrics.behaviour)}, powers ${JSON.stringify(csms.transactions().map(powers))}`);
    });
    const report = await fleet.stop(5000);

    // Every session with meter values charged at one model's power, never something between.
    const metered = csms.transactions().filter((t) => powers(t).length > 0);
    for (const t of metered) expect(powers(t).every((w) => near(w, ONE_PHASE_W)) || powers(t).every((w) => near(w, THREE_PHASE_32A_W))).toBe(true);
    expect(csms.violations()).toEqual([]);
    const b = report.behaviour!;
    expect(b['ev:city-1ph']! + b['ev:suv-22kw']!).toBe(b.arrivals);
    expect(b['ev:city-1ph']).toBeGreaterThanOrEqual(sessionsAt(ONE_PHASE_W).length);
    expect(b['ev:suv-22kw']).toBeGreaterThanOrEqual(sessionsAt(THREE_PHASE_32A_W).length);
    expect(formatSummary(report)).toMatch(new RegExp(`^ {2}sessions by EV model: city-1ph ${b['ev:city-1ph']}, suv-22kw ${b['ev:suv-22kw']}$`, 'm'));
    expect(formatSummary(report)).not.toMatch(/behaviour .*ev:/);
  });
});
