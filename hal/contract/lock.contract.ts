/**
 * Behaviour every {@link ConnectorLock} implementation owes the agent (hal/index.ts), as a
 * vitest suite. Run it against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorLock } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';
import { outcomeOf, rejectionCode, settleWithin, watchFaults } from './observers.js';

export interface LockHarness extends ContractHarness {
  /** The lock under test: unlocked, fault-free. The suite closes it. */
  readonly lock: ConnectorLock;
  /** Longest a command may take to be confirmed or fail, ms of device time (default 1000). */
  readonly commandTimeoutMs?: number;
  /** Device side: the lock is blocked and no longer moves. */
  jam(): Control;
  /** Device side: the obstruction is gone. */
  unjam(): Control;
}

export function lockContract(name: string, makeHarness: () => LockHarness | Promise<LockHarness>): void {
  describe(`ConnectorLock contract: ${name}`, () => {
    let h: LockHarness;
    let lock: ConnectorLock;
    let states: boolean[];

    beforeEach(async () => {
      h = await makeHarness();
      lock = h.lock;
      states = [];
      lock.on('state', (locked) => states.push(locked));
    });

    afterEach(async () => {
      await lock.release();
      await h.dispose?.();
    });

    async function command(promise: Promise<void>) {
      const outcome = outcomeOf(promise);
      await settleWithin(h, outcome, h.commandTimeoutMs ?? 1000);
      return outcome;
    }

    it('starts unlocked and fault-free', () => {
      expect(lock.locked).toBe(false);
      expect([...lock.activeFaults]).toEqual([]);
    });

    it('lock() and unlock() resolve once confirmed, each with one state event', async () => {
      expect(rejectionCode(await command(lock.lock()))).toBe('resolved');
      expect(lock.locked).toBe(true);
      expect(rejectionCode(await command(lock.lock()))).toBe('resolved');
      expect(rejectionCode(await command(lock.unlock()))).toBe('resolved');
      expect(lock.locked).toBe(false);
      expect(states).toEqual([true, false]);
    });

    it('a jammed lock rejects LOCK_FAILURE, stays put and faults once', async () => {
      const faults = watchFaults(lock);
      await h.jam();
      expect(rejectionCode(await command(lock.lock()))).toBe('LOCK_FAILURE');
      expect(rejectionCode(await command(lock.lock()))).toBe('LOCK_FAILURE');
      expect(lock.locked).toBe(false);
      expect(states).toEqual([]);
      expect(faults.raised).toEqual(['LOCK_FAILURE']);
      expect(faults.errors[0]!.recoverable).toBe(true);
    });

    it('once unjammed, the next command succeeds and the fault clears', async () => {
      const faults = watchFaults(lock);
      await h.jam();
      await command(lock.lock());
      await h.unjam();
      expect(rejectionCode(await command(lock.lock()))).toBe('resolved');
      expect(lock.locked).toBe(true);
      expect(faults.cleared).toEqual(['LOCK_FAILURE']);
      expect([...lock.activeFaults]).toEqual([]);
    });

    it('after release(), commands reject DEVICE_CLOSED; release() is idempotent', async () => {
      await lock.release();
      await lock.release();
      expect(rejectionCode(await command(lock.lock()))).toBe('DEVICE_CLOSED');
      expect(rejectionCode(await command(lock.unlock()))).toBe('DEVICE_CLOSED');
    });
  });
}
