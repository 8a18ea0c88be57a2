import { describe, expect, it } from 'vitest';
import { SimControlPilot } from './SimControlPilot.js';

function pilot() {
  let changes = 0;
  const p = new SimControlPilot({ id: 'pilot:1', maxCurrentA: 32, onOutputChange: () => changes++ });
  return { pilot: p, changes: () => changes };
}

describe('SimControlPilot', () => {
  it('tells the physics about output changes, and only about real ones', async () => {
    const { pilot: p, changes } = pilot();
    await p.setCurrentOffer(16);
    await p.setCurrentOffer(16);
    await p.setUnavailable(false);
    await p.setCurrentOffer(3).catch(() => undefined);
    expect(changes()).toBe(1);
    await p.setUnavailable(true);
    expect(changes()).toBe(2);
  });

  it('while unavailable drives -12 V (duty 0 %, offer 0) and keeps a new offer for later', async () => {
    const { pilot: p } = pilot();
    await p.setCurrentOffer(16);
    await p.setUnavailable(true);
    await p.setCurrentOffer(20);
    expect(p.currentOfferA).toBe(0);
    expect(p.dutyCyclePercent).toBe(0);
    expect(p.isUnavailable).toBe(true);
    await p.setUnavailable(false);
    expect(p.currentOfferA).toBe(20);
    expect(p.dutyCyclePercent).toBeCloseTo(33.333, 2);
  });

  it('rejects an unknown vehicle state, a bad proximity rating and a rating outside 6..80 A', () => {
    const { pilot: p } = pilot();
    expect(() => p.setVehicleState('G' as 'A')).toThrow(RangeError);
    expect(() => p.setProximity(-13)).toThrow(RangeError);
    expect(() => new SimControlPilot({ id: 'p', maxCurrentA: 100 })).toThrow(/maxCurrentA/);
  });
});
