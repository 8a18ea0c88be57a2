/**
 * Behaviour every {@link Relay} implementation owes the agent (hal/index.ts), as a vitest suite.
 * Run it against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Relay, RelayState } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';
import { outcomeOf, rejectionCode, settleWithin, watchFaults } from './observers.js';

export interface RelayHarness extends ContractHarness {
  /** The relay under test: open, fault-free, not released. The suite releases it. */
  readonly relay: Relay;
  /** Device side: the contacts weld; a closed relay no longer opens. Called while closed. */
  weld(): Control;
  /** Device side: the contacts no longer close (the feedback never confirms closed). */
  stick(): Control;
  /** Device side: the mechanical defect is fixed. */
  repair(): Control;
  /**
   * Device side: the contactor closes although the relay is commanded open (a shorted coil
   * driver, a second master on the bus, a controller switching on by itself). Called while open.
   */
  closeByItself(): Control;
}

export function relayContract(name: string, makeHarness: () => RelayHarness | Promise<RelayHarness>): void {
  describe(`Relay contract: ${name}`, () => {
    let h: RelayHarness;
    let relay: Relay;
    let states: RelayState[];

    beforeEach(async () => {
      h = await makeHarness();
      relay = h.relay;
      states = [];
      relay.on('state', (s) => states.push(s));
    });

    afterEach(async () => {
      await relay.release();
      await h.dispose?.();
    });

    /** Runs a command to completion: advances up to twice the deadline. */
    async function run(command: Promise<void>) {
      const outcome = outcomeOf(command);
      await settleWithin(h, outcome, 2 * relay.deadlineMs);
      return outcome;
    }

    it('starts open, fault-free, with a positive deadline', () => {
      expect(relay.state).toBe('open');
      expect([...relay.activeFaults]).toEqual([]);
      expect(relay.deadlineMs).toBeGreaterThan(0);
    });

    it('close() resolves once closed is confirmed, after the state event', async () => {
      const seenAtResolve: { state: RelayState; events: RelayState[] }[] = [];
      const outcome = await run(relay.close().then(() => void seenAtResolve.push({ state: relay.state, events: [...states] })));
      expect(outcome.resolved).toBe(true);
      expect(seenAtResolve).toEqual([{ state: 'closed', events: ['closed'] }]);
    });

    it('open() resolves once open is confirmed, after the state event', async () => {
      await run(relay.close());
      const outcome = await run(relay.open());
      expect(outcome.resolved).toBe(true);
      expect(relay.state).toBe('open');
      expect(states).toEqual(['closed', 'open']);
    });

    it('repeating the current state resolves without another state event', async () => {
      expect((await run(relay.open())).resolved).toBe(true);
      await run(relay.close());
      expect((await run(relay.close())).resolved).toBe(true);
      expect(states).toEqual(['closed']);
    });

    it('a contactor that does not close rejects RELAY_STUCK at its deadline, stays open and faults once', async () => {
      const faults = watchFaults(relay);
      await h.stick();
      const outcome = outcomeOf(relay.close());
      await h.advance(0);
      await h.advance(Math.floor(relay.deadlineMs / 2));
      expect(outcome.settled).toBe(false); // not before the deadline
      await settleWithin(h, outcome, 2 * relay.deadlineMs);
      expect(rejectionCode(outcome)).toBe('RELAY_STUCK');
      expect(relay.state).toBe('open');
      expect(states).toEqual([]);
      expect(faults.raised).toEqual(['RELAY_STUCK']);
      expect(faults.errors[0]!.recoverable).toBe(true);
      expect(relay.activeFaults.has('RELAY_STUCK')).toBe(true);
    });

    it('while faulted, close() is refused without a second fault event and open() is allowed', async () => {
      const faults = watchFaults(relay);
      await h.stick();
      await run(relay.close());
      const refused = await run(relay.close());
      const opened = await run(relay.open());
      expect(rejectionCode(refused)).toBe('RELAY_STUCK');
      expect(opened.resolved).toBe(true);
      expect(relay.state).toBe('open');
      expect(faults.raised).toEqual(['RELAY_STUCK']);
    });

    it('a stuck contactor that is repaired clears RELAY_STUCK and closes again', async () => {
      const faults = watchFaults(relay);
      await h.stick();
      await run(relay.close());
      await h.repair();
      await h.advance(relay.deadlineMs);
      expect(faults.cleared).toEqual(['RELAY_STUCK']);
      expect([...relay.activeFaults]).toEqual([]);
      expect((await run(relay.close())).resolved).toBe(true);
      expect(relay.state).toBe('closed');
    });

    it('a welded contactor rejects open() with RELAY_WELDED, stays closed and faults once (not recoverable)', async () => {
      await run(relay.close());
      const faults = watchFaults(relay);
      await h.weld();
      const first = await run(relay.open());
      const second = await run(relay.open());
      expect(rejectionCode(first)).toBe('RELAY_WELDED');
      expect(rejectionCode(second)).toBe('RELAY_WELDED');
      expect(relay.state).toBe('closed');
      expect(faults.raised).toEqual(['RELAY_WELDED']);
      expect(faults.errors[0]!.recoverable).toBe(false);
    });

    it('a welded contactor refuses close() and never reports faultCleared, even after repair', async () => {
      await run(relay.close());
      const faults = watchFaults(relay);
      await h.weld();
      await run(relay.open());
      expect(rejectionCode(await run(relay.close()))).toBe('RELAY_WELDED');
      await h.repair();
      await h.advance(relay.deadlineMs);
      expect(faults.cleared).toEqual([]);
      expect(relay.activeFaults.has('RELAY_WELDED')).toBe(true);
      expect(rejectionCode(await run(relay.close()))).toBe('RELAY_WELDED');
    });

    it('a contactor that closes without a command is opened again at once and reported UNCOMMANDED_POWER until open', async () => {
      const faults = watchFaults(relay);
      await run(relay.open());
      await h.closeByItself();
      await settleWithin(h, outcomeOf(new Promise<void>(() => undefined)), 2 * relay.deadlineMs);
      expect(states).toEqual(['closed', 'open']);
      expect(relay.state).toBe('open');
      expect(faults.sequence).toEqual(['fault:UNCOMMANDED_POWER', 'cleared:UNCOMMANDED_POWER']);
      expect(faults.errors[0]!.ocppErrorCode).toBe('PowerSwitchFailure');
      // Nothing is latched: the next session may close it.
      expect((await run(relay.close())).resolved).toBe(true);
    });

    it('a contactor that closes by itself and will not open again is RELAY_WELDED', async () => {
      const faults = watchFaults(relay);
      await run(relay.open());
      await h.weld();
      await h.closeByItself();
      await settleWithin(h, outcomeOf(new Promise<void>(() => undefined)), 3 * relay.deadlineMs);
      expect(relay.state).toBe('closed');
      expect(faults.raised).toEqual(['UNCOMMANDED_POWER', 'RELAY_WELDED']);
      expect(rejectionCode(await run(relay.close()))).not.toBe('resolved');
    });

    it('after release(), commands reject DEVICE_CLOSED; release() is idempotent', async () => {
      await relay.release();
      await relay.release();
      expect(rejectionCode(await run(relay.close()))).toBe('DEVICE_CLOSED');
      expect(rejectionCode(await run(relay.open()))).toBe('DEVICE_CLOSED');
    });

    it('a command pending at release() settles with a rejection instead of hanging', async () => {
      await h.stick();
      const pending = outcomeOf(relay.close());
      await h.advance(0);
      await relay.release();
      await h.advance(0);
      expect(pending.settled).toBe(true);
      expect(pending.resolved).toBe(false);
    });
  });
}
