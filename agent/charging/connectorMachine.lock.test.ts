/**
 * The connector machine on a socket with a cable lock: which lock commands each event causes (in
 * order with the other commands), that the PWM offer comes with the lock command and the contactor
 * waits for the lock's confirmation. A real actor on a SimulatedClock; the lock's confirmations are LOCK_STATE events.
 */
import { describe, expect, it } from 'vitest';
import { HAL_ERRORS, type PilotState } from '../../hal/index.js';
import { errorCodeOf, statusOf, stopsTransaction } from './connectorSelectors.js';
import { connectorHarness } from './testing/connectorHarness.js';
import type { ConnectorCommand, ConnectorEvent, ConnectorInput } from './connectorTypes.js';

/** A socket with a cable lock. */
const connector = (input: Partial<ConnectorInput> = {}) => connectorHarness({ unlockConnectorOnEVSideDisconnect: true, lock: true, ...input });

const pilot = (state: PilotState): ConnectorEvent => ({ type: 'PILOT', state });
const card = (idTag = 'CARD'): ConnectorEvent => ({ type: 'AUTHORIZED', idTag });
const lockState = (locked: boolean): ConnectorEvent => ({ type: 'LOCK_STATE', locked });
const LOCK = { type: 'lockConnector' } as const;
const UNLOCK = { type: 'unlockConnector' } as const;
const types = (commands: ConnectorCommand[]) => commands.map((c) => c.type);

/** Plugged in, authorized, lock confirmed, EV charging. */
function charging(input: Partial<ConnectorInput> = {}) {
  const c = connector(input);
  c.send(pilot('B'), card(), lockState(true), pilot('C'));
  expect(statusOf(c.snapshot)).toBe('Charging');
  return c;
}

