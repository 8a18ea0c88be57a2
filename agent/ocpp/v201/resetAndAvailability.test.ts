/**
 * Reset (Immediate / OnIdle) and ChangeAvailability (station, EVSE, connector; Scheduled while a
 * transaction runs) of the OCPP 2.0.1 face over a strict 2.0.1 CSMS, carried out by the same
 * services that carry out the 1.6 Reset and ChangeAvailability. Sessions start with a card: the
 * station authorizes it with a 2.0.1 Authorize (idToken of type ISO14443).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';

async function startSession(f: Agent201Fixture, connectorId = 1): Promise<void> {
  f.sim.connectors[connectorId - 1]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap(CARD);
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

  it('OnIdle with nothing running resets at once; a reset of one EVSE is Rejected (the station resets as a whole)', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const resets: string[] = [];
    f.agent.on('reset', (type) => void resets.push(type));
    expect(await f.call('Reset', { type: 'Immediate', evseId: 1 })).toMatchObject({ status: 'Rejected' });
    expect(await f.call('Reset', { type: 'OnIdle' })).toEqual({ status: 'Accepted' });
    await expect.poll(() => resets, { timeout: 5000, interval: 5 }).toEqual(['Hard']);
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
