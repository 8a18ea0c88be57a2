/**
 * Behaviour every {@link TemperatureSensor} owes the agent (hal/index.ts), as a vitest suite. Run it
 * against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TemperatureSensor } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';

export interface TemperatureHarness extends ContractHarness {
  /** The sensor under test; the device reads 25.0 °C. The suite releases it. */
  readonly sensor: TemperatureSensor;
  /** Device time within which the driver has read a change on its own (its poll), ms. */
  readonly freshWithinMs: number;
  /** Device side: the enclosure is now at `celsius` (a multiple of 0.1). */
  setCelsius(celsius: number): Control;
  /** Device side: no value can be had any more / again. */
  disconnect(): Control;
  reconnect(): Control;
}

export function temperatureContract(name: string, makeHarness: () => TemperatureHarness | Promise<TemperatureHarness>): void {
  describe(`TemperatureSensor contract: ${name}`, () => {
    let h: TemperatureHarness;
    let readings: number[];

    beforeEach(async () => {
      h = await makeHarness();
      readings = [];
      h.sensor.on('reading', (c) => readings.push(c));
    });

    afterEach(async () => {
      await h.sensor.release();
      await h.dispose?.();
    });

    it('reads the device now, remembers it and tells it as a reading', async () => {
      await expect(h.sensor.read()).resolves.toBe(25);
      expect(h.sensor.lastCelsius).toBe(25);
      await h.setCelsius(61.5);
      await expect(h.sensor.read()).resolves.toBe(61.5);
      expect(readings.at(-1)).toBe(61.5);
      expect([...h.sensor.activeFaults]).toEqual([]);
    });

    it('keeps itself fresh without being asked', async () => {
      await h.advance(h.freshWithinMs);
      expect(h.sensor.lastCelsius).toBe(25);
      await h.setCelsius(-7.5);
      await h.advance(h.freshWithinMs);
      expect(h.sensor.lastCelsius).toBe(-7.5);
      expect(readings).toContain(-7.5);
    });

    it('a sensor without a value rejects with a HAL error and knows nothing until it reads again', async () => {
      await h.sensor.read();
      await h.disconnect();
      // A serial device rejects once its answer is overdue: device time has to pass.
      const failed = h.sensor.read();
      failed.catch(() => undefined);
      await h.advance(h.freshWithinMs);
      await expect(failed).rejects.toMatchObject({ name: 'HalError' });
      expect(h.sensor.lastCelsius).toBeUndefined();
      await h.advance(h.freshWithinMs);
      expect(h.sensor.lastCelsius).toBeUndefined();
      await h.setCelsius(30);
      await h.reconnect();
      await h.advance(h.freshWithinMs);
      expect(h.sensor.lastCelsius).toBe(30);
      await expect(h.sensor.read()).resolves.toBe(30);
    });

    it('once released, reads reject DEVICE_CLOSED', async () => {
      await h.sensor.release();
      await expect(h.sensor.read()).rejects.toMatchObject({ code: 'DEVICE_CLOSED' });
    });
  });
}
