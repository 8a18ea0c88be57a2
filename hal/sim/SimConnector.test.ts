import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import type { PilotState } from '../index.js';
import { SimConnector, type SimConnectorOptions } from './SimConnector.js';
import { SimulatedEV, type SimulatedEVOptions } from './SimulatedEV.js';

const HOUR = 3_600_000;
// 16 A per phase × 230 V × 3 phases
const FULL_POWER_W = 11_040;

function setup(ev: SimulatedEVOptions = {}, options: Partial<SimConnectorOptions> = {}) {
  const clock = new SimulatedClock();
  const connector = new SimConnector({
    connectorId: 1,
    clock,
    ev: new SimulatedEV({ batteryKWh: 60, soc: 0.2, maxCurrentA: 16, phases: 3, efficiency: 0.9, ...ev }),
    maxCurrentA: 32,
    phases: 3,
    voltageV: 230,
    frequencyHz: 50,
    ...options,
  });
  const pilotStates: PilotState[] = [];
  connector.pilot.on('state', (s) => pilotStates.push(s));
  return { clock, connector, ev: connector.ev, pilotStates };
}

/** What the agent does for an authorized session: offer current, then close the contactor. */
async function startCharging(connector: SimConnector, offerA = 16): Promise<void> {
  connector.ev.plugIn();
  await connector.pilot.setCurrentOffer(offerA);
  await connector.relay.close();
}

