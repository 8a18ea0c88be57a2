/**
 * Reservations over OCPP 2.0.1 against a strict 2.0.1 CSMS: ReserveNow / CancelReservation through
 * the session service's reservations (Reserved status, the reserved driver only), and
 * ReservationStatusUpdate Expired for a reservation that ran out unused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201, T0, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const CARD = '04A1B2C3D4E5F6';
const OTHER = '04FFFFFFFFFFFF';

const expiry = (f: Agent201Fixture, ms: number) => new Date(f.clock.now() + ms).toISOString();
const statuses = (f: Agent201Fixture, evseId: number) => f.sent('StatusNotification').filter((s) => s.evseId === evseId).map((s) => s.connectorStatus);

describe('ReserveNow / CancelReservation', () => {
  it('reserves an EVSE (Reserved) for its idToken only; cancelled, it is free for anyone again', async () => {
    const f = await agent201Fixture();
    expect(await f.call('ReserveNow', { id: 11, expiryDateTime: expiry(f, 10 * MINUTE), idToken: { idToken: CARD, type: 'ISO14443' }, evseId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    expect(statuses(f, 1).at(-1)).toBe('Reserved');
    // Another driver's card is refused there, without asking the CSMS.
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap(OTHER);
    await f.advance(SECOND);
    expect(f.csms.count('TransactionEvent')).toBe(0);
    expect(await f.call('ReserveNow', { id: 12, expiryDateTime: expiry(f, MINUTE), idToken: { idToken: 'X', type: 'Central' }, evseId: 1 })).toEqual({ status: 'Occupied' });
    expect(await f.call('ReserveNow', { id: 13, expiryDateTime: expiry(f, MINUTE), idToken: { idToken: 'X', type: 'Central' }, evseId: 3 })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
    expect(await f.call('ReserveNow', { id: 14, expiryDateTime: expiry(f, MINUTE), idToken: { idToken: 'X', type: 'Central' }, evseId: 2, connectorType: 'cType2' })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedParam' } });
    expect(await f.call('CancelReservation', { reservationId: 11 })).toEqual({ status: 'Accepted' });
    expect(await f.call('CancelReservation', { reservationId: 11 })).toEqual({ status: 'Rejected' });
    await f.advance(SECOND);
    expect(statuses(f, 1).slice(-2)).toEqual(['Reserved', 'Occupied']); // the EV waiting there may now be used by anyone
    // Cancelled: it does not expire later.
    await f.advance(11 * MINUTE, MINUTE);
    expect(f.csms.count('ReservationStatusUpdate')).toBe(0);
  });

  it('a reservation that runs out unused: ReservationStatusUpdate Expired, and the EVSE is Available', async () => {
    const f = await agent201Fixture();
    expect(await f.call('ReserveNow', { id: 21, expiryDateTime: expiry(f, MINUTE), idToken: { idToken: 'APP', type: 'Central' }, evseId: 2 })).toEqual({ status: 'Accepted' });
    await f.advance(30 * SECOND, 10 * SECOND);
    expect(f.csms.count('ReservationStatusUpdate')).toBe(0);
    await f.advance(31 * SECOND, 10 * SECOND);
    await f.waitForSent('ReservationStatusUpdate');
    expect(f.sent('ReservationStatusUpdate')).toEqual([{ reservationId: 21, reservationUpdateStatus: 'Expired' }]);
    expect(statuses(f, 2).slice(-2)).toEqual(['Reserved', 'Available']);
  });

  it('a reservation used by its driver starts the transaction with its reservationId and never expires; one without an EVSE holds any', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('ReserveNow', { id: 31, expiryDateTime: expiry(f, 5 * MINUTE), idToken: { idToken: CARD, type: 'ISO14443' } })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    expect(statuses(f, 1).at(-1)).toBe('Reserved'); // the only EVSE is held for it
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ eventType: 'Started', reservationId: 31 });
    await f.advance(6 * MINUTE, MINUTE);
    expect(f.csms.count('ReservationStatusUpdate')).toBe(0);
    expect(f.clock.now()).toBeGreaterThan(T0);
  });

  it('a reservation dropped because its EVSE became Unavailable: ReservationStatusUpdate Removed', async () => {
    const f = await agent201Fixture();
    expect(await f.call('ReserveNow', { id: 41, expiryDateTime: expiry(f, 10 * MINUTE), idToken: { idToken: 'APP', type: 'Central' }, evseId: 2 })).toEqual({ status: 'Accepted' });
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } })).toEqual({ status: 'Accepted' });
    await f.waitForSent('ReservationStatusUpdate');
    expect(f.sent('ReservationStatusUpdate')).toEqual([{ reservationId: 41, reservationUpdateStatus: 'Removed' }]);
    await f.advance(11 * MINUTE, MINUTE);
    expect(f.csms.count('ReservationStatusUpdate')).toBe(1); // not Expired as well
  });
});
