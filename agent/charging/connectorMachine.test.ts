/**
 * Scenario tests of the connector machine: each drives a real actor on a SimulatedClock and checks
 * the commands every event caused (in order) and the OCPP status afterwards.
 */
import { describe, expect, it } from 'vitest';
import { HAL_ERRORS, type HalErrorCode, type PilotState } from '../../hal/index.js';
import {
  activeFaults,
  activeTransactionIdTag,
  errorCodeOf,
  faultInfoOf,
  hasTransaction,
  limitInfoOf,
  inoperativeScheduled,
  reservationId,
  stopsTransaction,
  transactionId,
} from './connectorSelectors.js';
import { connectorHarness, type ConnectorHarness } from './testing/connectorHarness.js';
import type { ConnectorCommand, ConnectorEvent, ConnectorInput, IdTagStatus, StopReason } from './connectorTypes.js';

const connector = connectorHarness;
type Connector = ConnectorHarness;

// Events
const pilot = (state: PilotState): ConnectorEvent => ({ type: 'PILOT', state });
const card = (idTag: string, parentIdTag?: string): ConnectorEvent => ({ type: 'AUTHORIZED', idTag, ...(parentIdTag && { parentIdTag }) });
const remoteStart = (idTag: string): ConnectorEvent => ({ type: 'AUTHORIZED', idTag, remote: true });
const stop = (reason: StopReason): ConnectorEvent => ({ type: 'STOP', reason });
const confirmed = (idTagStatus: IdTagStatus = 'Accepted', transactionId = 42): ConnectorEvent => ({
  type: 'TRANSACTION_CONFIRMED',
  transactionId,
  idTagStatus,
});
const fault = (code: HalErrorCode): ConnectorEvent => ({
  type: 'FAULT',
  fault: { code, ocppErrorCode: HAL_ERRORS[code].ocpp, recoverable: HAL_ERRORS[code].recoverable, info: HAL_ERRORS[code].text },
});
const cleared = (code: HalErrorCode): ConnectorEvent => ({ type: 'FAULT_CLEARED', code });
const limit = (amps: number): ConnectorEvent => ({ type: 'SET_LIMIT', amps });
const availability = (operative: boolean): ConnectorEvent => ({ type: 'SET_AVAILABILITY', operative });
const reserve = (c: Connector, id: number, idTag: string, ttlMs: number, parentIdTag?: string): ConnectorEvent => {
  const now = c.clock.now();
  return { type: 'RESERVE', reservationId: id, idTag, expiresAt: now + ttlMs, now, ...(parentIdTag && { parentIdTag }) };
};

// Commands
const CLOSE: ConnectorCommand = { type: 'closeContactor' };
const OPEN: ConnectorCommand = { type: 'openContactor' };
const offer = (amps: number): ConnectorCommand => ({ type: 'offerCurrent', amps });
const started = (idTag: string, reservationId?: number): ConnectorCommand => ({
  type: 'startTransaction',
  idTag,
  ...(reservationId !== undefined && { reservationId }),
});
const stopped = (reason: StopReason, idTag?: string): ConnectorCommand => ({ type: 'stopTransaction', reason, ...(idTag && { idTag }) });
const held = (unavailable: boolean): ConnectorCommand => ({ type: 'pilotUnavailable', unavailable });
const ignored = (idTag: string): ConnectorCommand => ({ type: 'authorizationIgnored', idTag });

/** Cable in, card TAG-1 (parent GROUP), EV requests power, StartTransaction.conf Accepted. */
function charging(input: Partial<ConnectorInput> = {}): Connector {
  const c = connector(input);
  expect(c.send(pilot('B'), card('TAG-1', 'GROUP'), pilot('C'), confirmed())).toEqual([started('TAG-1'), offer(32), CLOSE]);
  expect(c.status).toBe('Charging');
  return c;
}

