/**
 * Behaviour every {@link ControlPilot} implementation owes the agent (hal/index.ts, IEC 61851-1),
 * as a vitest suite. Run it against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlPilot, PilotState } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';
import { outcomeOf, rejectionCode, settleWithin, watchFaults } from './observers.js';

export interface PilotHarness extends ContractHarness {
  /** The pilot under test: no vehicle (A), PWM off, fault-free. The suite closes it. */
  readonly pilot: ControlPilot;
  /** Vehicle side: the pilot state the EV presents. */
  setVehicleState(state: PilotState): Control;
  /** Vehicle side: the cable's proximity rating (null: none). Omit for hardware without PP. */
  setProximity?(ratingA: number | null): Control;
}

/**
 * IEC 61851-1 table A.8, written out (not computed with the code under test):
 * 6–51 A → duty = A / 0.6; 51–80 A → duty = A / 2.5 + 64.
 */
const DUTY_CYCLES: readonly (readonly [amps: number, percent: number])[] = [
  [6, 10],
  [10, 16.667],
  [13, 21.667],
  [16, 26.667],
  [20, 33.333],
  [25, 41.667],
  [32, 53.333],
  [40, 66.667],
  [51, 85],
  [63, 89.2],
  [70, 92],
  [80, 96],
];

export function pilotContract(name: string, makeHarness: () => PilotHarness | Promise<PilotHarness>): void {
  describe(`ControlPilot contract: ${name}`, () => {
    let h: PilotHarness;
    let pilot: ControlPilot;
    let states: [PilotState, PilotState][];

    beforeEach(async () => {
      h = await makeHarness();
      pilot = h.pilot;
      states = [];
      pilot.on('state', (state, previous) => states.push([state, previous]));
    });

    afterEach(async () => {
      await pilot.release();
      await h.dispose?.();
    });

    async function command(promise: Promise<void>) {
      const outcome = outcomeOf(promise);
      await settleWithin(h, outcome, 1000);
      return outcome;
    }

    async function vehicle(state: PilotState): Promise<void> {
      await h.setVehicleState(state);
      await h.advance(0);
    }

    it('starts in A with PWM off (offer 0 A, duty 100 %)', () => {
      expect(pilot.state).toBe('A');
      expect(pilot.currentOfferA).toBe(0);
      expect(pilot.dutyCyclePercent).toBe(100);
      expect(pilot.maxCurrentA).toBeGreaterThanOrEqual(6);
      expect(pilot.maxCurrentA).toBeLessThanOrEqual(80);
    });

    it('offers the IEC 61851 duty cycle for each current it may offer', async () => {
      const offered = DUTY_CYCLES.filter(([amps]) => amps <= pilot.maxCurrentA);
      expect(offered.length).toBeGreaterThanOrEqual(3);
      for (const [amps, percent] of offered) {
        expect(rejectionCode(await command(pilot.setCurrentOffer(amps)))).toBe('resolved');
        expect(pilot.currentOfferA).toBe(amps);
        expect(pilot.dutyCyclePercent).toBeCloseTo(percent, 2);
      }
    });

    it('an offer of 0 switches PWM off', async () => {
      await command(pilot.setCurrentOffer(16));
      expect(rejectionCode(await command(pilot.setCurrentOffer(0)))).toBe('resolved');
      expect(pilot.currentOfferA).toBe(0);
      expect(pilot.dutyCyclePercent).toBe(100);
    });

    it('rejects offers between 0 and 6 A, above its rating or not a number with INVALID_ARGUMENT, changing nothing', async () => {
      const faults = watchFaults(pilot);
      await command(pilot.setCurrentOffer(10));
      for (const bad of [-1, 0.5, 3, 5.99, pilot.maxCurrentA + 1, 81, Number.NaN, Number.POSITIVE_INFINITY]) {
        const outcome = await command(pilot.setCurrentOffer(bad));
        expect(rejectionCode(outcome), `offer ${bad} A`).toBe('INVALID_ARGUMENT');
        expect(pilot.currentOfferA).toBe(10);
        expect(pilot.dutyCyclePercent).toBeCloseTo(16.667, 2);
      }
      expect(faults.raised).toEqual([]);
    });

    it('reports each vehicle state change once, with the previous state', async () => {
      await vehicle('B');
      await vehicle('B');
      await vehicle('C');
      await vehicle('B');
      await vehicle('A');
      expect(states).toEqual([['B', 'A'], ['C', 'B'], ['B', 'C'], ['A', 'B']]);
      expect(pilot.state).toBe('A');
    });

    it('E and F are state events and one PILOT_FAULT; leaving them clears it', async () => {
      const faults = watchFaults(pilot);
      await vehicle('B');
      await vehicle('E');
      await vehicle('F');
      expect(states.slice(1)).toEqual([['E', 'B'], ['F', 'E']]);
      expect(faults.raised).toEqual(['PILOT_FAULT']);
      expect(pilot.activeFaults.has('PILOT_FAULT')).toBe(true);
      await vehicle('B');
      expect(faults.cleared).toEqual(['PILOT_FAULT']);
      expect([...pilot.activeFaults]).toEqual([]);
    });

    it('unavailable switches the offer off and available restores it', async () => {
      await command(pilot.setCurrentOffer(16));
      expect(rejectionCode(await command(pilot.setUnavailable(true)))).toBe('resolved');
      expect(pilot.currentOfferA).toBe(0);
      expect(pilot.dutyCyclePercent).not.toBeCloseTo(26.667, 1);
      expect(rejectionCode(await command(pilot.setUnavailable(false)))).toBe('resolved');
      expect(pilot.currentOfferA).toBe(16);
      expect(pilot.dutyCyclePercent).toBeCloseTo(26.667, 2);
    });

    it('reports each change of the offered current once, with the previous offer, after it is confirmed', async () => {
      const offers: [number, number][] = [];
      pilot.on('offer', (amps, previous) => {
        expect(pilot.currentOfferA).toBe(amps);
        offers.push([amps, previous]);
      });
      await command(pilot.setCurrentOffer(16));
      await command(pilot.setCurrentOffer(16));
      await command(pilot.setCurrentOffer(10));
      await command(pilot.setCurrentOffer(3)); // rejected: changes nothing
      await command(pilot.setUnavailable(true));
      await command(pilot.setUnavailable(false));
      await command(pilot.setCurrentOffer(0));
      expect(offers).toEqual([[16, 0], [10, 16], [0, 10], [10, 0], [0, 10]]);
    });

    it('reports the cable proximity rating', async (context) => {
      if (!h.setProximity) return context.skip();
      const ratings: (number | null)[] = [];
      pilot.on('proximity', (a) => ratings.push(a));
      await h.setProximity(32);
      await h.advance(0);
      expect(pilot.proximityRatingA).toBe(32);
      await h.setProximity(null);
      await h.advance(0);
      expect(ratings).toEqual([32, null]);
      expect(pilot.proximityRatingA).toBeNull();
    });

    it('after release(), commands reject DEVICE_CLOSED; release() is idempotent', async () => {
      await pilot.release();
      await pilot.release();
      expect(rejectionCode(await command(pilot.setCurrentOffer(16)))).toBe('DEVICE_CLOSED');
      expect(rejectionCode(await command(pilot.setUnavailable(true)))).toBe('DEVICE_CLOSED');
    });
  });
}
