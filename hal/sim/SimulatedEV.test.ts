import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import type { PilotState } from '../index.js';
import { SimConnector } from './SimConnector.js';
import { SimulatedEV } from './SimulatedEV.js';

/** An EV on a bench: the link records the order in which it is told about changes. */
function bench(options: ConstructorParameters<typeof SimulatedEV>[0] = {}) {
  const ev = new SimulatedEV(options);
  const calls: string[] = [];
  ev.connectTo({ sync: () => calls.push(`sync@${ev.soc}`), changed: () => calls.push('changed') });
  const see = (offerA: number): PilotState => {
    ev.seeOffer(offerA);
    return ev.pilotState;
  };
  return { ev, calls, see };
}

describe('SimulatedEV', () => {
  it('is A unplugged, B plugged, and asks for power (C) only once it sees an offer', () => {
    const { ev, see } = bench();
    expect(see(16)).toBe('A');
    ev.plugIn();
    expect(see(0)).toBe('B');
    expect(see(16)).toBe('C');
    expect(see(0)).toBe('C'); // C1: keeps asking without an offer
    ev.unplug();
    expect(see(16)).toBe('A');
  });

  it('asks with ventilation as D', () => {
    const { ev, see } = bench({ ventilation: true });
    ev.plugIn();
    expect(see(16)).toBe('D');
    ev.setVentilation(false);
    expect(see(16)).toBe('C');
  });

  it('suspended or full is B; resume() asks again at the next offer', () => {
    const { ev, see } = bench({ soc: 0.5 });
    ev.plugIn();
    see(16);
    ev.suspend();
    expect(see(16)).toBe('B');
    ev.resume();
    expect(see(0)).toBe('B');
    expect(see(16)).toBe('C');
    ev.setSoC(1);
    expect(see(16)).toBe('B');
  });

  it('shows an injected E or F until cleared or unplugged', () => {
    const { ev, see } = bench();
    ev.plugIn();
    ev.injectPilotError('E');
    expect(see(16)).toBe('E');
    ev.clearPilotError();
    expect(see(16)).toBe('C');
    ev.injectPilotError('F');
    ev.unplug();
    expect(see(16)).toBe('A');
  });

  it('draws min(offer, on-board limit, cable rating) on min(EV, supply) phases', () => {
    const { ev } = bench({ maxCurrentA: 16, phases: 3, cableRatingA: 13 });
    ev.plugIn();
    ev.seeOffer(32);
    const draw = ev.drawFor(32, { voltageV: 230, phases: 1 })!;
    expect(draw.phasesUsed).toBe(1);
    expect(draw.regime.fullPowerW).toBe(16 * 230);
    expect(draw.regime.limitFraction).toBeCloseTo(13 / 16, 12);
    expect(ev.drawFor(0, { voltageV: 230, phases: 3 })).toBeUndefined();
  });

  it('stores efficiency × grid energy in the battery', () => {
    const { ev } = bench({ batteryKWh: 50, soc: 0.1, efficiency: 0.8 });
    ev.plugIn();
    ev.seeOffer(16);
    const draw = ev.drawFor(16, { voltageV: 230, phases: 3 })!;
    const wh = ev.absorb(draw.regime, 3_600_000);
    expect(wh).toBeCloseTo(11_040, 6);
    expect(ev.soc).toBeCloseTo(0.1 + (11_040 * 0.8) / 50_000, 12);
  });

  it('tells its connector before and after every change, so energy is booked with the old state', () => {
    const { ev, calls } = bench({ soc: 0.3 });
    ev.setSoC(0.6);
    expect(calls).toEqual(['sync@0.3', 'changed']);
  });

  it('rejects impossible options with RangeErrors that name them', () => {
    expect(() => new SimulatedEV({ soc: 80 })).toThrow(/ev\.soc.*fraction/);
    expect(() => new SimulatedEV({ batteryKWh: 0 })).toThrow(/ev\.batteryKWh/);
    expect(() => new SimulatedEV({ phases: 2 as 1 })).toThrow(/ev\.phases/);
    expect(() => new SimulatedEV({ maxCurrentA: 3 })).toThrow(/ev\.maxCurrentA/);
    expect(() => new SimulatedEV({ efficiency: 1.2 })).toThrow(/ev\.efficiency/);
    expect(() => new SimulatedEV().setSoC(-0.1)).toThrow(RangeError);
  });

  describe('setModel', () => {
    it('changes battery, on-board limit and phases while unplugged; the connector then meters the new power', async () => {
      const clock = new SimulatedClock();
      const ev = new SimulatedEV({ batteryKWh: 40, soc: 0.2, maxCurrentA: 16, phases: 1 });
      const connector = new SimConnector({ connectorId: 1, clock, ev, maxCurrentA: 32, phases: 3, voltageV: 230, frequencyHz: 50 });
      const charge = async () => {
        ev.plugIn();
        await connector.pilot.setCurrentOffer(32);
        await connector.relay.close();
        return (await connector.meter.read()).powerW;
      };
      expect(await charge()).toBeCloseTo(16 * 230, 6); // 1 phase × 16 A
      await connector.relay.open();
      ev.unplug();
      ev.setModel({ batteryKWh: 90, maxCurrentA: 32, phases: 3 });
      expect([ev.capacityWh, ev.maxCurrentA, ev.phases, ev.soc]).toEqual([90_000, 32, 3, 0.2]);
      expect(await charge()).toBeCloseTo(3 * 32 * 230, 6); // 3 phases × 32 A
      clock.advance(3_600_000);
      await connector.meter.read(); // brings the physics up to the clock
      expect(ev.soc).toBeCloseTo(0.2 + (3 * 32 * 230 * 0.9) / 90_000, 9); // the new battery fills
      await connector.close();
    });

    it('is refused while plugged in, and for a bad value names the field; nothing changes then', () => {
      const { ev, calls } = bench({ batteryKWh: 60, maxCurrentA: 16, phases: 3 });
      ev.plugIn();
      calls.length = 0;
      expect(() => ev.setModel({ batteryKWh: 40, maxCurrentA: 16, phases: 1 })).toThrow(/ev\.setModel: the EV is plugged in; unplug it/);
      ev.unplug();
      calls.length = 0;
      expect(() => ev.setModel({ batteryKWh: 0, maxCurrentA: 16, phases: 1 })).toThrow(/ev\.batteryKWh must be a number in 0\.00001\.\.1000; got 0/);
      expect(() => ev.setModel({ batteryKWh: 40, maxCurrentA: 100, phases: 1 })).toThrow(/ev\.maxCurrentA must be a number in 6\.\.80; got 100/);
      expect(() => ev.setModel({ batteryKWh: 40, maxCurrentA: 16, phases: 2 as 1 })).toThrow(/ev\.phases must be 1 or 3; got 2/);
      expect([ev.capacityWh, ev.maxCurrentA, ev.phases]).toEqual([60_000, 16, 3]);
      expect(calls).toEqual([]);
      ev.setModel({ batteryKWh: 0.0005, maxCurrentA: 6, phases: 1 }); // an accelerated fleet's tiny battery
      expect(calls).toEqual(['sync@0.5', 'changed']);
      expect(ev.capacityWh).toBeCloseTo(0.5, 12);
    });
  });
});