describe('start-up', () => {
  it.each([
    ['A', true, 'Available', []],
    ['B', true, 'Preparing', []],
    ['C', true, 'Preparing', []],
    ['A', false, 'Unavailable', [held(true)]],
    ['E', true, 'Faulted', []],
  ] as const)('pilot %s, operative %s → %s', (p, operative, status, commands) => {
    const c = connector({ pilot: p, operative });
    expect(c.status).toBe(status);
    expect(c.startup).toEqual(commands);
  });

  it('reports a bare E/F pilot as OtherError and no fault as NoError', () => {
    expect(errorCodeOf(connector({ pilot: 'E' }).snapshot)).toBe('OtherError');
    expect(errorCodeOf(connector().snapshot)).toBe('NoError');
  });
});

describe('RFID session', () => {
  it('plug, card, charge, same card stops (Local), unplug', () => {
    const c = connector();
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.status).toBe('Preparing');
    expect(c.send(card('TAG-1'))).toEqual([started('TAG-1'), offer(32)]);
    expect(c.status).toBe('SuspendedEV');
    expect(hasTransaction(c.snapshot)).toBe(true);
    expect(activeTransactionIdTag(c.snapshot)).toBe('TAG-1');
    expect(c.send(pilot('C'))).toEqual([CLOSE]);
    expect(c.status).toBe('Charging');
    expect(transactionId(c.snapshot)).toBeUndefined();
    expect(c.send(confirmed('Accepted', 42))).toEqual([]);
    expect(transactionId(c.snapshot)).toBe(42);
    expect(c.send(card('TAG-1'))).toEqual([OPEN, offer(0), stopped('Local', 'TAG-1')]);
    expect(c.status).toBe('Finishing');
    expect(hasTransaction(c.snapshot)).toBe(false);
    expect(c.send(pilot('B'), pilot('C'))).toEqual([]);
    expect(c.status).toBe('Finishing');
    expect(c.send(pilot('A'))).toEqual([]);
    expect(c.status).toBe('Available');
  });

  it('an EV already requesting power (C, or D with ventilation) charges as soon as the card is accepted', () => {
    for (const p of ['C', 'D'] as const) {
      const c = connector({ ventilation: true });
      expect(c.send(pilot(p), card('TAG-1'))).toEqual([started('TAG-1'), offer(32), CLOSE]);
      expect(c.status).toBe('Charging');
    }
  });

  it('unplug before any card: Preparing → Available without a transaction', () => {
    const c = connector();
    expect(c.send(pilot('B'), pilot('A'))).toEqual([]);
    expect(c.status).toBe('Available');
  });

  it('a card of another user is ignored and charging goes on', () => {
    const c = charging();
    expect(c.send(card('TAG-2'))).toEqual([ignored('TAG-2')]);
    expect(c.status).toBe('Charging');
    expect(c.send(card('TAG-3', 'OTHER-GROUP'))).toEqual([ignored('TAG-3')]);
    expect(c.status).toBe('Charging');
  });

  it('a card with the same parentIdTag stops the session (Local, its own idTag)', () => {
    const c = charging();
    expect(c.send(card('TAG-2', 'GROUP'))).toEqual([OPEN, offer(0), stopped('Local', 'TAG-2')]);
    expect(c.status).toBe('Finishing');
  });

  it('a session without parentIdTag is not stopped by another card without one', () => {
    const c = connector();
    c.send(pilot('C'), card('TAG-1'));
    expect(c.send(card('TAG-2'))).toEqual([ignored('TAG-2')]);
    expect(c.status).toBe('Charging');
  });

  it('stopsTransaction tells the controller which connector a card would stop', () => {
    const c = charging();
    expect(stopsTransaction(c.snapshot, { idTag: 'TAG-1' })).toBe(true);
    expect(stopsTransaction(c.snapshot, { idTag: 'TAG-2', parentIdTag: 'GROUP' })).toBe(true);
    expect(stopsTransaction(c.snapshot, { idTag: 'TAG-2', parentIdTag: 'OTHER' })).toBe(false);
    expect(stopsTransaction(connector().snapshot, { idTag: 'TAG-1' })).toBe(false);
  });

  it('a new card in Finishing starts a new session on the cable still plugged in', () => {
    const c = charging();
    c.send(card('TAG-1'), pilot('B'));
    expect(c.status).toBe('Finishing');
    expect(c.send(card('TAG-2'))).toEqual([started('TAG-2'), offer(32)]);
    expect(c.status).toBe('SuspendedEV');
  });
});

