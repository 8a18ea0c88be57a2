/**
 * ContactorCommands on its own, with a scripted device (what SimRelay, ModbusRelay and
 * RapiContactor put behind it); the relay contract suite tests the three through it.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from './clock.js';
import { ContactorCommands } from './ContactorCommands.js';
import { FaultLatch } from './FaultLatch.js';
import type { RelayState } from './index.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A command's promise, watched: whether it has ended, and how. */
function outcomeOf(promise: Promise<void>) {
  const outcome = { settled: false, resolved: false, code: undefined as string | undefined };
  promise.then(
    () => Object.assign(outcome, { settled: true, resolved: true }),
    (error: { code?: string }) => Object.assign(outcome, { settled: true, code: error.code }),
  );
  return outcome;
}

function rig(device: { send?: (target: RelayState) => Promise<void> | void; withdraw?: () => Promise<unknown> | void; readBack?: boolean } = {}) {
  const clock = new SimulatedClock();
  const faults = new FaultLatch('relay:1', () => undefined, () => undefined);
  const sent: RelayState[] = [];
  let withdrawn = 0;
  const commands = new ContactorCommands({
    id: 'relay:1',
    clock,
    faults,
    deadlineMs: 100,
    send: (target) => {
      sent.push(target);
      return device.send?.(target);
    },
    withdraw: () => {
      withdrawn++;
      return device.withdraw?.();
    },
    openCommand: 'open',
    readBack: device.readBack,
  });
  return { clock, faults, commands, sent, withdrawn: () => withdrawn };
}

describe('ContactorCommands', () => {
  it('runs one command at a time, in order; the next starts (and arms its deadline) the moment the previous is confirmed', async () => {
    const { clock, commands, sent } = rig();
    const closing = outcomeOf(commands.run('closed', () => true));
    const opening = outcomeOf(commands.run('open', () => true));
    expect(sent).toEqual(['closed']); // started at once; the open waits
    expect(commands.pendingTarget).toBe('closed');
    commands.confirm('closed');
    expect(sent).toEqual(['closed', 'open']);
    clock.advance(100); // the open's deadline, armed when the close ended
    await flush();
    expect(closing.resolved).toBe(true);
    expect(opening.code).toBe('RELAY_WELDED');
  });

  it('does nothing when not needed at its turn, and refuses to close while a fault is active', async () => {
    const { faults, commands, sent } = rig();
    await commands.run('open', () => false);
    faults.raise('METER_TIMEOUT');
    await expect(commands.run('closed', () => true)).rejects.toMatchObject({ code: 'METER_TIMEOUT', message: expect.stringContaining('close refused while faulted') });
    expect(sent).toEqual([]);
  });

  it('a close not confirmed in time is RELAY_STUCK: withdrawn first, rejected once the withdrawal is done', async () => {
    let withdrawDone!: () => void;
    const { clock, commands, withdrawn } = rig({ send: () => Promise.resolve(), withdraw: () => new Promise<void>((resolve) => (withdrawDone = resolve)) });
    const closing = outcomeOf(commands.run('closed', () => true));
    await flush();
    clock.advance(100);
    expect(withdrawn()).toBe(1);
    await flush();
    expect(closing.settled).toBe(false);
    withdrawDone();
    await flush();
    expect(closing.code).toBe('RELAY_STUCK');
  });

  it('ends only when confirmed and its send has returned', async () => {
    let sendDone!: () => void;
    const { commands } = rig({ send: () => new Promise<void>((resolve) => (sendDone = resolve)) });
    const closing = outcomeOf(commands.run('closed', () => true));
    commands.confirm('closed');
    await flush();
    expect(closing.settled).toBe(false);
    sendDone();
    await flush();
    expect(closing.resolved).toBe(true);
  });

  it('a failing send ends the command with its error, without waiting for the deadline', async () => {
    const { commands } = rig({ send: () => Promise.reject(new Error('line noise')) });
    await expect(commands.run('closed', () => true)).rejects.toMatchObject({ code: 'FRAME_ERROR', message: expect.stringContaining('line noise') });
  });

  it('with a device that confirms synchronously, the command completes synchronously', async () => {
    const holder: { commands?: ContactorCommands } = {};
    const { commands } = rig({ send: (target) => holder.commands!.confirm(target) });
    holder.commands = commands;
    const closing = outcomeOf(commands.run('closed', () => true));
    expect(commands.underWay).toBe(false);
    expect(commands.pendingTarget).toBeUndefined();
    await flush();
    expect(closing.resolved).toBe(true);
  });

  it('release() rejects the command in flight and every later one with DEVICE_CLOSED', async () => {
    const { commands } = rig();
    const closing = outcomeOf(commands.run('closed', () => true));
    const opening = outcomeOf(commands.run('open', () => true));
    commands.release();
    await flush();
    expect(closing.code).toBe('DEVICE_CLOSED');
    expect(opening.code).toBe('DEVICE_CLOSED');
    await expect(commands.run('open', () => true)).rejects.toMatchObject({ code: 'DEVICE_CLOSED' });
  });

  describe('read back by the driver (a relay board polled over a bus)', () => {
    it('a reading that is late does not make a weld: the verdict waits for a reading taken after the deadline', async () => {
      const { clock, commands, faults } = rig({ readBack: true, send: () => Promise.resolve() });
      const opening = outcomeOf(commands.run('open', () => true));
      await flush(); // the board took the command: the deadline runs from here
      const before = commands.mark; // a poll started before the deadline…
      clock.advance(100);
      await flush();
      expect(commands.overdue).toBe(true);
      commands.reading('closed', before); // …answers late, showing the contacts still moving: no verdict
      await flush();
      expect(opening.settled).toBe(false);
      commands.reading('open', commands.mark); // the next poll finds them open
      await flush();
      expect(opening.resolved).toBe(true);
      expect([...faults.active]).toEqual([]);
    });

    it('a reading taken after the deadline that still shows closed is a weld', async () => {
      const { clock, commands } = rig({ readBack: true, send: () => Promise.resolve() });
      const opening = outcomeOf(commands.run('open', () => true));
      await flush();
      clock.advance(100);
      commands.reading('closed', commands.mark);
      await flush();
      expect(opening.code).toBe('RELAY_WELDED');
    });

    it('the deadline runs from the moment the device took the command, not from a slow send', async () => {
      let took!: () => void;
      const { clock, commands } = rig({ readBack: true, send: () => new Promise<void>((resolve) => (took = resolve)) });
      const closing = outcomeOf(commands.run('closed', () => true));
      clock.advance(250); // the write is still on a busy bus
      await flush();
      expect(commands.overdue).toBe(false);
      took();
      await flush();
      clock.advance(99);
      expect(commands.overdue).toBe(false);
      clock.advance(1);
      expect(commands.overdue).toBe(true);
      commands.reading('open', commands.mark);
      await flush();
      expect(closing.code).toBe('RELAY_STUCK');
    });

    it('the driver ends an overdue command that can get no reading with its reason', async () => {
      const { clock, commands, faults } = rig({ readBack: true, send: () => Promise.resolve() });
      const opening = outcomeOf(commands.run('open', () => true));
      await flush();
      clock.advance(100);
      commands.finish(faults.raise('RELAY_FEEDBACK_LOST', '3 polls unanswered'));
      await flush();
      expect(opening.code).toBe('RELAY_FEEDBACK_LOST');
      expect(commands.overdue).toBe(false);
    });
  });
});
