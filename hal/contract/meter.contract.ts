/**
 * Behaviour every {@link EnergyMeter} implementation owes the agent (hal/index.ts), as a vitest
 * suite. Run it against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnergyMeter, MeterReading } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';
import { outcomeOf, rejectionCode, settleWithin, watchFaults } from './observers.js';

export interface MeterHarness extends ContractHarness {
  /** The meter under test, answering, with no power flowing. The suite closes it. */
  readonly meter: EnergyMeter;
  /** Longest a `read()` may take to succeed or fail, ms of device time (default 1000). */
  readonly responseTimeoutMs?: number;
  /** Device side: from now on `powerW` flows through the meter, over `phasesUsed` phases (≤ meter.phases). */
  setPower(powerW: number, phasesUsed: number): Control;
  /** Device side: the meter stops answering. */
  stopAnswering(): Control;
  /** Device side: the meter answers with implausible values. */
  returnInvalid(): Control;
  /** Device side: the meter answers correctly again. */
  answerAgain(): Control;
}

/** Register resolution and float32 rounding of real meters: 1 % plus 1 Wh (or 1 W). */
function near(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 0.01 + 1);
}

export function meterContract(name: string, makeHarness: () => MeterHarness | Promise<MeterHarness>): void {
  describe(`EnergyMeter contract: ${name}`, () => {
    let h: MeterHarness;
    let meter: EnergyMeter;

    beforeEach(async () => {
      h = await makeHarness();
      meter = h.meter;
    });

    afterEach(async () => {
      await meter.release();
      await h.dispose?.();
    });

    async function read() {
      const outcome = outcomeOf(meter.read());
      await settleWithin(h, outcome, h.responseTimeoutMs ?? 1000);
      return outcome;
    }

    async function reading(): Promise<MeterReading> {
      const outcome = await read();
      expect(rejectionCode(outcome)).toBe('resolved');
      return outcome.value!;
    }

    it('read() returns one snapshot per phase, emits it and keeps it as lastReading', async () => {
      const events: MeterReading[] = [];
      meter.on('reading', (r) => events.push(r));
      const r = await reading();
      expect([1, 3]).toContain(meter.phases);
      expect(r.currentA).toHaveLength(meter.phases);
      expect(r.voltageV).toHaveLength(meter.phases);
      expect(Number.isFinite(r.timestamp)).toBe(true);
      expect(r.frequencyHz).toBeGreaterThan(45);
      expect(r.frequencyHz).toBeLessThan(65);
      for (const v of r.voltageV) expect(v).toBeGreaterThan(80);
      expect(r.energyWh).toBeGreaterThanOrEqual(0);
      expect(events.at(-1)).toEqual(r);
      expect(meter.lastReading).toEqual(r);
    });

    it('power, voltage and current agree: P = Σ V·I, and P is what flows', async () => {
      for (const [powerW, phases] of [[0, 1], [1380, 1], [3680, 1], [7400, meter.phases], [11040, meter.phases]] as const) {
        await h.setPower(powerW, phases);
        const r = await reading();
        near(r.powerW, powerW);
        near(r.voltageV.reduce((sum, v, i) => sum + v * r.currentA[i]!, 0), r.powerW);
        for (const i of r.currentA) expect(i).toBeGreaterThanOrEqual(0);
      }
    });

    it('energy is the integral of power over device time', async () => {
      await h.setPower(7200, meter.phases);
      const start = await reading();
      await h.advance(60_000);
      const oneMinute = await reading();
      near(oneMinute.energyWh - start.energyWh, 120);
      await h.setPower(0, 1);
      await h.advance(60_000);
      near((await reading()).energyWh, oneMinute.energyWh);
    });

    it('the energy register never decreases', async () => {
      let previous = (await reading()).energyWh;
      for (const powerW of [3000, 0, 11000, 500, 0]) {
        await h.setPower(powerW, 1);
        await h.advance(17_000);
        const now = (await reading()).energyWh;
        expect(now).toBeGreaterThanOrEqual(previous);
        previous = now;
      }
    });

    it('a silent meter rejects METER_TIMEOUT, faults once, and clears on the next good read', async () => {
      const faults = watchFaults(meter);
      await h.setPower(3600, 1);
      const before = await reading();
      await h.stopAnswering();
      const first = await read();
      const second = await read();
      expect(rejectionCode(first)).toBe('METER_TIMEOUT');
      expect(rejectionCode(second)).toBe('METER_TIMEOUT');
      expect(faults.raised).toEqual(['METER_TIMEOUT']);
      expect(faults.errors[0]!.recoverable).toBe(true);
      expect(meter.activeFaults.has('METER_TIMEOUT')).toBe(true);
      expect(meter.lastReading).toEqual(before);
      await h.answerAgain();
      const after = await reading();
      expect(faults.cleared).toEqual(['METER_TIMEOUT']);
      expect([...meter.activeFaults]).toEqual([]);
      await read();
      expect(faults.sequence).toEqual(['fault:METER_TIMEOUT', 'cleared:METER_TIMEOUT']);
      expect(after.energyWh).toBeGreaterThanOrEqual(before.energyWh);
    });

    it('the register keeps counting while the meter does not answer', async () => {
      await h.setPower(3600, 1);
      const before = await reading();
      await h.stopAnswering();
      await read();
      await h.advance(600_000);
      await h.answerAgain();
      near((await reading()).energyWh - before.energyWh, 600);
    });

    it('implausible values reject METER_INVALID, fault once and clear on the next good read', async () => {
      const faults = watchFaults(meter);
      await h.returnInvalid();
      expect(rejectionCode(await read())).toBe('METER_INVALID');
      expect(rejectionCode(await read())).toBe('METER_INVALID');
      expect(faults.raised).toEqual(['METER_INVALID']);
      await h.answerAgain();
      await reading();
      expect(faults.cleared).toEqual(['METER_INVALID']);
      expect([...meter.activeFaults]).toEqual([]);
    });

    it('after release(), read() rejects DEVICE_CLOSED; release() is idempotent', async () => {
      await meter.release();
      await meter.release();
      expect(rejectionCode(await read())).toBe('DEVICE_CLOSED');
    });
  });
}