describe('remote start and stop', () => {
  it('remote start with the cable already in, a repeated remote start does not stop, RemoteStop does', () => {
    const c = connector({ pilot: 'B' });
    expect(c.send(remoteStart('APP-1'))).toEqual([started('APP-1'), offer(32)]);
    expect(c.send(pilot('C'))).toEqual([CLOSE]);
    expect(c.send(remoteStart('APP-1'))).toEqual([ignored('APP-1')]);
    expect(c.status).toBe('Charging');
    expect(c.send(stop('Remote'))).toEqual([OPEN, offer(0), stopped('Remote')]);
    expect(c.status).toBe('Finishing');
  });

  it.each(['SoftReset', 'HardReset', 'UnlockCommand'] as const)('STOP %s ends the transaction once', (reason) => {
    const c = charging();
    expect(c.send(stop(reason))).toEqual([OPEN, offer(0), stopped(reason)]);
    expect(c.send(stop(reason), stop('Remote'))).toEqual([]);
  });

  it('stopTransaction is emitted exactly once, whatever else tries to end the session', () => {
    const c = charging();
    const all = [
      ...c.send(stop('Remote')),
      ...c.send(stop('Remote'), confirmed('Invalid'), fault('RELAY_WELDED'), stop('HardReset'), pilot('A')),
      ...c.send(cleared('RELAY_WELDED'), stop('SoftReset')),
    ];
    expect(all.filter((cmd) => cmd.type === 'stopTransaction')).toEqual([stopped('Remote')]);
    expect(c.status).toBe('Available');
  });

  it('STOP without a transaction is ignored', () => {
    const c = connector({ pilot: 'B' });
    expect(c.send(stop('Remote'))).toEqual([]);
    expect(c.status).toBe('Preparing');
  });
});

describe('card before cable (ConnectionTimeOut)', () => {
  it('the cable within the timeout starts the session', () => {
    const c = connector();
    expect(c.send(card('TAG-1'))).toEqual([]);
    expect(c.status).toBe('Preparing');
    expect(c.advance(59_999)).toEqual([]);
    expect(c.send(pilot('B'))).toEqual([{ ...started('TAG-1'), cablePluggedLast: true }, offer(32)]);
    expect(c.status).toBe('SuspendedEV');
    expect(c.advance(120_000)).toEqual([]);
    expect(c.status).toBe('SuspendedEV');
  });

  it('no cable within the timeout: back to Available, authorization dropped', () => {
    const c = connector();
    c.send(card('TAG-1'));
    expect(c.advance(60_000)).toEqual([]);
    expect(c.status).toBe('Available');
    expect(c.clock.pendingTimers).toBe(0);
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.status).toBe('Preparing');
  });

  it('further cards while waiting for the cable are ignored', () => {
    const c = connector();
    c.send(card('TAG-1'));
    expect(c.send(card('TAG-2'))).toEqual([ignored('TAG-2')]);
    expect(c.send(pilot('C'))).toEqual([{ ...started('TAG-1'), cablePluggedLast: true }, offer(32), CLOSE]);
  });
});

