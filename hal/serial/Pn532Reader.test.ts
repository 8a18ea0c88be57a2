import { afterEach, describe, expect, it } from 'vitest';
import { watchFaults } from '../contract/observers.js';
import { createSerialPn532Harness } from './testing/SerialPn532Harness.js';
import { until } from '../../test/support/until.js';

describe('Pn532Reader (PN532 simulator over a pty)', () => {
  let h: Awaited<ReturnType<typeof createSerialPn532Harness>>;
  afterEach(async () => {
    await h.reader.release();
    await h.dispose?.();
  });

  it('configures the chip (SAMConfiguration, RFConfiguration) and then polls InListPassiveTarget on the clock', async () => {
    h = await createSerialPn532Harness();
    await h.advance(300);
    expect(h.sim.commands.slice(0, 2)).toEqual([0x14, 0x32]);
    expect(h.sim.commands.slice(2)).toEqual([0x4a, 0x4a, 0x4a]);
    expect(h.sim.stats.badFrames).toBe(0);
    expect(h.clock.pendingTimers).toBeGreaterThan(0);
  });

  it('a chip that stops answering raises RFID_FAULT after 3 commands, re-initialises and clears when it answers', async () => {
    h = await createSerialPn532Harness();
    const faults = watchFaults(h.reader);
    h.sim.mode = 'silent';
    await h.advance(1200);
    expect(faults.raised).toEqual(['RFID_FAULT']);
    h.sim.mode = 'answer';
    const before = h.sim.commands.length;
    await h.advance(600);
    expect(faults.cleared).toEqual(['RFID_FAULT']);
    expect(h.sim.commands.slice(before)).toContain(0x14); // woken and configured again
    h.sim.holdCard('04A1B2C3');
    const cards: string[] = [];
    h.reader.on('card', (c) => cards.push(c.uid));
    await h.advance(300);
    expect(cards).toEqual(['04A1B2C3']);
  });

  it('the adapter vanishing raises PORT_LOST (no RFID_FAULT for commands nobody could answer); once back the chip is configured again and reads', async () => {
    h = await createSerialPn532Harness();
    const faults = watchFaults(h.reader);
    await h.advance(300);
    await h.unplug();
    await h.advance(1000);
    expect(faults.raised).toEqual(['PORT_LOST']);
    await h.advance(3000); // polls and reopen attempts while it is away
    expect(faults.sequence).toEqual(['fault:PORT_LOST']);

    await h.replug();
    const before = h.sim.commands.length;
    // The reopen is real I/O: virtual time goes on in steps meanwhile.
    await until('the port reopened', () => h.reader.activeFaults.size === 0, 10_000, 20, () => h.advance(500));
    expect(faults.sequence).toEqual(['fault:PORT_LOST', 'cleared:PORT_LOST']);
    await h.advance(300);
    expect(h.sim.commands.slice(before, before + 2)).toEqual([0x14, 0x32]); // woken and configured again
    const cards: string[] = [];
    h.reader.on('card', (c) => cards.push(c.uid));
    h.sim.holdCard('04A1B2C3');
    await h.advance(300);
    expect(cards).toEqual(['04A1B2C3']);
  });
});
