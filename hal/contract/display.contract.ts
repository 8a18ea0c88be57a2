/**
 * Behaviour every {@link Display} implementation owes the agent (hal/index.ts), as a vitest suite.
 * Run it against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Display, DisplayContent } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';
import { outcomeOf, rejectionCode, settleWithin, watchFaults, type FaultLog } from './observers.js';

export interface DisplayHarness extends ContractHarness {
  /** The display under test: fault-free, nothing shown yet, not released. The suite releases it. */
  readonly display: Display;
  /** How long a show() may take to settle, ms of device time (answer or timeout). */
  readonly settleMs: number;
  /** Device side: the display stops answering (a show() after this fails). */
  fail(): Control;
  /** Device side: it answers again. */
  restore(): Control;
}

export function displayContract(name: string, makeHarness: () => DisplayHarness | Promise<DisplayHarness>): void {
  describe(`Display contract: ${name}`, () => {
    let h: DisplayHarness;
    let display: Display;
    let faults: FaultLog;
    let shown: DisplayContent[];

    beforeEach(async () => {
      h = await makeHarness();
      display = h.display;
      faults = watchFaults(display);
      shown = [];
      display.on('shown', (c) => shown.push(c));
    });
    afterEach(async () => {
      await display.release();
      await h.dispose?.();
    });

    const fill = (text: string): DisplayContent => ({ lines: Array.from({ length: display.height }, (_, i) => `${text}${i}`.padEnd(display.width, '.').slice(0, display.width)), tone: 'info' });
    async function run(p: Promise<void>) {
      const outcome = outcomeOf(p);
      await settleWithin(h, outcome, h.settleMs);
      return outcome;
    }

    it('has a size of at least 16x1, nothing asked for yet and no faults', () => {
      expect(display.width).toBeGreaterThanOrEqual(16);
      expect(display.height).toBeGreaterThanOrEqual(1);
      expect(display.content).toBeUndefined();
      expect([...display.activeFaults]).toEqual([]);
    });

    it('show() of a full screen resolves after the shown event with that content', async () => {
      const content = fill('A');
      let seenAtResolve = -1;
      const outcome = await run(display.show(content).then(() => void (seenAtResolve = shown.length)));
      expect(outcome.resolved).toBe(true);
      expect(seenAtResolve).toBe(1);
      expect(shown).toEqual([content]);
      expect(display.content).toEqual(content);
    });

    it('refuses content that does not fit (a line too long, a line too many) with INVALID_ARGUMENT; nothing changes', async () => {
      await run(display.show(fill('B')));
      const tooWide = { lines: ['x'.repeat(display.width + 1)], tone: 'info' } as const;
      const tooHigh = { lines: Array.from({ length: display.height + 1 }, () => 'x'), tone: 'info' } as const;
      for (const bad of [tooWide, tooHigh]) expect(rejectionCode(await run(display.show(bad)))).toBe('INVALID_ARGUMENT');
      expect(shown).toHaveLength(1);
      expect(display.content).toEqual(fill('B'));
      expect(faults.raised).toEqual([]);
    });

    it('a display that stops answering: show() rejects and a fault is reported once; once it answers the last content is shown by itself, then the fault clears', async () => {
      await run(display.show(fill('C')));
      await h.fail();
      const first = await run(display.show(fill('D')));
      expect(first.resolved).toBe(false);
      await run(display.show(fill('E')).catch(() => undefined));
      expect(faults.raised).toHaveLength(1);
      expect(display.content).toEqual(fill('E'));
      await h.restore();
      for (let t = 0; t < 20 && display.activeFaults.size > 0; t++) await h.advance(h.settleMs / 2);
      expect(faults.cleared).toEqual(faults.raised);
      expect(shown.at(-1)).toEqual(fill('E'));
      // Shown before the fault cleared.
      expect(display.activeFaults.size).toBe(0);
    });

    it('after release() show() rejects DEVICE_CLOSED', async () => {
      await display.release();
      expect(rejectionCode(await run(display.show(fill('F'))))).toBe('DEVICE_CLOSED');
    });
  });
}