describe('vehicle side', () => {
  it('EV-side stop: C → B suspends, unplug ends with EVDisconnected', () => {
    const c = charging();
    expect(c.send(pilot('B'))).toEqual([OPEN]);
    expect(c.status).toBe('SuspendedEV');
    expect(c.send(pilot('C'))).toEqual([CLOSE]);
    expect(c.send(pilot('B'))).toEqual([OPEN]);
    expect(c.send(pilot('A'))).toEqual([offer(0), stopped('EVDisconnected')]);
    expect(c.status).toBe('Available');
  });

  it('unplug while charging ends the transaction (EVDisconnected)', () => {
    const c = charging();
    expect(c.send(pilot('A'))).toEqual([OPEN, offer(0), stopped('EVDisconnected')]);
    expect(c.status).toBe('Available');
  });

  it('without StopTransactionOnEVSideDisconnect an unplug suspends until replugged', () => {
    const c = charging({ stopTransactionOnEVSideDisconnect: false });
    expect(c.send(pilot('A'))).toEqual([OPEN]);
    expect(c.status).toBe('SuspendedEV');
    expect(hasTransaction(c.snapshot)).toBe(true);
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.send(pilot('C'))).toEqual([CLOSE]);
    expect(c.send(pilot('A'), stop('Remote'))).toEqual([OPEN, offer(0), stopped('Remote')]);
    expect(c.status).toBe('Available');
  });

  it('D (ventilation) charges like C on a charger that can ventilate', () => {
    const c = charging({ ventilation: true });
    expect(c.send(pilot('D'))).toEqual([]);
    expect(c.status).toBe('Charging');
  });

  it('without ventilation, D opens the contactor and withdraws the offer: Faulted/OtherError, transaction kept', () => {
    const c = charging();
    expect(c.send(pilot('D'))).toEqual([OPEN, offer(0)]);
    expect(c.status).toBe('Faulted');
    expect(errorCodeOf(c.snapshot)).toBe('OtherError');
    expect(faultInfoOf(c.snapshot)).toBe('EV requests ventilation; not supported');
    expect(hasTransaction(c.snapshot)).toBe(true);
    // The EV leaves D: the offer returns; it asks for power without ventilation and charges.
    expect(c.send(pilot('B'))).toEqual([offer(32)]);
    expect(c.status).toBe('SuspendedEV');
    expect(faultInfoOf(c.snapshot)).toBeUndefined();
    expect(c.send(pilot('C'))).toEqual([CLOSE]);
    expect(c.status).toBe('Charging');
  });

  it('without ventilation, an EV in D never gets a transaction or the contactor, whatever card is shown', () => {
    const c = connector({ pilot: 'D' });
    expect(c.status).toBe('Faulted');
    expect(c.send(card('TAG-1'))).toEqual([ignored('TAG-1')]);
    expect(c.send(pilot('A'), pilot('D'))).toEqual([]);
    expect(c.status).toBe('Faulted');
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.status).toBe('Preparing');
  });
});

describe('current limit (SET_LIMIT)', () => {
  it('0 suspends (SuspendedEVSE, PWM off), a positive limit resumes', () => {
    const c = charging();
    expect(c.send(limit(0))).toEqual([offer(0), OPEN]);
    expect(c.status).toBe('SuspendedEVSE');
    expect(c.send(limit(16))).toEqual([offer(16), CLOSE]);
    expect(c.status).toBe('Charging');
  });

  it('changes the offer while charging, clamped to maxCurrentA, only when it changes', () => {
    const c = charging();
    expect(c.send(limit(20))).toEqual([offer(20)]);
    expect(c.send(limit(20))).toEqual([]);
    expect(c.send(limit(100))).toEqual([offer(32)]);
    expect(c.send(limit(40))).toEqual([]);
    expect(c.status).toBe('Charging');
  });

  it('below 6 A no PWM can be offered: suspended', () => {
    const c = charging();
    expect(c.send(limit(5))).toEqual([offer(0), OPEN]);
    expect(c.status).toBe('SuspendedEVSE');
  });

  it('resumes to SuspendedEV when the EV is in B', () => {
    const c = charging();
    c.send(pilot('B'));
    expect(c.send(limit(0))).toEqual([offer(0)]);
    expect(c.status).toBe('SuspendedEVSE');
    expect(c.send(limit(10))).toEqual([offer(10)]);
    expect(c.status).toBe('SuspendedEV');
  });

  it('records which source binds: a suspension by a limit names it (StatusNotification info), a resumption clears it', () => {
    const c = charging();
    expect(c.send({ type: 'SET_LIMIT', amps: 0, source: 'chargingProfile' })).toEqual([offer(0), OPEN]);
    expect(c.status).toBe('SuspendedEVSE');
    expect(limitInfoOf(c.snapshot)).toBe('chargingProfile limit 0 A');
    // Another source holding it below 6 A: still suspended, now named after that source.
    expect(c.send({ type: 'SET_LIMIT', amps: 4, source: 'localLimit' })).toEqual([]);
    expect(limitInfoOf(c.snapshot)).toBe('localLimit limit 4 A');
    expect(c.send({ type: 'SET_LIMIT', amps: 6, source: 'cable' })).toEqual([offer(6), CLOSE]);
    expect(c.status).toBe('Charging');
    expect(limitInfoOf(c.snapshot)).toBeUndefined();
  });

  it('a SET_LIMIT without a source counts as the hardware; a suspension that is not the limit\'s has no limit info', () => {
    const c = charging();
    c.send(limit(0));
    expect(limitInfoOf(c.snapshot)).toBe('hardware limit 0 A');
    const d = connector({ stopTransactionOnInvalidId: false });
    d.send(pilot('C'), card('TAG-1'), confirmed('Invalid'));
    expect(d.status).toBe('SuspendedEVSE');
    expect(limitInfoOf(d.snapshot)).toBeUndefined();
  });

  it('a limit set before the session applies when it starts', () => {
    const c = connector();
    expect(c.send(limit(10), pilot('C'), card('TAG-1'))).toEqual([started('TAG-1'), offer(10), CLOSE]);
    const d = connector();
    expect(d.send(limit(0), pilot('C'), card('TAG-1'))).toEqual([started('TAG-1')]);
    expect(d.status).toBe('SuspendedEVSE');
  });
});

