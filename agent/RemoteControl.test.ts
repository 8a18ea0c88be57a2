/**
 * CSMS-initiated operations end to end: the embedded strict CSMS calls an in-process Agent over a
 * real socket on 127.0.0.1; the handlers go through RemoteControl into the connector machines
 * and the simulated hardware, in virtual time (test/support/agentFixture.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { CP, T0, agentFixture, cleanupAgents, startSession } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const OTHER = '04FFEEDDCCBBAA';

describe('RemoteStartTransaction', () => {
  it('on a given connector with the cable in: Accepted, StartTransaction, Charging', async () => {
    const f = await agentFixture();
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE1' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.sent('Authorize')).toEqual([]); // AuthorizeRemoteTxRequests is false by default
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: 'REMOTE1' })]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
  });

  it('without connectorId: the connector where a cable waits', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { idTag: 'REMOTE1' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 2, idTag: 'REMOTE1' })]);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Available', 'Charging']);
  });

  it('on an occupied connector: Rejected, nothing changes', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE1' })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { idTag: 'REMOTE1' })).toEqual({ status: 'Rejected' });
    await f.advance(1000);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sent('StopTransaction')).toEqual([]);
  });

  it('without connectorId: not a connector reserved for another idTag, but the one reserved for this idTag', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    const expiryDate = new Date(f.clock.now() + 3_600_000).toISOString();
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate, idTag: 'SOMEONE', reservationId: 1 })).toEqual({ status: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE1' })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { idTag: 'REMOTE1' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { idTag: 'SOMEONE' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.sent('StartTransaction')).toEqual([
      expect.objectContaining({ connectorId: 2, idTag: 'REMOTE1' }),
      expect.objectContaining({ connectorId: 1, idTag: 'SOMEONE', reservationId: 1 }),
    ]);
  });

  it('on a connector that is not ours: Rejected', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE1' })).toEqual({ status: 'Rejected' });
  });

  it('AuthorizeRemoteTxRequests=true: Authorize first; started only when Accepted', async () => {
    const f = await agentFixture({ ocpp: { AuthorizeRemoteTxRequests: true } });
    f.csms.setAuthorization({ GOOD: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);

    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'BAD' })).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(f.sent('Authorize')).toEqual([{ idTag: 'BAD' }]);
    expect(f.sent('StartTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');

    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'GOOD' })).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(f.sent('Authorize')).toEqual([{ idTag: 'BAD' }, { idTag: 'GOOD' }]);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ idTag: 'GOOD' })]);
    const calls = f.csms.traffic((r) => r.direction === 'in' && r.kind === 'call').map((r) => r.action);
    expect(calls.lastIndexOf('Authorize')).toBeLessThan(calls.indexOf('StartTransaction'));
  });

  it('AuthorizeRemoteTxRequests=true authorizes like a card: cache with LocalPreAuthorize, parentIdTag of the session', async () => {
    const f = await agentFixture({ ocpp: { AuthorizeRemoteTxRequests: true, LocalPreAuthorize: true } });
    f.csms.setAuthorization({ GOOD: { status: 'Accepted', parentIdTag: 'FLEET' }, [CARD]: { status: 'Accepted', parentIdTag: 'FLEET' } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'GOOD' })).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(f.agent.authCache.get('GOOD')).toEqual({ status: 'Accepted', parentIdTag: 'FLEET' });
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    // A card of the same group ends the remotely started session.
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local', idTag: CARD })]);

    // Cached now: the next remote start needs no Authorize round trip.
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(1000);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'GOOD' })).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(f.sent('Authorize').map((a) => a.idTag)).toEqual(['GOOD', CARD]);
    expect(f.sent('StartTransaction')).toHaveLength(2);
  });
});

describe('RemoteStopTransaction', () => {
  it('an unknown transactionId is Rejected; the running one is stopped with reason Remote', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'RemoteStopTransaction', { transactionId: 99 })).toEqual({ status: 'Rejected' });
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(await f.csms.call(CP, 'RemoteStopTransaction', { transactionId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'Remote' })]);
    expect(f.sent('StopTransaction')[0]).not.toHaveProperty('idTag');
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
  });
});

describe('ChangeAvailability', () => {
  it('Inoperative during a transaction is Scheduled and applies when it ends; Operative brings the connector back', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Scheduled' });
    await f.advance(5000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local' })]);
    expect(f.agent.connectors[0]!.status).toBe('Unavailable');
    expect(f.statusTrail(1).at(-1)).toBe('Unavailable');
    // Unavailable: a card starts nothing.
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StartTransaction')).toHaveLength(1);

    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 1, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Finishing'); // the session ended and the cable is still in
  });

  it('connectorId 0: every connector and the charge point itself become Unavailable, and back', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 0, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Unavailable', 'Unavailable']);
    expect(f.statusTrail(1).at(-1)).toBe('Unavailable');
    expect(f.statusTrail(2).at(-1)).toBe('Unavailable');
    expect(f.statusTrail(0)).toEqual(['Available', 'Unavailable']);

    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 0, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Available', 'Available']);
    expect(f.statusTrail(0)).toEqual(['Available', 'Unavailable', 'Available']);
  });

  it('connectorId 0 while one connector charges: Scheduled; the idle one goes Unavailable at once', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 0, type: 'Inoperative' })).toEqual({ status: 'Scheduled' });
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Charging', 'Unavailable']);
    expect(await f.csms.call(CP, 'RemoteStopTransaction', { transactionId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Unavailable', 'Unavailable']);
    expect(f.statusTrail(0).at(-1)).toBe('Unavailable');
  });
});

describe('Reset', () => {
  it('Soft, with nobody listening for `reset`: transactions end with SoftReset, then a new BootNotification and statuses', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    const since = f.csms.mark();
    expect(await f.csms.call(CP, 'Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
    await f.csms.waitForCall(CP, 'BootNotification', undefined, { since, timeoutMs: 5000 });
    await f.csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, { since, timeoutMs: 5000 });
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'SoftReset' })]);
    expect(f.sent('BootNotification')).toHaveLength(2);
    expect(f.csms.chargePoint(CP)?.connections).toBe(2);
    // StopTransaction went out before the connection was closed.
    const calls = f.csms.traffic((r) => r.direction === 'in' && r.kind === 'call').map((r) => r.action);
    expect(calls.indexOf('StopTransaction')).toBeLessThan(calls.lastIndexOf('BootNotification'));
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
  });

  it('Hard, with an owner listening: transactions end with HardReset and the owner is told', async () => {
    const f = await agentFixture();
    const resets: string[] = [];
    f.agent.on('reset', (type) => void resets.push(type));
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'Reset', { type: 'Hard' })).toEqual({ status: 'Accepted' });
    await f.csms.waitForCall(CP, 'StopTransaction', { reason: 'HardReset' }, 5000);
    await f.advance(1000);
    expect(resets).toEqual(['Hard']);
    expect(f.sent('BootNotification')).toHaveLength(1); // restarting is the owner's job
  });
});

describe('UnlockConnector', () => {
  it('with a transaction: StopTransaction UnlockCommand, contactor open before the lock opens, then Unlocked', async () => {
    const f = await agentFixture({ charger: { relay: { actuationDelayMs: 50 } } });
    const hw = f.sim.connectors[0]!;
    await hw.lock!.lock();
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(hw.relay.state).toBe('closed');
    const relayAtUnlock: string[] = [];
    hw.lock!.on('state', (locked) => void (locked ? undefined : relayAtUnlock.push(hw.relay.state)));

    const answer = f.csms.call(CP, 'UnlockConnector', { connectorId: 1 });
    await f.csms.waitForCall(CP, 'StopTransaction', undefined, 5000);
    await f.advance(200, 10); // the contactor takes 50 ms to confirm open
    expect(await answer).toEqual({ status: 'Unlocked' });
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'UnlockCommand' })]);
    expect(hw.lock!.locked).toBe(false);
    expect(relayAtUnlock).toEqual(['open']);
  });

  it('without a transaction: Unlocked; a jammed lock: UnlockFailed; not our connector: NotSupported', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    await hw.lock!.lock();
    expect(await f.csms.call(CP, 'UnlockConnector', { connectorId: 1 })).toEqual({ status: 'Unlocked' });
    expect(hw.lock!.locked).toBe(false);
    await hw.lock!.lock();
    hw.lock!.jam();
    expect(await f.csms.call(CP, 'UnlockConnector', { connectorId: 1 })).toEqual({ status: 'UnlockFailed' });
    expect(await f.csms.call(CP, 'UnlockConnector', { connectorId: 2 })).toEqual({ status: 'NotSupported' });
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([]);
  });
});

describe('UnlockConnector on hardware without a lock', () => {
  it('answers NotSupported and the transaction goes on (no StopTransaction, contactor closed)', async () => {
    const clock = new SimulatedClock(T0);
    const sim = createSimulatedCharger({ clock, connectors: 1 });
    // A socket-less charger (tethered cable): its connector has no lock device.
    const connectors = sim.connectors.map(({ connectorId, relay, meter, pilot }) => ({ connectorId, relay, meter, pilot }));
    const f = await agentFixture({ clock, sim: { ...sim, hardware: { ...sim.hardware, connectors } } });
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'UnlockConnector', { connectorId: 1 })).toEqual({ status: 'NotSupported' });
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sim.connectors[0]!.relay.state).toBe('closed');
  });
});

describe('TriggerMessage', () => {
  it('MeterValues: Accepted, then MeterValues with context Trigger (with the transactionId during a transaction)', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 })).toEqual({ status: 'Accepted' });
    await f.csms.waitForCall(CP, 'MeterValues', undefined, 5000);
    await startSession(f, CARD);
    await f.advance(60_000);
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    const mvs = f.sent('MeterValues');
    expect(mvs).toHaveLength(2);
    expect(mvs[0]).not.toHaveProperty('transactionId');
    expect(mvs[1]).toMatchObject({ connectorId: 1, transactionId: 1 });
    for (const mv of mvs) expect(mv.meterValue[0]!.sampledValue[0]).toMatchObject({ context: 'Trigger', measurand: 'Energy.Active.Import.Register' });
    expect(Number(mvs[1]!.meterValue[0]!.sampledValue[0]!.value)).toBeGreaterThan(0);
  });

  it('StatusNotification: for one connector, or for all and the charge point', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    let since = f.csms.mark();
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 2 })).toEqual({ status: 'Accepted' });
    await f.csms.waitForCall(CP, 'StatusNotification', { connectorId: 2, status: 'Available' }, { since, timeoutMs: 5000 });
    await f.advance(1000);
    const after = (s: number) => f.csms.traffic((r) => r.seq > s && r.direction === 'in' && r.action === 'StatusNotification');
    expect(after(since).map((r) => (r.payload as { connectorId: number }).connectorId)).toEqual([2]);

    since = f.csms.mark();
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'StatusNotification' })).toEqual({ status: 'Accepted' });
    await f.csms.waitForCall(CP, 'StatusNotification', { connectorId: 2 }, { since, timeoutMs: 5000 });
    await f.advance(1000);
    expect(after(since).map((r) => (r.payload as { connectorId: number }).connectorId)).toEqual([0, 1, 2]);
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 3 })).toEqual({ status: 'Rejected' });
  });
});

describe('ReserveNow / CancelReservation', () => {
  const inAnHour = (f: { clock: { now(): number } }) => new Date(f.clock.now() + 3_600_000).toISOString();

  it('Reserved; another card is ignored; the reserving idTag starts with the reservationId', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate: inAnHour(f), idTag: CARD, reservationId: 11 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Reserved');
    expect(f.statusTrail(1).at(-1)).toBe('Reserved');

    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Reserved');
    f.sim.rfid.tap(OTHER);
    await f.advance(1000);
    expect(f.sent('StartTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Reserved');

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: CARD, reservationId: 11 })]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    // The reservation was used: it cannot be cancelled any more.
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 11 })).toEqual({ status: 'Rejected' });
  });

  it('CancelReservation: Accepted for the reservation held (connector Available again), Rejected for unknown and stale ids', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate: new Date(f.clock.now() + 60_000).toISOString(), idTag: CARD, reservationId: 1 })).toEqual({
      status: 'Accepted',
    });
    await f.advance(61_000); // reservation 1 expires
    expect(f.agent.connectors[0]!.status).toBe('Available');
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate: inAnHour(f), idTag: CARD, reservationId: 2 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 7 })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 1 })).toEqual({ status: 'Rejected' }); // expired
    expect(f.agent.connectors[0]!.status).toBe('Reserved');
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 2 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Available');
    expect(f.statusTrail(1)).toEqual(['Available', 'Reserved', 'Available', 'Reserved', 'Available']);
  });

  it('ReserveNow on a charging connector: Occupied; a ReserveNow with the id held replaces that reservation', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate: inAnHour(f), idTag: OTHER, reservationId: 3 })).toEqual({ status: 'Occupied' });
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 2, expiryDate: inAnHour(f), idTag: OTHER, reservationId: 3 })).toEqual({ status: 'Accepted' });
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 2, expiryDate: inAnHour(f), idTag: 'NEWTAG', reservationId: 3 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[1]!.status).toBe('Reserved');
    // The replacement holds: NEWTAG may use it, OTHER may not.
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 2, idTag: OTHER })).toEqual({ status: 'Rejected' });
    f.sim.connectors[1]!.ev.plugIn();
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 2, idTag: 'NEWTAG' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.sent('StartTransaction')[1]).toMatchObject({ connectorId: 2, idTag: 'NEWTAG', reservationId: 3 });
  });
});