describe('connector machine: cable lock', () => {
  it('locks at the session start, offers with the lock command and closes the contactor only once the lock confirms', () => {
    const c = connector();
    c.send(pilot('B'));
    // The EV answers the offer while the lock moves: locking adds nothing to the time to power.
    expect(c.send(card())).toEqual([{ type: 'startTransaction', idTag: 'CARD' }, LOCK, { type: 'offerCurrent', amps: 32 }]);
    // The EV asks for power before the lock confirmed: the contactor stays open.
    expect(c.send(pilot('C'))).toEqual([]);
    expect(statusOf(c.snapshot)).toBe('SuspendedEV');
    expect(c.send(lockState(true))).toEqual([{ type: 'closeContactor' }]);
    expect(statusOf(c.snapshot)).toBe('Charging');
  });

  it('a lock failure is a recoverable fault: contactor opens, transaction kept; charging again once locked', () => {
    const c = connector();
    c.send(pilot('B'), card());
    const { recoverable, ocpp } = HAL_ERRORS.LOCK_FAILURE;
    // The offer that came with the lock command is withdrawn.
    expect(c.send({ type: 'FAULT', fault: { code: 'LOCK_FAILURE', ocppErrorCode: ocpp, recoverable, info: 'did not lock' } })).toEqual([{ type: 'offerCurrent', amps: 0 }]);
    expect(statusOf(c.snapshot)).toBe('Faulted');
    expect(errorCodeOf(c.snapshot)).toBe('ConnectorLockFailure');
    expect(c.send(pilot('C'))).toEqual([]);
    // The fault cleared (a retry is under way): offered again, but no contactor before the lock confirms.
    expect(c.send({ type: 'FAULT_CLEARED', code: 'LOCK_FAILURE' })).toEqual([{ type: 'offerCurrent', amps: 32 }]);
    expect(c.send(lockState(true))).toEqual([{ type: 'closeContactor' }]);
  });

  it('unlocks after the stop, after the contactor command, once', () => {
    const c = charging();
    expect(types(c.send(card()))).toEqual(['openContactor', 'offerCurrent', 'stopTransaction', 'unlockConnector']);
    expect(c.send(lockState(false), pilot('A'))).toEqual([]);
  });

  it('a lock released by someone else during the session (e.g. by hand) stops power and is locked again', () => {
    const c = charging();
    expect(types(c.send(lockState(false)))).toEqual(['lockConnector', 'openContactor']);
    expect(statusOf(c.snapshot)).toBe('SuspendedEV');
  });

  it('a release after the stop (UnlockConnector) is not undone', () => {
    const c = charging();
    expect(types(c.send({ type: 'STOP', reason: 'UnlockCommand' }))).toContain(UNLOCK.type);
    expect(c.send(lockState(false), pilot('A'), pilot('B'))).toEqual([]);
  });

  it('UnlockConnectorOnEVSideDisconnect true, transaction kept: unplug releases, replug locks before power', () => {
    const c = charging({ stopTransactionOnEVSideDisconnect: false });
    // The offer goes too: nothing to offer it to, and no power before the lock confirms again.
    expect(types(c.send(pilot('A')))).toEqual(['openContactor', UNLOCK.type, 'offerCurrent']);
    c.send(lockState(false));
    expect(c.send(pilot('B'))).toEqual([LOCK]);
    expect(c.send(lockState(true), pilot('C'))).toEqual([{ type: 'offerCurrent', amps: 32 }, { type: 'closeContactor' }]);
  });

  it('UnlockConnectorOnEVSideDisconnect false, transaction kept: unplug keeps the lock; the stop releases it', () => {
    const c = charging({ stopTransactionOnEVSideDisconnect: false, unlockConnectorOnEVSideDisconnect: false });
    expect(types(c.send(pilot('A')))).toEqual(['openContactor']);
    expect(types(c.send({ type: 'STOP', reason: 'Remote' }))).toEqual(['offerCurrent', 'stopTransaction', 'unlockConnector']);
  });

  it('UnlockConnectorOnEVSideDisconnect false, stopped on unplug: held for the session card, which starts nothing', () => {
    const c = charging({ unlockConnectorOnEVSideDisconnect: false });
    expect(types(c.send(pilot('A')))).toEqual(['openContactor', 'offerCurrent', 'stopTransaction']);
    expect(statusOf(c.snapshot)).toBe('Available');
    expect(stopsTransaction(c.snapshot, { idTag: 'CARD' })).toBe(true);
    expect(c.send(card())).toEqual([UNLOCK]);
    expect(statusOf(c.snapshot)).toBe('Available');
    expect(stopsTransaction(c.snapshot, { idTag: 'CARD' })).toBe(false);
  });

  it('held after the session, an UnlockConnector release ends the hold', () => {
    const c = charging({ unlockConnectorOnEVSideDisconnect: false });
    c.send(pilot('A'));
    expect(stopsTransaction(c.snapshot, { idTag: 'CARD' })).toBe(true);
    expect(c.send(lockState(false))).toEqual([]);
    expect(stopsTransaction(c.snapshot, { idTag: 'CARD' })).toBe(false);
    expect(c.send(card())).not.toContainEqual(UNLOCK);
  });

  it('the key changed at run time (CONFIGURE) applies to the session running', () => {
    const c = charging({ stopTransactionOnEVSideDisconnect: false, unlockConnectorOnEVSideDisconnect: false });
    c.send(pilot('A'));
    expect(c.send({ type: 'CONFIGURE', settings: { unlockConnectorOnEVSideDisconnect: true } })).toEqual([UNLOCK]);
  });

  it('a lock found engaged at start with no session is released; no lock means no lock commands', () => {
    expect(connector({ locked: true }).startup).toEqual([UNLOCK]);
    const tethered = connector({ lock: false });
    tethered.send(pilot('B'));
    expect(tethered.send(card())).toEqual([{ type: 'startTransaction', idTag: 'CARD' }, { type: 'offerCurrent', amps: 32 }]);
    expect(tethered.send(pilot('A')).map((x) => x.type)).not.toContain(UNLOCK.type);
  });
});