describe('idTag rejected in StartTransaction.conf', () => {
  it.each(['Invalid', 'Blocked', 'Expired', 'ConcurrentTx'] as const)(
    '%s with StopTransactionOnInvalidId stops (DeAuthorized)',
    (status) => {
      const c = connector();
      c.send(pilot('C'), card('TAG-1'));
      expect(c.send(confirmed(status))).toEqual([OPEN, offer(0), stopped('DeAuthorized')]);
      expect(c.status).toBe('Finishing');
    },
  );

  it('only the first StartTransaction.conf counts', () => {
    const c = connector({ stopTransactionOnInvalidId: false });
    c.send(pilot('C'), card('TAG-1'), confirmed('Blocked'));
    expect(c.send(confirmed('Accepted', 43))).toEqual([]);
    expect(c.status).toBe('SuspendedEVSE');
    expect(transactionId(c.snapshot)).toBe(42);
    const d = charging({ stopTransactionOnInvalidId: true });
    expect(d.send(confirmed('Invalid', 43))).toEqual([]);
    expect(d.status).toBe('Charging');
  });

  it('without StopTransactionOnInvalidId suspends (SuspendedEVSE) until stopped', () => {
    const c = connector({ stopTransactionOnInvalidId: false });
    c.send(pilot('C'), card('TAG-1'));
    expect(c.send(confirmed('Invalid'))).toEqual([offer(0), OPEN]);
    expect(c.status).toBe('SuspendedEVSE');
    expect(transactionId(c.snapshot)).toBe(42);
    expect(c.send(limit(16), pilot('B'), pilot('C'))).toEqual([]);
    expect(c.status).toBe('SuspendedEVSE');
    expect(c.send(card('TAG-1'))).toEqual([stopped('Local', 'TAG-1')]);
    expect(c.status).toBe('Finishing');
  });
});