describe('SimConnector physics', () => {
  it('meters the integral of power: 11,040 W for one virtual hour is 11,040 Wh, and SoC rises by it × efficiency', async () => {
    const { clock, connector, ev } = setup();
    await startCharging(connector);
    const start = await connector.meter.read();
    clock.advance(HOUR);
    const end = await connector.meter.read();
    expect(start.powerW).toBeCloseTo(FULL_POWER_W, 6);
    expect(end.energyWh - start.energyWh).toBeCloseTo(FULL_POWER_W, 6);
    expect(end.timestamp - start.timestamp).toBe(HOUR);
    expect(ev.soc).toBeCloseTo(0.2 + (FULL_POWER_W * 0.9) / 60_000, 9);
  });

  it('gives the same energy whether the meter is read every minute or once (piecewise integration is exact)', async () => {
    const often = setup({ soc: 0.7 });
    const once = setup({ soc: 0.7 });
    await startCharging(often.connector);
    await startCharging(once.connector);
    for (let minute = 0; minute < 120; minute++) {
      often.clock.advance(60_000);
      await often.connector.meter.read();
    }
    once.clock.advance(120 * 60_000);
    const a = await often.connector.meter.read();
    const b = await once.connector.meter.read();
    expect(a.energyWh).toBeCloseTo(b.energyWh, 6);
    expect(often.ev.soc).toBeCloseTo(once.ev.soc, 12);
  });

  it('keeps energy and SoC consistent on the taper: ΔSoC × capacity = efficiency × ΔE', async () => {
    const { clock, connector, ev } = setup({ soc: 0.78 });
    await startCharging(connector);
    const e0 = (await connector.meter.read()).energyWh;
    for (let i = 0; i < 7; i++) {
      clock.advance(10 * 60_000);
      const e = (await connector.meter.read()).energyWh;
      expect((ev.soc - 0.78) * 60_000).toBeCloseTo(0.9 * (e - e0), 6);
    }
  });

  it('tapers above 80 %: full power below the knee, less and falling above it, as the curve says', async () => {
    const { clock, connector, ev } = setup({ soc: 0.79 });
    await startCharging(connector);
    expect((await connector.meter.read()).powerW).toBeCloseTo(FULL_POWER_W, 6);
    let previous = Infinity;
    for (let i = 0; i < 6; i++) {
      clock.advance(10 * 60_000);
      const { powerW } = await connector.meter.read();
      expect(ev.soc).toBeGreaterThan(0.8);
      // default curve: accepted fraction falls linearly from 1 at 80 % to 0.1 at 100 %
      expect(powerW).toBeCloseTo(FULL_POWER_W * (1 - 4.5 * (ev.soc - 0.8)), 6);
      expect(powerW).toBeLessThan(previous);
      previous = powerW;
    }
  });

  it('obeys the PWM offer, the on-board charger limit and the cable rating', async () => {
    const { connector } = setup();
    await startCharging(connector, 16);
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
    await connector.pilot.setCurrentOffer(10);
    expect((await connector.meter.read()).currentA).toEqual([10, 10, 10]);
    await connector.pilot.setCurrentOffer(32); // the on-board charger takes 16 A at most
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
    const cabled = setup({ cableRatingA: 13 });
    await startCharging(cabled.connector, 32);
    expect(cabled.connector.pilot.proximityRatingA).toBe(13);
    expect(cabled.connector.powerW).toBeCloseTo(13 * 230 * 3, 6);
  });

  it('with offer 0 draws nothing: an EV in B stays in B, an EV in C stays in C', async () => {
    const { clock, connector, pilotStates } = setup();
    connector.ev.plugIn();
    await connector.relay.close();
    clock.advance(60_000);
    expect(connector.pilot.state).toBe('B');
    await connector.pilot.setCurrentOffer(16);
    expect(connector.pilot.state).toBe('C');
    await connector.pilot.setCurrentOffer(0);
    const before = (await connector.meter.read()).energyWh;
    clock.advance(10 * 60_000);
    const after = await connector.meter.read();
    expect(connector.pilot.state).toBe('C');
    expect(after.powerW).toBe(0);
    expect(after.energyWh).toBe(before);
    expect(pilotStates).toEqual(['B', 'C']);
    await connector.pilot.setCurrentOffer(16);
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
  });

  it('delivers power only once the contactor is confirmed closed', async () => {
    const { clock, connector } = setup({}, { relay: { actuationDelayMs: 50 } });
    connector.ev.plugIn();
    await connector.pilot.setCurrentOffer(16);
    const closing = connector.relay.close();
    clock.advance(49);
    expect(connector.powerW).toBe(0);
    expect((await connector.meter.read()).energyWh).toBe(0);
    clock.advance(1);
    await closing;
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
  });

  it('suspend() is B with no power while plugged; resume() asks again', async () => {
    const { connector, ev } = setup();
    await startCharging(connector);
    ev.suspend();
    expect(connector.pilot.state).toBe('B');
    expect(connector.powerW).toBe(0);
    ev.resume();
    expect(connector.pilot.state).toBe('C');
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
  });

  it('stops at 100 % and returns to B at the moment the battery is full', async () => {
    const { clock, connector, ev } = setup({ soc: 0.95 });
    const start = clock.now();
    let fullAt: number | undefined;
    connector.pilot.on('state', (s) => {
      if (s === 'B') fullAt = clock.now();
    });
    await startCharging(connector);
    const e0 = (await connector.meter.read()).energyWh;
    // Independent check: explicit Euler integration of the default curve in 1 s steps.
    let soc = 0.95;
    let seconds = 0;
    while (soc < 1) {
      soc += (FULL_POWER_W * (1 - 4.5 * (soc - 0.8)) * 0.9) / (60_000 * 3600);
      seconds++;
    }
    clock.advance(3 * HOUR);
    expect(fullAt).toBeDefined();
    expect((fullAt! - start) / 1000).toBeCloseTo(seconds, -1);
    expect(ev.soc).toBe(1);
    expect(ev.full).toBe(true);
    const end = await connector.meter.read();
    expect(end.powerW).toBe(0);
    expect(end.energyWh - e0).toBeCloseTo((0.05 * 60_000) / 0.9, 3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('unplug() is A: no power, no proximity rating', async () => {
    const { connector, ev } = setup({ cableRatingA: 32 });
    await startCharging(connector);
    ev.unplug();
    expect(connector.pilot.state).toBe('A');
    expect(connector.pilot.proximityRatingA).toBeNull();
    expect(connector.powerW).toBe(0);
  });

  it('reports consistent V, I and P for a single-phase EV on a three-phase connector', async () => {
    const { connector } = setup({ phases: 1 });
    await startCharging(connector, 16);
    const r = await connector.meter.read();
    expect(r.currentA).toEqual([16, 0, 0]);
    expect(r.voltageV).toEqual([230, 230, 230]);
    expect(r.powerW).toBeCloseTo(r.voltageV.reduce((p, v, i) => p + v * r.currentA[i]!, 0), 9);
  });

  it('a vehicle-side pilot error stops power, faults PILOT_FAULT, and clearing it resumes charging', async () => {
    const { connector, ev } = setup();
    const faults: string[] = [];
    connector.pilot.on('fault', (e) => faults.push(e.code));
    connector.pilot.on('faultCleared', (c) => faults.push(`cleared:${c}`));
    await startCharging(connector);
    ev.injectPilotError('E');
    expect(connector.pilot.state).toBe('E');
    expect(connector.powerW).toBe(0);
    ev.clearPilotError();
    expect(connector.pilot.state).toBe('C');
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
    expect(faults).toEqual(['PILOT_FAULT', 'cleared:PILOT_FAULT']);
  });

  it('a welded contactor keeps supplying until the EV stops drawing', async () => {
    const { clock, connector } = setup();
    await startCharging(connector);
    connector.relay.weld();
    const opening = connector.relay.open().catch((e: unknown) => e);
    clock.advance(connector.relay.deadlineMs);
    expect(await opening).toMatchObject({ code: 'RELAY_WELDED' });
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
    await connector.pilot.setUnavailable(true);
    expect(connector.powerW).toBe(0);
  });

  it('the meter register keeps counting while the meter does not answer', async () => {
    const { clock, connector } = setup();
    await startCharging(connector);
    const before = (await connector.meter.read()).energyWh;
    connector.meter.stopAnswering();
    clock.advance(HOUR / 2);
    await expect(connector.meter.read()).rejects.toMatchObject({ code: 'METER_TIMEOUT' });
    clock.advance(HOUR / 2);
    connector.meter.answerAgain();
    expect((await connector.meter.read()).energyWh - before).toBeCloseTo(FULL_POWER_W, 6);
  });

  it('handles a listener that changes the offer from inside a pilot event', async () => {
    const { connector } = setup();
    connector.pilot.on('state', (s) => {
      if (s === 'C') void connector.relay.close();
      if (s === 'B') void connector.pilot.setCurrentOffer(16);
    });
    connector.ev.plugIn();
    await Promise.resolve();
    expect(connector.pilot.state).toBe('C');
    expect(connector.relay.state).toBe('closed');
    expect(connector.powerW).toBeCloseTo(FULL_POWER_W, 6);
  });

  it('holds one clock timer while charging and none otherwise, nor after close()', async () => {
    const { clock, connector, ev } = setup();
    expect(clock.pendingTimers).toBe(0);
    await startCharging(connector);
    expect(clock.pendingTimers).toBe(1);
    await connector.pilot.setCurrentOffer(10);
    expect(clock.pendingTimers).toBe(1);
    ev.suspend();
    expect(clock.pendingTimers).toBe(0);
    ev.resume();
    await connector.close();
    expect(clock.pendingTimers).toBe(0);
    await expect(connector.relay.close()).rejects.toMatchObject({ code: 'DEVICE_CLOSED' });
  });
});
