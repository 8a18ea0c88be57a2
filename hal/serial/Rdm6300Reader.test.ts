/**
 * Rdm6300Reader over a pty: what the contract suite does not cover (the adapter vanishing).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { watchFaults } from '../contract/observers.js';
import { createSerialRfidHarness, type SerialRdm6300Harness } from './testing/SerialRfidHarness.js';

describe('Rdm6300Reader (emitter over a pty)', () => {
  let h: SerialRdm6300Harness;
  afterEach(async () => {
    await h.reader.release();
    await h.dispose?.();
  });

  it('the adapter vanishing raises PORT_LOST; once it is back the same reader reads cards again', async () => {
    h = await createSerialRfidHarness();
    const faults = watchFaults(h.reader);
    const cards: string[] = [];
    h.reader.on('card', (c) => cards.push(c.uid));
    await h.presentCard('12AB34CD');
    await h.advance(0);
    expect(cards).toEqual(['12AB34CD']);

    await h.unplug();
    await h.advance(1000); // a receive-only port is watched: its path is gone
    expect(faults.raised).toEqual(['PORT_LOST']);
    await h.advance(2000); // a reopen attempt fails: still one fault
    expect(faults.sequence).toEqual(['fault:PORT_LOST']);

    await h.replug();
    for (let i = 0; i < 40 && h.reader.activeFaults.size > 0; i++) {
      await h.advance(500);
      await sleep(20); // the reopen is real I/O
    }
    expect(faults.sequence).toEqual(['fault:PORT_LOST', 'cleared:PORT_LOST']);
    await h.presentCard('0BADCAFE');
    await h.advance(0);
    expect(cards).toEqual(['12AB34CD', '0BADCAFE']);
  });
});
