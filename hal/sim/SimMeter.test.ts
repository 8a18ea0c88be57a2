import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import { ConstantLoad } from './MeterSource.js';
import { SimMeter } from './SimMeter.js';

function meter(phases: 1 | 3 = 3) {
  const clock = new SimulatedClock();
  const load = new ConstantLoad(clock);
  const m = new SimMeter({ id: 'meter:1', clock, phases, voltageV: 230, frequencyHz: 60, initialEnergyWh: 1000, source: load });
  return { clock, load, meter: m };
}

describe('SimMeter', () => {
  it('integrates a piecewise-constant load exactly', async () => {
    const { clock, load, meter: m } = meter();
    load.setPower(3600, 1);
    clock.advance(600_000);
    load.setPower(7200, 3);
    clock.advance(300_000);
    const r = await m.read();
    expect(r.energyWh).toBeCloseTo(1000 + 600 + 600, 9);
    expect(r.frequencyHz).toBe(60);
  });

  it('splits current over the phases in use and leaves the others at 0 A', async () => {
    const { load, meter: m } = meter();
    load.setPower(2 * 230 * 10, 2);
    expect((await m.read()).currentA).toEqual([10, 10, 0]);
  });

  it('measures nothing without a source', async () => {
    const clock = new SimulatedClock();
    const m = new SimMeter({ id: 'meter:1', clock, phases: 1 });
    clock.advance(3_600_000);
    const r = await m.read();
    expect(r).toMatchObject({ energyWh: 0, powerW: 0, currentA: [0], voltageV: [230] });
  });

  it('clears every meter fault that was active on the next good read', async () => {
    const { meter: m } = meter();
    const events: string[] = [];
    m.on('fault', (e) => events.push(e.code));
    m.on('faultCleared', (c) => events.push(`cleared:${c}`));
    m.stopAnswering();
    await expect(m.read()).rejects.toMatchObject({ code: 'METER_TIMEOUT' });
    m.answerAgain();
    m.returnInvalid();
    await expect(m.read()).rejects.toMatchObject({ code: 'METER_INVALID' });
    m.answerAgain();
    await m.read();
    expect(events).toEqual(['METER_TIMEOUT', 'METER_INVALID', 'cleared:METER_TIMEOUT', 'cleared:METER_INVALID']);
  });

  it('rejects a negative load and impossible options', () => {
    const clock = new SimulatedClock();
    expect(() => new ConstantLoad(clock).setPower(-1)).toThrow(RangeError);
    expect(() => new SimMeter({ id: 'm', clock, phases: 2 as 1 })).toThrow(/phases/);
    expect(() => new SimMeter({ id: 'm', clock, phases: 1, voltageV: 0 })).toThrow(/voltageV/);
    expect(() => new SimMeter({ id: 'm', clock, phases: 1, initialEnergyWh: -5 })).toThrow(/initialEnergyWh/);
  });
});
