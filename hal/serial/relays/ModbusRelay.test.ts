import { afterEach, describe, expect, it } from 'vitest';
import { watchFaults } from '../../contract/observers.js';
import { createSerialRelayHarness } from '../testing/SerialRelayHarness.js';

describe('ModbusRelay (board sim over a pty)', () => {
  let h: Awaited<ReturnType<typeof createSerialRelayHarness>>;
  afterEach(async () => {
    await h.relay.release();
    await h.dispose?.();
  });

  it('a stuck close writes the coil on, then off again, before rejecting RELAY_STUCK', async () => {
    h = await createSerialRelayHarness();
    await h.stick();
    const outcome = h.relay.close().catch((e: { code: string }) => e.code);
    for (let i = 0; i < 12; i++) await h.advance(40);
    expect(await outcome).toBe('RELAY_STUCK');
    expect(h.board.writes).toEqual([[0, true], [0, false]]);
    expect(h.board.coilStates[0]).toBe(false);
  });

  it('feedback reporting closed while commanded open (no command running) is RELAY_WELDED', async () => {
    h = await createSerialRelayHarness();
    const faults = watchFaults(h.relay);
    const states: string[] = [];
    h.relay.on('state', (s) => states.push(s));
    h.board.contacts[0] = true; // contacts closed by themselves (welded on a previous run)
    for (let i = 0; i < 3; i++) await h.advance(40);
    expect(faults.raised).toEqual(['RELAY_WELDED']);
    expect(h.relay.state).toBe('closed');
    expect(states).toEqual(['closed']);
  });

  it('a board that stops answering raises RELAY_FEEDBACK_LOST once and clears on the next answer', async () => {
    h = await createSerialRelayHarness();
    const faults = watchFaults(h.relay);
    h.board.mode = 'silent';
    for (let i = 0; i < 6; i++) await h.advance(40);
    expect(faults.raised).toEqual(['RELAY_FEEDBACK_LOST']);
    h.board.mode = 'answer';
    for (let i = 0; i < 2; i++) await h.advance(40);
    expect(faults.cleared).toEqual(['RELAY_FEEDBACK_LOST']);
    expect(h.relay.activeFaults.size).toBe(0);
  });
});
