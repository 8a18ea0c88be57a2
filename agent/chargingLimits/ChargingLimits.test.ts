/**
 * The limit arbiter on its own: simulated hardware (the real sim devices) and a virtual clock; the
 * connectors are recorders of the events the arbiter sends (the machine is tested on its own).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger, type SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import type { ConnectorEvent } from '../charging/connectorTypes.js';
import type { ChargingProfile } from './chargingProfile.js';
import { ChargingLimits } from './ChargingLimits.js';
import { ChargingProfileStore } from './ChargingProfileStore.js';
import { OcppConfiguration } from '../store/OcppConfiguration.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const log = pino({ level: 'silent' });
const sims: SimulatedCharger[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function arbiter(options: { sessions?: Record<number, number> } = {}) {
  const clock = new SimulatedClock(T0);
  const sim = createSimulatedCharger({ clock, connectors: 2, maxCurrentA: 32 });
  sims.push(sim);
  const sent: Record<number, ConnectorEvent[]> = { 1: [], 2: [] };
  const sessions = options.sessions ?? {};
  const connectors = [1, 2].map((connectorId) => ({
    connectorId,
    get hasTransaction() {
      return sessions[connectorId] !== undefined;
    },
    send: (e: ConnectorEvent) => void sent[connectorId]!.push(e),
  }));
  const limits = new ChargingLimits({
    connectors,
    hardware: sim.hardware.connectors,
    store: ChargingProfileStore.inMemory(log),
    clock,
    log,
    voltageV: 230,
    config: await OcppConfiguration.open({ file: null, readonlyValues: { NumberOfConnectors: 2 }, log }),
    transactions: { get: (id) => (sessions[id] === undefined ? undefined : { startedAt: sessions[id] }), transactionIdOn: () => undefined },
  });
  limits.start();
  const last = (id: number) => sent[id]!.at(-1);
  return { clock, sim, limits, sent, sessions, last };
}

const profile = (p: Partial<ChargingProfile> & { periods: [number, number][] }): ChargingProfile => ({
  id: 1,
  connectorId: 0,
  stackLevel: 0,
  purpose: 'TxDefault',
  kind: 'Absolute',
  ...p,
  schedule: { unit: 'A', startSchedule: T0, ...p.schedule, periods: p.periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) },
});

describe('ChargingLimits: the lowest source wins and is named', () => {
  it('hardware, then a charging profile, a local limit and the cable, each binding in turn', async () => {
    const a = await arbiter();
    expect(a.last(1)).toEqual({ type: 'SET_LIMIT', amps: 32, source: 'hardware' });
    expect(a.limits.setProfile(profile({ periods: [[0, 20]] })).accepted).toBe(true);
    expect(a.last(1)).toEqual({ type: 'SET_LIMIT', amps: 20, source: 'chargingProfile' });
    expect(a.last(2)).toEqual({ type: 'SET_LIMIT', amps: 20, source: 'chargingProfile' }); // a TxDefault on 0 is every connector's
    a.limits.setLocalLimit(1, 12);
    expect(a.limits.limitOf(1)).toEqual({ connectorId: 1, amps: 12, source: 'localLimit', sources: { chargingProfile: 20, localLimit: 12, hardware: 32 } });
    a.sim.connectors[0]!.pilot.setProximity(10);
    expect(a.last(1)).toEqual({ type: 'SET_LIMIT', amps: 10, source: 'cable' });
    a.sim.connectors[0]!.pilot.setProximity(null);
    a.limits.setLocalLimit(1, undefined);
    expect(a.last(1)).toEqual({ type: 'SET_LIMIT', amps: 20, source: 'chargingProfile' });
  });

  it('a tie names the charging profile; fractions are rounded down to whole amps', async () => {
    const a = await arbiter();
    a.limits.setProfile(profile({ periods: [[0, 32]] }));
    expect(a.last(1)).toMatchObject({ amps: 32, source: 'chargingProfile' });
    a.limits.setProfile(profile({ periods: [[0, 11_000]], schedule: { unit: 'W', periods: [] } }));
    expect(a.last(1)).toMatchObject({ amps: 15, source: 'chargingProfile' }); // 15.9 A
  });

  it('below the profile’s minChargingRate nothing is offered', async () => {
    const a = await arbiter();
    a.limits.setProfile(profile({ periods: [[0, 16]], schedule: { unit: 'A', minChargingRate: 10, periods: [] } }));
    a.limits.setLocalLimit(1, 8);
    expect(a.last(1)).toMatchObject({ amps: 0, source: 'localLimit' });
  });
});

describe('ChargingLimits: time', () => {
  it('changes the limit at the period boundary, on one timer of the clock, and none without profiles', async () => {
    const a = await arbiter();
    expect(a.clock.pendingTimers).toBe(0);
    a.limits.setProfile(profile({ periods: [[0, 16], [600, 8]] }));
    expect(a.clock.pendingTimers).toBe(1);
    a.clock.advance(10 * MIN - 1);
    expect(a.last(1)).toMatchObject({ amps: 16 });
    a.clock.advance(1);
    expect(a.last(1)).toMatchObject({ amps: 8 });
    a.limits.clearProfiles({});
    expect(a.last(1)).toMatchObject({ amps: 32, source: 'hardware' });
    expect(a.clock.pendingTimers).toBe(0);
  });

  it('a Relative profile counts from the session start', async () => {
    const a = await arbiter({ sessions: { 1: T0 - 5 * MIN } });
    a.limits.setProfile(profile({ kind: 'Relative', connectorId: 1, periods: [[0, 6], [600, 16]] }));
    expect(a.last(1)).toMatchObject({ amps: 6 });
    a.clock.advance(5 * MIN);
    expect(a.last(1)).toMatchObject({ amps: 16 });
  });
});

describe('ChargingLimits: Tx profiles', () => {
  it('need a transaction, and end with it', async () => {
    const a = await arbiter();
    expect(a.limits.setProfile(profile({ purpose: 'Tx', connectorId: 1, periods: [[0, 6]] }))).toEqual({ accepted: false, reason: 'no transaction on connector 1' });
    a.sessions[1] = T0;
    expect(a.limits.setProfile(profile({ purpose: 'Tx', connectorId: 1, periods: [[0, 6]] })).accepted).toBe(true);
    expect(a.last(1)).toMatchObject({ amps: 6, source: 'chargingProfile' });
    expect(a.last(2)).toMatchObject({ amps: 32, source: 'hardware' });
    a.limits.sessionEnded(1);
    expect(a.limits.profiles).toEqual([]);
    expect(a.last(1)).toMatchObject({ amps: 32, source: 'hardware' });
  });

  it('a remote start’s profile binds before its session exists', async () => {
    const a = await arbiter();
    expect(a.limits.setSessionProfile(2, profile({ purpose: 'Tx', kind: 'Relative', periods: [[0, 7]] })).accepted).toBe(true);
    expect(a.last(2)).toMatchObject({ amps: 7 });
    expect(a.limits.profiles).toEqual([expect.objectContaining({ connectorId: 2, purpose: 'Tx' })]);
  });
});
