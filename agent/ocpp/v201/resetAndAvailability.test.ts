/**
 * Reset (Immediate / OnIdle) and ChangeAvailability (station, EVSE, connector; Scheduled while a
 * transaction runs) of the OCPP 2.0.1 face over a strict 2.0.1 CSMS, carried out by the same
 * services that carry out the 1.6 Reset and ChangeAvailability. Sessions start with a card: the
 * station authorizes it with a 2.0.1 Authorize (idToken of type ISO14443).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';

async function startSession(f: Agent201Fixture, connectorId = 1, card = CARD): Promise<void> {
  f.sim.connectors[connectorId - 1]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap(card);
  await f.advance(SECOND);
  expect(f.agent.connectors[connectorId - 1]!.status).toBe('Charging');
}

describe('Authorize', () => {
  it('asks the CSMS about a card as an ISO14443 idToken and starts on its Accepted idTokenInfo', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await startSession(f);
    expect(f.sent('Authorize')).toEqual([{ idToken: { idToken: CARD, type: 'ISO14443' } }]);
  });

  it('does not start on a card the CSMS refuses with a status 1.6 lacks, and caches that status as it is', async () => {
    const f = await agent201Fixture({ connectors: 1, csms: { answers: { Authorize: () => ({ idTokenInfo: { status: 'NotAtThisLocation' } }) } } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).not.toBe('Charging');
    expect(f.agent.authCache.get(CARD, 'ISO14443')?.status).toBe('NotAtThisLocation');
  });
});

describe('Reset', () => {
  it('Immediate: Accepted, then the station boots again with reason RemoteReset', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('BootNotification', 2);
    expect(f.sent('BootNotification').map((b) => b.reason)).toEqual(['PowerUp', 'RemoteReset']);
  });

  it('Immediate during a transaction ends it first and hands the reset to the owner', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const resets: string[] = [];
    f.agent.on('reset', (type) => void resets.push(type));
    await startSession(f);
    expect(await f.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await expect.poll(() => resets, { timeout: 5000, interval: 5 }).toEqual(['Hard']);
    expect(f.agent.transactions.get(1)).toBeUndefined();
  });

  it('OnIdle during a transaction is Scheduled and carried out when the last transaction ends', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    const resets: string[] = [];
    f.agent.on('reset', (type) => void resets.push(type));
    await startSession(f, 1);
    expect(await f.call('Reset', { type: 'OnIdle' })).toEqual({ status: 'Scheduled' });
    expect(await f.call('Reset', { type: 'OnIdle' })).toEqual({ status: 'Scheduled' });
    await f.advance(60 * SECOND);
    expect(resets).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.connectors[0]!.ev.unplug(); // StopTxOnEVSideDisconnect: the transaction ends
    await f.advance(SECOND);
    await expect.poll(() => resets, { timeout: 5000, interval: 5 }).toEqual(['Hard']);
  });

  it('OnIdle with nothing running resets at once', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const resets: string[] = [];
    f.agent.on('reset', (type) => void resets.push(type));
    expect(await f.call('Reset', { type: 'OnIdle' })).toEqual({ status: 'Accepted' });
    await expect.poll(() => resets, { timeout: 5000, interval: 5 }).toEqual(['Hard']);
  });
});

describe('Reset of one EVSE', () => {
  it('Immediate ends the transaction of that EVSE (ImmediateReset) and starts its connector again; the other EVSE charges on and the station does not restart', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    const resets: string[] = [];
    f.agent.on('reset', (type) => void resets.push(type));
    await startSession(f, 1);
    await startSession(f, 2, '04B2C3D4E5F607');
    const restarted = vi.spyOn(f.agent, 'resetConnector');
    expect(await f.call('Reset', { type: 'Immediate', evseId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await expect.poll(() => f.sent('TransactionEvent').filter((e) => e.eventType === 'Ended'), { timeout: 5000, interval: 5 }).toHaveLength(1);
    const ended = f.sent('TransactionEvent').find((e) => e.eventType === 'Ended')!;
    const startedOn1 = f.sent('TransactionEvent').find((e) => e.eventType === 'Started' && e.evse?.id === 1)!;
    expect(ended).toMatchObject({ triggerReason: 'ResetCommand', transactionInfo: { transactionId: startedOn1.transactionInfo.transactionId, stoppedReason: 'ImmediateReset' } });
    await expect.poll(() => restarted.mock.settledResults[0]?.value, { timeout: 5000, interval: 5 }).toBe(true);
    expect(restarted.mock.calls).toEqual([[1]]);
    // The EV still plugged in finds a connector that has started again, as after a restart: a card starts a new session.
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    expect(f.agent.connectors[1]!.status).toBe('Charging');
    expect(f.agent.transactions.get(2)).toBeDefined();
    expect(resets).toEqual([]);
    expect(f.csms.count('BootNotification')).toBe(1);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    await expect.poll(() => f.sent('StatusNotification').filter((s) => s.evseId === 1).at(-1)?.connectorStatus, { timeout: 5000, interval: 5 }).toBe('Available');
  });

  it('OnIdle during a transaction on that EVSE is Scheduled and carried out when it ends; the other EVSE is untouched', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    await startSession(f, 1);
    await startSession(f, 2, '04B2C3D4E5F607');
    const restarted = vi.spyOn(f.agent, 'resetConnector');
    expect(await f.call('Reset', { type: 'OnIdle', evseId: 2 })).toEqual({ status: 'Scheduled' });
    expect(await f.call('Reset', { type: 'OnIdle', evseId: 2 })).toEqual({ status: 'Scheduled' });
    await f.advance(60 * SECOND);
    expect(restarted).not.toHaveBeenCalled();
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Charging', 'Charging']);
    // The transaction on EVSE 1 ending does not carry out EVSE 2's reset.
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    expect(restarted).not.toHaveBeenCalled();
    f.sim.connectors[1]!.ev.unplug();
    await f.advance(SECOND);
    await expect.poll(() => restarted.mock.calls, { timeout: 5000, interval: 5 }).toEqual([[2]]);
    await expect.poll(() => restarted.mock.settledResults[0]?.value, { timeout: 5000, interval: 5 }).toBe(true);
    const ended = f.sent('TransactionEvent').filter((e) => e.eventType === 'Ended');
    expect(ended.map((e) => e.transactionInfo.stoppedReason)).toEqual(['EVDisconnected', 'EVDisconnected']);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Available', 'Available']);
  });

  it('an idle EVSE is reset at once and keeps its reservation; an EVSE the station does not have is Rejected (UnknownEvse)', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    const resets: string[] = [];
    f.agent.on('reset', (type) => void resets.push(type));
    const expiryDateTime = new Date(f.clock.now() + 600 * SECOND).toISOString();
    expect(await f.call('ReserveNow', { id: 5, expiryDateTime, idToken: { idToken: CARD, type: 'ISO14443' }, evseId: 2 })).toEqual({ status: 'Accepted' });
    await f.advance(0);
    expect(f.agent.connectors[1]!.status).toBe('Reserved');
    const restarted = vi.spyOn(f.agent, 'resetConnector');
    expect(await f.call('Reset', { type: 'OnIdle', evseId: 2 })).toEqual({ status: 'Accepted' });
    await expect.poll(() => restarted.mock.calls, { timeout: 5000, interval: 5 }).toEqual([[2]]);
    await expect.poll(() => restarted.mock.settledResults[0]?.value, { timeout: 5000, interval: 5 }).toBe(true);
    expect(f.agent.connectors[1]!.status).toBe('Reserved');
    expect(f.agent.connectors[1]!.reservationId).toBe(5);
    for (const evseId of [0, 3]) {
      expect(await f.call('Reset', { type: 'Immediate', evseId })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
    }
    await f.advance(SECOND);
    expect(restarted.mock.calls).toEqual([[2]]);
    expect(resets).toEqual([]);
    expect(f.csms.count('BootNotification')).toBe(1);
  });
});

describe('ChangeAvailability', () => {
  it('Inoperative for the station makes every EVSE Unavailable; Operative brings them back', async () => {
    const f = await agent201Fixture();
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await f.advance(0);
    await f.waitForSent('StatusNotification', 4);
    expect(f.sent('StatusNotification').slice(2).map((s) => `${s.evseId}:${s.connectorStatus}`).sort()).toEqual(['1:Unavailable', '2:Unavailable']);
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Operative' })).toEqual({ status: 'Accepted' });
    await f.advance(0);
    await f.waitForSent('StatusNotification', 6);
    expect(f.sent('StatusNotification').slice(4).map((s) => `${s.evseId}:${s.connectorStatus}`).sort()).toEqual(['1:Available', '2:Available']);
  });

  it('one EVSE (or its connector); an EVSE or connector that is not there is Rejected', async () => {
    const f = await agent201Fixture();
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2, connectorId: 1 } })).toEqual({ status: 'Accepted' });
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 3 } })).toMatchObject({ status: 'Rejected' });
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 2 } })).toMatchObject({ status: 'Rejected' });
    await f.advance(0);
    await f.waitForSent('StatusNotification', 3);
    expect(f.sent('StatusNotification').slice(2).map((s) => `${s.evseId}:${s.connectorStatus}`)).toEqual(['2:Unavailable']);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Available', 'Unavailable']);
  });

  it('is Scheduled while a transaction runs on the EVSE, and takes effect when it ends', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await startSession(f);
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).toEqual({ status: 'Scheduled' });
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    await expect.poll(() => f.agent.connectors[0]!.status, { timeout: 5000, interval: 5 }).toBe('Unavailable');
    await f.waitForSent('StatusNotification', 3);
    expect(f.sent('StatusNotification').map((s) => s.connectorStatus)).toEqual(['Available', 'Occupied', 'Unavailable']);
  });
});
