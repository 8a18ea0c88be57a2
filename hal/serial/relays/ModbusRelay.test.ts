import { afterEach, describe, expect, it } from 'vitest';
import { watchFaults } from '../../contract/observers.js';
import { createSerialRelayHarness } from '../testing/SerialRelayHarness.js';
import { until } from '../../../test/support/until.js';

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
    expect(h.board.writes).toEqual([[0, false], [0, true], [0, false]]); // the first: start-up
    expect(h.board.coilStates[0]).toBe(false);
  });

  it('at start the coil is written off and confirmed, whatever state the board kept', async () => {
    h = await createSerialRelayHarness();
    for (let i = 0; i < 3; i++) await h.advance(40);
    expect(h.board.writes).toEqual([[0, false]]);
    expect(h.relay.activeFaults.size).toBe(0);
  });

  it('a coil driven on by someone else: UNCOMMANDED_POWER, written off at once, cleared once the feedback reads open', async () => {
    h = await createSerialRelayHarness();
    for (let i = 0; i < 3; i++) await h.advance(40);
    const faults = watchFaults(h.relay);
    const states: string[] = [];
    h.relay.on('state', (s) => states.push(s));
    h.board.energize(0);
    for (let i = 0; i < 6; i++) await h.advance(40);
    expect(h.board.writes).toEqual([[0, false], [0, false]]);
    expect(h.board.contacts[0]).toBe(false);
    expect(states).toEqual(['closed', 'open']);
    expect(faults.sequence).toEqual(['fault:UNCOMMANDED_POWER', 'cleared:UNCOMMANDED_POWER']);
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

  it('an open() that failed while the port was away is written once it is back: the contactor opens, no false weld', async () => {
    h = await createSerialRelayHarness({ reopenIntervalMs: 500 });
    const { rig, board } = h;
    const faults = watchFaults(h.relay);
    const closing = h.relay.close();
    for (let i = 0; i < 3; i++) await h.advance(40);
    await closing;
    await rig.slave.close();
    await rig.pair.unplug();
    // The port's close is real I/O: virtual time goes on in steps meanwhile.
    await until('the bus lost', () => rig.bus.state === 'lost', 10_000, 10, () => h.advance(40));
    expect(faults.raised).toContain('PORT_LOST');
    await expect(h.relay.open()).rejects.toMatchObject({ code: 'PORT_LOST' });
    expect(board.contacts[0]).toBe(true); // the board never heard it

    await rig.pair.replug();
    await rig.slave.open();
    // The reopen is real I/O: virtual time goes on in steps meanwhile.
    await until('PORT_LOST cleared', () => !h.relay.activeFaults.has('PORT_LOST'), 10_000, 10, () => h.advance(100));
    expect(board.writes.at(-1)).toEqual([0, false]);
    expect(board.contacts[0]).toBe(false);
    expect(h.relay.state).toBe('open');
    expect(faults.raised).toEqual(['PORT_LOST']); // no RELAY_FEEDBACK_LOST for polls that could not be sent, no false weld
    expect(h.relay.activeFaults.size).toBe(0);
  });
});