describe('faults', () => {
  it('recoverable fault while charging keeps the transaction and resumes after the last one clears', () => {
    const c = charging();
    expect(c.send(fault('OVER_CURRENT'))).toEqual([OPEN, offer(0)]);
    expect(c.status).toBe('Faulted');
    expect(errorCodeOf(c.snapshot)).toBe('OverCurrentFailure');
    expect(hasTransaction(c.snapshot)).toBe(true);
    expect(c.send(fault('GROUND_FAULT'))).toEqual([]);
    expect(c.send(cleared('OVER_CURRENT'))).toEqual([]);
    expect(c.status).toBe('Faulted');
    expect(errorCodeOf(c.snapshot)).toBe('GroundFailure');
    expect(c.send(cleared('GROUND_FAULT'))).toEqual([offer(32), CLOSE]);
    expect(c.status).toBe('Charging');
    expect(errorCodeOf(c.snapshot)).toBe('NoError');
  });

  it('reports the oldest active fault', () => {
    const c = charging();
    c.send(fault('METER_TIMEOUT'), fault('HIGH_TEMPERATURE'));
    expect(activeFaults(c.snapshot).map((f) => f.code)).toEqual(['METER_TIMEOUT', 'HIGH_TEMPERATURE']);
    expect(errorCodeOf(c.snapshot)).toBe('PowerMeterFailure');
  });

  it('after a recoverable fault the status follows the pilot (EV went to B meanwhile)', () => {
    const c = charging();
    c.send(fault('OVER_VOLTAGE'), pilot('B'));
    expect(c.send(cleared('OVER_VOLTAGE'))).toEqual([offer(32)]);
    expect(c.status).toBe('SuspendedEV');
  });

  it('unplug while Faulted with a transaction ends it (EVDisconnected), still Faulted', () => {
    const c = charging();
    c.send(fault('UNDER_VOLTAGE'));
    expect(c.send(pilot('A'))).toEqual([stopped('EVDisconnected')]);
    expect(c.status).toBe('Faulted');
    expect(c.send(cleared('UNDER_VOLTAGE'))).toEqual([]);
    expect(c.status).toBe('Available');
  });

  it('a fault that is not recoverable ends the transaction (Other)', () => {
    const c = charging();
    expect(c.send(fault('RELAY_WELDED'))).toEqual([OPEN, offer(0), stopped('Other')]);
    expect(c.status).toBe('Faulted');
    expect(errorCodeOf(c.snapshot)).toBe('PowerSwitchFailure');
    expect(hasTransaction(c.snapshot)).toBe(false);
    expect(c.send(card('TAG-1'), stop('Remote'), pilot('A'))).toEqual([ignored('TAG-1')]);
    expect(c.status).toBe('Faulted');
    expect(c.send(cleared('RELAY_WELDED'))).toEqual([]);
    expect(c.status).toBe('Available');
  });

  it('a fault that is not recoverable during a recoverable one ends the transaction once', () => {
    const c = charging();
    c.send(fault('METER_TIMEOUT'));
    expect(c.send(fault('RELAY_WELDED'))).toEqual([stopped('Other')]);
    expect(c.send(fault('DEVICE_CLOSED'))).toEqual([]);
    expect(c.status).toBe('Faulted');
    expect(c.send(cleared('METER_TIMEOUT'), cleared('RELAY_WELDED'), cleared('DEVICE_CLOSED'))).toEqual([]);
    expect(c.status).toBe('Finishing');
  });

  it('pilot E/F opens the contactor by itself, before the HAL reports PILOT_FAULT', () => {
    const c = charging();
    expect(c.send(pilot('E'))).toEqual([OPEN, offer(0)]);
    expect(c.status).toBe('Faulted');
    expect(errorCodeOf(c.snapshot)).toBe('OtherError');
    expect(c.send(fault('PILOT_FAULT'), pilot('C'))).toEqual([]);
    expect(c.send(cleared('PILOT_FAULT'))).toEqual([offer(32), CLOSE]);
    expect(c.status).toBe('Charging');
  });

  it('fault while idle: no commands; afterwards the status follows the pilot', () => {
    const c = connector();
    expect(c.send(fault('RFID_FAULT'))).toEqual([]);
    expect(c.status).toBe('Faulted');
    expect(c.send(pilot('B'), card('TAG-1'))).toEqual([ignored('TAG-1')]);
    expect(c.send(cleared('RFID_FAULT'))).toEqual([]);
    expect(c.status).toBe('Preparing');
  });

  it('a fault drops an authorization waiting for the cable', () => {
    const c = connector();
    c.send(card('TAG-1'), fault('METER_INVALID'), cleared('METER_INVALID'));
    expect(c.status).toBe('Available');
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.status).toBe('Preparing');
  });

  it('a fault in Finishing returns to Finishing', () => {
    const c = charging();
    c.send(stop('Remote'));
    c.send(fault('HIGH_TEMPERATURE'), cleared('HIGH_TEMPERATURE'));
    expect(c.status).toBe('Finishing');
  });

  it('clearing a fault that is not active changes nothing', () => {
    const c = charging();
    expect(c.send(cleared('GROUND_FAULT'))).toEqual([]);
    expect(c.status).toBe('Charging');
  });
});

