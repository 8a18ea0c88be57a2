import { describe, expect, it } from 'vitest';
import type { PilotState } from '../index.js';
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
});
