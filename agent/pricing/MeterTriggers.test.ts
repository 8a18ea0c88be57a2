import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { MeterTriggers } from './MeterTriggers.js';

function rig() {
  const clock = new SimulatedClock(Date.UTC(2026, 2, 19, 12));
  const fired: string[] = [];
  return { clock, fired, triggers: new MeterTriggers(clock, (why) => fired.push(why)) };
}

describe('triggerMeterValue: when a meter value is sent besides the regular samples', () => {
  it('atTime: once, at that time', () => {
    const { clock, fired, triggers } = rig();
    triggers.set({ atTime: '2026-03-19T13:00:00Z' });
    clock.advance(59 * 60_000);
    expect(fired).toEqual([]);
    clock.advance(60_000);
    clock.advance(3_600_000);
    expect(fired).toEqual(['atTime']);
  });

  it('atEnergykWh: once the session used that much, also when the next RunningCost repeats the level (no loop); a new level counts', () => {
    const { fired, triggers } = rig();
    triggers.set({ atEnergykWh: 5 });
    triggers.reading(4999, 11_000);
    triggers.reading(5000, 11_000);
    triggers.reading(6000, 11_000);
    triggers.set({ atEnergykWh: 5 });
    triggers.reading(6100, 11_000);
    expect(fired).toEqual(['atEnergykWh']);
    triggers.set({ atEnergykWh: 7 });
    triggers.reading(7000, 11_000);
    expect(fired).toEqual(['atEnergykWh', 'atEnergykWh']);
  });

  it('atPowerkW: each crossing, either way, with a hysteresis around the level', () => {
    const { fired, triggers } = rig();
    triggers.set({ atPowerkW: 1 });
    for (const w of [11_000, 11_000, 990, 1020, 960, 20, 1010, 1100, 900]) triggers.reading(0, w);
    // 11 kW (above) → 960 W (below the band, down) → 1100 W (above, up) → 900 W (down).
    expect(fired).toEqual(['atPowerkW', 'atPowerkW', 'atPowerkW']);
  });

  it('a reading that comes back while the value is being sent (the send reads the meter) does not send again', () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    let power = 11_000;
    const triggers: MeterTriggers = new MeterTriggers(clock, (why) => {
      fired.push(why);
      if (fired.length < 10) triggers.reading(0, power); // the meter read by the send reports at once
    });
    triggers.set({ atPowerkW: 1 });
    triggers.reading(0, power);
    power = 0;
    triggers.reading(0, power);
    expect(fired).toEqual(['atPowerkW']);
  });

  it('atCPStatus: on entering a listed status', () => {
    const { fired, triggers } = rig();
    triggers.set({ atCPStatus: ['SuspendedEV', 'SuspendedEVSE'] });
    triggers.status('Charging');
    triggers.status('SuspendedEV');
    expect(fired).toEqual(['atCPStatus']);
  });

  it('a new RunningCost replaces the triggers; a time already past or none set sends nothing', () => {
    const { clock, fired, triggers } = rig();
    triggers.set({ atTime: '2026-03-19T13:00:00Z', atEnergykWh: 1 });
    triggers.set({ atTime: '2026-03-19T11:00:00Z' });
    clock.advance(2 * 3_600_000);
    triggers.reading(5000, 0);
    triggers.set(undefined);
    triggers.status('SuspendedEV');
    expect(fired).toEqual([]);
  });
});