describe('availability', () => {
  it('inoperative while idle: Unavailable, pilot held at F, cards ignored; operative again per pilot', () => {
    const c = connector();
    expect(c.send(availability(false))).toEqual([held(true)]);
    expect(c.status).toBe('Unavailable');
    expect(c.send(availability(false))).toEqual([]);
    expect(c.send(pilot('F'), card('TAG-1'))).toEqual([ignored('TAG-1')]);
    expect(c.status).toBe('Unavailable');
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.send(availability(true))).toEqual([held(false)]);
    expect(c.status).toBe('Preparing');
    expect(c.send(availability(true))).toEqual([]);
  });

  it('inoperative while charging is scheduled: the transaction goes on, Unavailable when it ends', () => {
    const c = charging();
    expect(c.send(availability(false))).toEqual([]);
    expect(c.status).toBe('Charging');
    expect(inoperativeScheduled(c.snapshot)).toBe(true);
    expect(c.send(pilot('B'), pilot('C'))).toEqual([OPEN, CLOSE]);
    expect(c.send(stop('Remote'))).toEqual([OPEN, offer(0), stopped('Remote'), held(true)]);
    expect(c.status).toBe('Unavailable');
    expect(inoperativeScheduled(c.snapshot)).toBe(false);
    expect(c.send(card('TAG-1'))).toEqual([ignored('TAG-1')]);
    expect(c.send(availability(true))).toEqual([held(false)]);
    expect(c.status).toBe('Finishing');
  });

  it('a scheduled change is cancelled by Operative before the transaction ends', () => {
    const c = charging();
    c.send(availability(false), availability(true));
    expect(c.send(card('TAG-1'))).toEqual([OPEN, offer(0), stopped('Local', 'TAG-1')]);
    expect(c.status).toBe('Finishing');
  });

  it('a fault while Unavailable shows Faulted and keeps the pilot held', () => {
    const c = connector({ operative: false });
    expect(c.send(fault('GROUND_FAULT'))).toEqual([]);
    expect(c.status).toBe('Faulted');
    expect(c.send(cleared('GROUND_FAULT'))).toEqual([]);
    expect(c.status).toBe('Unavailable');
  });

  it('inoperative drops an authorization waiting for the cable', () => {
    const c = connector();
    c.send(card('TAG-1'), availability(false), availability(true));
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.status).toBe('Preparing');
  });
});

