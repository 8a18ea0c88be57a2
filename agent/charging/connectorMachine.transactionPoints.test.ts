/**
 * The connector machine under TransactionPoints (where a transaction begins and ends beyond the
 * default, set by a version face): the commands it emits, and the contactor's invariant (no energy
 * without an authorization) kept throughout. The default is connectorMachine.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { chargingStateOf } from './connectorSelectors.js';
import type { TransactionPoints } from './connectorTypes.js';
import { connectorHarness } from './testing/connectorHarness.js';

const NONE: TransactionPoints = { beginAtPlugIn: false, beginAtAuthorization: false, endAtEnergyTransferEnd: false, outlastAuthorization: false };
const harness = (points: Partial<TransactionPoints>) => connectorHarness({ transactionPoints: { ...NONE, ...points } });
const types = (commands: { type: string }[]) => commands.map((c) => c.type);

describe('TransactionPoints', () => {
  it('beginAtPlugIn: the plug-in begins a transaction without an idTag and offers nothing; the card authorizes it and energy flows', () => {
    const c = harness({ beginAtPlugIn: true });
    expect(c.send({ type: 'PILOT', state: 'B' })).toEqual([{ type: 'startTransaction', cablePluggedLast: true, incomplete: true }]);
    expect(chargingStateOf(c.snapshot)).toBe('EVConnected');
    expect(c.send({ type: 'PILOT', state: 'C' })).toEqual([]); // the EV asks; no authorization, no contactor
    const authorized = c.send({ type: 'AUTHORIZED', idTag: 'CARD' });
    expect(authorized).toEqual([{ type: 'transactionAuthorized', idTag: 'CARD' }, { type: 'offerCurrent', amps: 32 }, { type: 'closeContactor' }]);
    expect(c.status).toBe('Charging');
    // From now on it is the card's session: the card stops it.
    expect(types(c.send({ type: 'AUTHORIZED', idTag: 'CARD' }))).toContain('stopTransaction');
  });

  it('BEGIN_IF_PLUGGED_IN: a cable waiting for a card begins the transaction once the plug-in is a start point; nothing without a cable, without the point, or after a transaction (Finishing)', () => {
    const plain = connectorHarness();
    plain.send({ type: 'PILOT', state: 'B' });
    expect(plain.send({ type: 'BEGIN_IF_PLUGGED_IN' })).toEqual([]); // the default (and 1.6): no plug-in start point
    expect(plain.status).toBe('Preparing');
    expect(plain.send({ type: 'CONFIGURE', settings: { transactionPoints: { ...NONE, beginAtPlugIn: true } } })).toEqual([]); // not by itself
    expect(plain.send({ type: 'BEGIN_IF_PLUGGED_IN' })).toEqual([{ type: 'startTransaction', cablePluggedLast: true, incomplete: true }]);
    expect(chargingStateOf(plain.snapshot)).toBe('EVConnected');
    expect(plain.send({ type: 'BEGIN_IF_PLUGGED_IN' })).toEqual([]); // one transaction
    const empty = harness({ beginAtPlugIn: true });
    expect(empty.send({ type: 'BEGIN_IF_PLUGGED_IN' })).toEqual([]);
    expect(empty.status).toBe('Available');
    const finishing = harness({ beginAtPlugIn: true });
    finishing.send({ type: 'PILOT', state: 'B' }, { type: 'STOP', reason: 'Remote' });
    expect(finishing.status).toBe('Finishing');
    expect(finishing.send({ type: 'BEGIN_IF_PLUGGED_IN' })).toEqual([]);
  });

  it('beginAtPlugIn: ConnectionTimeOut (the controller timer) without an authorization ends it (ConnectionTimeout); with one it changes nothing', () => {
    const c = harness({ beginAtPlugIn: true });
    c.send({ type: 'PILOT', state: 'B' });
    expect(c.send({ type: 'CONNECTION_TIMEOUT' })).toEqual([{ type: 'stopTransaction', reason: 'ConnectionTimeout' }]);
    expect(c.status).toBe('Finishing');
    const d = harness({ beginAtPlugIn: true });
    d.send({ type: 'PILOT', state: 'B' }, { type: 'AUTHORIZED', idTag: 'CARD' });
    expect(d.send({ type: 'CONNECTION_TIMEOUT' })).toEqual([]);
  });

  it('beginAtAuthorization: the card begins it before the cable (Idle), the plug-in completes it, no timeout after that', () => {
    const c = harness({ beginAtAuthorization: true });
    expect(c.send({ type: 'AUTHORIZED', idTag: 'CARD' }).find((cmd) => cmd.type === 'startTransaction')).toEqual({ type: 'startTransaction', idTag: 'CARD', incomplete: true });
    expect(chargingStateOf(c.snapshot)).toBe('Idle');
    c.send({ type: 'PILOT', state: 'B' }, { type: 'PILOT', state: 'C' });
    expect(c.status).toBe('Charging');
    expect(c.send({ type: 'CONNECTION_TIMEOUT' })).toEqual([]);
  });

  it('beginAtAuthorization: no cable within ConnectionTimeOut ends it', () => {
    const c = harness({ beginAtAuthorization: true });
    c.send({ type: 'AUTHORIZED', idTag: 'CARD' });
    expect(types(c.send({ type: 'CONNECTION_TIMEOUT' }))).toContain('stopTransaction');
    expect(c.snapshot.context.transaction).toBeUndefined();
    expect(c.status).toBe('Available');
  });

  it('endAtEnergyTransferEnd: the EV stopping to draw ends it; an EV that has not drawn yet does not', () => {
    const c = harness({ endAtEnergyTransferEnd: true });
    c.send({ type: 'PILOT', state: 'B' }, { type: 'AUTHORIZED', idTag: 'CARD' });
    expect(c.send({ type: 'PILOT', state: 'B' })).toEqual([]);
    c.send({ type: 'PILOT', state: 'C' });
    expect(c.status).toBe('Charging');
    expect(c.send({ type: 'PILOT', state: 'B' })).toEqual([{ type: 'openContactor' }, { type: 'offerCurrent', amps: 0 }, { type: 'stopTransaction', reason: 'EnergyTransferEnded' }]);
  });

  it('outlastAuthorization: the session card ends the authorization only (energy stops, EVConnected); the unplug ends the transaction', () => {
    const c = harness({ outlastAuthorization: true });
    c.send({ type: 'PILOT', state: 'B' }, { type: 'AUTHORIZED', idTag: 'CARD' }, { type: 'PILOT', state: 'C' });
    const ended = c.send({ type: 'AUTHORIZED', idTag: 'CARD' });
    expect(types(ended)).toEqual(['authorizationEnded', 'offerCurrent', 'openContactor']);
    expect(c.snapshot.context.outputs.contactorClosed).toBe(false);
    expect(chargingStateOf(c.snapshot)).toBe('EVConnected');
    expect(types(c.send({ type: 'AUTHORIZED', idTag: 'CARD' }))).toEqual(['authorizationIgnored']);
    expect(c.send({ type: 'PILOT', state: 'A' })).toEqual([{ type: 'stopTransaction', reason: 'EVDisconnected' }]);
  });

  it('beginAtPlugIn on a socket that keeps the cable after an EV-side unplug: a transaction nobody was authorized for holds no lock', () => {
    const c = connectorHarness({ transactionPoints: { ...NONE, beginAtPlugIn: true }, lock: true, unlockConnectorOnEVSideDisconnect: false });
    expect(types(c.send({ type: 'PILOT', state: 'B' }))).toEqual(['startTransaction', 'lockConnector']);
    c.send({ type: 'LOCK_STATE', locked: true });
    expect(types(c.send({ type: 'PILOT', state: 'A' }))).toEqual(['stopTransaction', 'unlockConnector']);
    expect(c.snapshot.context.lockHeldFor).toBeUndefined();
  });

  it('the default (no points) is unchanged: a plug-in alone begins nothing', () => {
    const c = harness({});
    expect(c.send({ type: 'PILOT', state: 'B' })).toEqual([]);
    expect(c.status).toBe('Preparing');
  });
});
