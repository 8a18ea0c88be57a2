/**
 * Behaviour every {@link TamperSensor} owes the agent (hal/index.ts), as a vitest suite. Run it
 * against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TamperSensor } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';
import { watchFaults } from './observers.js';

export interface TamperHarness extends ContractHarness {
  /** The sensor under test, door shut, fault-free. The suite releases it. */
  readonly sensor: TamperSensor;
  /** Device time within which a change is confirmed (debounce, polling), ms. */
  readonly confirmWithinMs: number;
  /** Device side: the door opens / shuts. */
  open(): Control;
  shut(): Control;
  /** Device side: the switch cannot be read any more / again. */
  disconnect(): Control;
  reconnect(): Control;
}

export function tamperContract(name: string, makeHarness: () => TamperHarness | Promise<TamperHarness>): void {
  describe(`TamperSensor contract: ${name}`, () => {
    let h: TamperHarness;
    let events: boolean[];

    beforeEach(async () => {
      h = await makeHarness();
      events = [];
      h.sensor.on('tamper', (active) => events.push(active));
      await h.advance(h.confirmWithinMs);
    });

    afterEach(async () => {
      await h.sensor.release();
      await h.dispose?.();
    });

    it('starts with the door shut: inactive, fault-free, no event', () => {
      expect(h.sensor.active).toBe(false);
      expect([...h.sensor.activeFaults]).toEqual([]);
      expect(events).toEqual([]);
    });

    it('reports an opened and a shut door once each', async () => {
      await h.open();
      await h.advance(h.confirmWithinMs);
      expect(h.sensor.active).toBe(true);
      await h.advance(h.confirmWithinMs);
      await h.shut();
      await h.advance(h.confirmWithinMs);
      expect(h.sensor.active).toBe(false);
      expect(events).toEqual([true, false]);
    });

    it('a switch that cannot be read faults once, keeps its last state, and reports what changed once readable again', async () => {
      const faults = watchFaults(h.sensor);
      await h.disconnect();
      await h.advance(h.confirmWithinMs * 3);
      expect(faults.raised).toEqual(['TAMPER_SENSOR_LOST']);
      expect(h.sensor.active).toBe(false);
      await h.open();
      await h.reconnect();
      await h.advance(h.confirmWithinMs * 2);
      expect(faults.cleared).toEqual(['TAMPER_SENSOR_LOST']);
      expect(h.sensor.active).toBe(true);
      expect(events).toEqual([true]);
    });
  });
}