describe('reservation', () => {
  const MIN = 60_000;

  it('expires at expiresAt', () => {
    const c = connector();
    expect(c.send(reserve(c, 7, 'TAG-1', 10 * MIN))).toEqual([]);
    expect(c.status).toBe('Reserved');
    expect(reservationId(c.snapshot)).toBe(7);
    c.advance(10 * MIN - 1);
    expect(c.status).toBe('Reserved');
    c.advance(1);
    expect(c.status).toBe('Available');
    expect(reservationId(c.snapshot)).toBeUndefined();
    expect(c.clock.pendingTimers).toBe(0);
  });

  it('is cancelled only by its own id', () => {
    const c = connector();
    c.send(reserve(c, 7, 'TAG-1', 10 * MIN));
    c.send({ type: 'CANCEL_RESERVATION', reservationId: 8 });
    expect(c.status).toBe('Reserved');
    c.send({ type: 'CANCEL_RESERVATION', reservationId: 7 });
    expect(c.status).toBe('Available');
    expect(c.clock.pendingTimers).toBe(0);
  });

  it('ignores other cards and starts for its idTag with the reservationId', () => {
    const c = connector();
    c.send(reserve(c, 7, 'TAG-1', 10 * MIN));
    expect(c.send(card('TAG-2'))).toEqual([ignored('TAG-2')]);
    expect(c.status).toBe('Reserved');
    expect(c.send(card('TAG-1'))).toEqual([]);
    expect(c.status).toBe('Preparing');
    expect(c.send(pilot('B'))).toEqual([{ ...started('TAG-1', 7), cablePluggedLast: true }, offer(32)]);
    expect(c.status).toBe('SuspendedEV');
  });

  it('a cable plugged in stays Reserved; a card with the parentIdTag starts at once', () => {
    const c = connector();
    c.send(reserve(c, 7, 'TAG-1', 10 * MIN, 'GROUP'));
    expect(c.send(pilot('B'))).toEqual([]);
    expect(c.status).toBe('Reserved');
    expect(c.send(remoteStart('TAG-9'))).toEqual([ignored('TAG-9')]);
    expect(c.send(card('TAG-2', 'GROUP'))).toEqual([started('TAG-2', 7), offer(32)]);
    expect(c.status).toBe('SuspendedEV');
  });

  it('expiry with a cable plugged in goes to Preparing', () => {
    const c = connector();
    c.send(reserve(c, 7, 'TAG-1', MIN), pilot('B'));
    c.advance(MIN);
    expect(c.status).toBe('Preparing');
  });

  it('ReserveNow with the same id replaces it (new expiry); other ids and expired ones are ignored', () => {
    const c = connector();
    c.send(reserve(c, 7, 'TAG-1', MIN));
    c.advance(MIN / 2);
    c.send(reserve(c, 7, 'TAG-2', MIN), reserve(c, 8, 'TAG-3', 5 * MIN));
    c.advance(MIN - 1);
    expect(c.status).toBe('Reserved');
    expect(c.send(card('TAG-1'))).toEqual([ignored('TAG-1')]);
    c.advance(1);
    expect(c.status).toBe('Available');
    c.send(reserve(c, 9, 'TAG-1', 0));
    expect(c.status).toBe('Available');
  });

  it('is only taken while Available', () => {
    const c = connector({ pilot: 'B' });
    c.send(reserve(c, 7, 'TAG-1', MIN));
    expect(c.status).toBe('Preparing');
    const d = charging();
    d.send(reserve(d, 7, 'TAG-1', MIN));
    expect(d.status).toBe('Charging');
    expect(reservationId(d.snapshot)).toBeUndefined();
  });

  it('keeps its expiry when nothing changes (a redundant Operative)', () => {
    const c = connector();
    c.send(reserve(c, 7, 'TAG-1', MIN));
    c.advance(MIN / 2);
    c.send(availability(true), limit(16), cleared('GROUND_FAULT'), stop('Remote'));
    c.advance(MIN / 2);
    expect(c.status).toBe('Available');
  });

  it('does not survive Unavailable or Faulted', () => {
    const c = connector();
    c.send(reserve(c, 7, 'TAG-1', MIN), availability(false), availability(true));
    expect(c.status).toBe('Available');
    c.send(reserve(c, 8, 'TAG-1', MIN), fault('METER_TIMEOUT'), cleared('METER_TIMEOUT'));
    expect(c.status).toBe('Available');
    expect(c.clock.pendingTimers).toBe(0);
  });

  it('is used up by the authorization: a missed ConnectionTimeOut frees the connector', () => {
    const c = connector({ connectionTimeoutMs: MIN });
    c.send(reserve(c, 7, 'TAG-1', 10 * MIN), card('TAG-1'));
    c.advance(MIN);
    expect(c.status).toBe('Available');
  });
});

describe('one definition, many connectors', () => {
  it('actors share the machine but not their data', () => {
    const a = connector({ maxCurrentA: 16 });
    const b = connector({ maxCurrentA: 32 });
    expect(a.send(pilot('C'), card('A'))).toEqual([started('A'), offer(16), CLOSE]);
    expect(b.status).toBe('Available');
    expect(b.send(pilot('C'), card('B'))).toEqual([started('B'), offer(32), CLOSE]);
  });
});
