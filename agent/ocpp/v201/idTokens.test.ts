/**
 * Identifiers with their kind (OCPP 2.0.1 IdTokenEnumType) over a strict 2.0.1 CSMS: the kind a
 * card reader, a remote start and the control API give reaches Authorize and the Started / Ended
 * TransactionEvents; the local list and the cache tell the same value of two kinds apart and keep
 * the statuses 1.6 lacks; idTokenInfo.evseId limits where a token may charge (NotAtThisLocation);
 * a card of the same groupIdToken stops the session (C09); NoAuthorization needs no Authorize.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from '../../store/FileJournal.js';
import type { AuthorizeRequest, TransactionEventRequest } from '../../ocpp201/messages.js';
import type { Refusal } from '../../sessions/SessionService.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';
const OTHER_CARD = '04FFEEDDCCBBAA';

const events = (f: Agent201Fixture): TransactionEventRequest[] => f.sent('TransactionEvent');

async function plugIn(f: Agent201Fixture, connector = 1): Promise<void> {
  f.sim.connectors[connector - 1]!.ev.plugIn();
  await f.advance(SECOND);
}

describe('the kind of an identifier on the wire', () => {
  it('an ISO 15693 card is authorized, started and stopped as ISO15693', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await plugIn(f);
    f.sim.rfid.tap(CARD, 'ISO15693');
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sent('Authorize')).toEqual([{ idToken: { idToken: CARD, type: 'ISO15693' } }]);
    f.sim.rfid.tap(CARD, 'ISO15693');
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    const [started, ended] = events(f);
    expect(started).toMatchObject({ eventType: 'Started', idToken: { idToken: CARD, type: 'ISO15693' } });
    expect(ended).toMatchObject({ eventType: 'Ended', triggerReason: 'StopAuthorized', idToken: { idToken: CARD, type: 'ISO15693' } });
    // Its own card stops a session without asking the CSMS again.
    expect(f.csms.count('Authorize')).toBe(1);
  });

  it('a start through the control API states its kind (KeyCode), and Local when it states none', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    await plugIn(f, 1);
    await plugIn(f, 2);
    expect((await f.agent.sessions.start({ origin: 'api', idTag: '4711', idTokenType: 'KeyCode', connectorId: 1 })).ok).toBe(true);
    await f.advance(SECOND);
    expect(f.sent('Authorize')).toEqual([{ idToken: { idToken: '4711', type: 'KeyCode' } }]);
    await f.waitForSent('TransactionEvent');
    expect(events(f)[0]).toMatchObject({ eventType: 'Started', evse: { id: 1 }, idToken: { idToken: '4711', type: 'KeyCode' } });
    expect((await f.agent.sessions.start({ origin: 'mqtt', idTag: 'HOME-APP', idTokenType: 'Local', connectorId: 2 })).ok).toBe(true);
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sent('Authorize')[1]).toEqual({ idToken: { idToken: 'HOME-APP', type: 'Local' } });
    expect(events(f)[1]).toMatchObject({ eventType: 'Started', evse: { id: 2 }, idToken: { idToken: 'HOME-APP', type: 'Local' } });
  });

  it('the kind is journaled with the start: a session of a station that was offline until it stopped is reported with it after the restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-idtokens-'));
    try {
      const file = join(dir, 'journal.log');
      const before = await FileJournal.open({ file });
      const f = await agent201Fixture({ connectors: 1, ocpp: { AllowOfflineTxForUnknownId: true }, agent: () => ({ journal: before }) });
      await f.csms.close();
      await f.advance(5 * SECOND);
      await plugIn(f);
      expect(await f.agent.sessions.start({ origin: 'api', idTag: '4711', idTokenType: 'KeyCode' })).toMatchObject({ ok: true, authorization: { source: 'offline-unknown' } });
      await f.advance(SECOND);
      expect(f.agent.connectors[0]!.status).toBe('Charging');
      await f.close();
      await before.close();

      // The station stopped (the session ended, Reboot) with both events undelivered; the restarted one delivers them from the journal, the Started with its kind.
      const after = await FileJournal.open({ file });
      const g = await agent201Fixture({ connectors: 1, agent: () => ({ journal: after }) });
      await g.advance(SECOND);
      await g.waitForSent('TransactionEvent', 2);
      expect(events(g).map((e) => [e.eventType, e.idToken, e.transactionInfo.stoppedReason])).toEqual([
        ['Started', { idToken: '4711', type: 'KeyCode' }, undefined],
        ['Ended', undefined, 'Reboot'],
      ]);
      await g.close();
      await after.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('NoAuthorization starts without an Authorize and says so in the Started event', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await plugIn(f);
    const started = await f.agent.sessions.start({ origin: 'api', idTag: '', idTokenType: 'NoAuthorization' });
    expect(started).toMatchObject({ ok: true, authorization: { status: 'Accepted', source: 'no-authorization' } });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(f.csms.count('Authorize')).toBe(0);
    expect(events(f)[0]).toMatchObject({ eventType: 'Started', idToken: { idToken: '', type: 'NoAuthorization' } });
    expect(f.agent.authCache.size).toBe(0);
  });
});

describe('the local list and the cache by value and kind', () => {
  it('SendLocalList with one value under two kinds: each decides for its own kind, statuses kept as sent', async () => {
    const f = await agent201Fixture({ connectors: 2, ocpp: { LocalPreAuthorize: true } });
    expect(await f.call('SendLocalList', {
      versionNumber: 3,
      updateType: 'Full',
      localAuthorizationList: [
        { idToken: { idToken: '1234', type: 'ISO14443' }, idTokenInfo: { status: 'NoCredit' } },
        { idToken: { idToken: '1234', type: 'KeyCode' }, idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, evseId: [2] } },
      ],
    })).toEqual({ status: 'Accepted' });
    expect(f.agent.localAuthList.size).toBe(2);
    expect(f.agent.localAuthList.get('1234', 'ISO14443')).toEqual({ status: 'NoCredit' });
    expect(f.agent.localAuthList.get('1234', 'KeyCode')).toEqual({ status: 'Accepted', parentIdTag: 'FLEET-7', parentIdTagType: 'Central', evseIds: [2] });
    await plugIn(f, 1);
    await plugIn(f, 2);
    // The card 1234 is refused by its own entry (NoCredit), without asking the CSMS.
    const decided: string[] = [];
    f.agent.on('card', (_card, result) => decided.push(result.status));
    f.sim.rfid.tap('1234');
    await f.advance(SECOND);
    expect(decided).toEqual(['NoCredit']);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Preparing', 'Preparing']);
    // The key code 1234 is Accepted by its entry, on EVSE 2 only.
    const refused = await f.agent.sessions.start({ origin: 'api', idTag: '1234', idTokenType: 'KeyCode', connectorId: 1 });
    expect(refused).toMatchObject({ ok: false, reason: 'not-authorized', authorization: { status: 'NotAtThisLocation' } });
    const started = await f.agent.sessions.start({ origin: 'api', idTag: '1234', idTokenType: 'KeyCode' });
    expect(started).toMatchObject({ ok: true, connectorId: 2, authorization: { source: 'local-list' } });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(events(f)[0]).toMatchObject({ eventType: 'Started', evse: { id: 2 }, idToken: { idToken: '1234', type: 'KeyCode' } });
    expect(f.csms.count('Authorize')).toBe(0);
    // A Differential update removes the KeyCode entry only.
    expect(await f.call('SendLocalList', { versionNumber: 4, updateType: 'Differential', localAuthorizationList: [{ idToken: { idToken: '1234', type: 'KeyCode' } }] })).toEqual({ status: 'Accepted' });
    expect(f.agent.localAuthList.get('1234', 'KeyCode')).toBeUndefined();
    expect(f.agent.localAuthList.get('1234', 'ISO14443')).toEqual({ status: 'NoCredit' });
  });

  it('the cache keeps what Authorize said of each kind, cacheExpiryDateTime included, and decides offline by kind', async () => {
    const expiry = new Date(Date.UTC(2026, 0, 1, 1)).toISOString();
    const f = await agent201Fixture({
      connectors: 1,
      ocpp: { LocalAuthorizeOffline: true },
      csms: {
        answers: {
          Authorize: (params) => {
            const { idToken } = params as unknown as AuthorizeRequest;
            return { idTokenInfo: idToken.type === 'KeyCode' ? { status: 'Accepted', cacheExpiryDateTime: expiry } : { status: 'NotAtThisTime' } };
          },
        },
      },
    });
    await plugIn(f);
    f.sim.rfid.tap('5555');
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    expect((await f.agent.sessions.start({ origin: 'api', idTag: '5555', idTokenType: 'KeyCode' })).ok).toBe(true);
    await f.advance(SECOND);
    expect(f.agent.authCache.get('5555', 'ISO14443')).toEqual({ status: 'NotAtThisTime' });
    expect(f.agent.authCache.get('5555', 'KeyCode')).toEqual({ status: 'Accepted', expiryDate: expiry });
    await f.waitForSent('TransactionEvent');
    expect(await f.agent.sessions.stopOn(1, 'Local')).toMatchObject({ ok: true });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);

    // Offline: the key code is Accepted from the cache until its cacheExpiryDateTime, the card never.
    await f.csms.close();
    await f.advance(5 * SECOND);
    const offline = await f.agent.authorize('5555', 'KeyCode');
    expect(offline).toMatchObject({ status: 'Accepted', source: 'cache' });
    expect(await f.agent.authorize('5555', 'ISO14443')).toMatchObject({ status: 'Invalid', source: 'offline-refused' });
    await f.clock.advanceAsync(60 * 60 * SECOND, () => Promise.resolve(), 60 * SECOND);
    expect(await f.agent.authorize('5555', 'KeyCode')).toMatchObject({ status: 'Invalid', source: 'offline-refused' });
  });
});

describe('reservations by kind', () => {
  it('an EVSE reserved for a KeyCode is not taken by a card of the same value; the key code starts there with the reservation', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const expiryDateTime = new Date(f.clock.now() + 3_600_000).toISOString();
    expect(await f.call('ReserveNow', { id: 9, evseId: 1, expiryDateTime, idToken: { idToken: '1234', type: 'KeyCode' } })).toEqual({ status: 'Accepted' });
    await plugIn(f);
    const refusals: Refusal[] = [];
    f.agent.on('cardRefused', (_card, refusal) => refusals.push(refusal));
    f.sim.rfid.tap('1234');
    await f.advance(SECOND);
    expect(refusals).toEqual([{ reason: 'reserved', message: 'connector 1 is reserved for another driver' }]);
    expect(f.csms.count('Authorize')).toBe(0);
    expect(f.agent.connectors[0]!.status).toBe('Reserved');
    expect(await f.agent.sessions.start({ origin: 'api', idTag: '1234', idTokenType: 'KeyCode' })).toMatchObject({ ok: true, connectorId: 1 });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(events(f)[0]).toMatchObject({ eventType: 'Started', reservationId: 9, idToken: { idToken: '1234', type: 'KeyCode' } });
  });
});

describe('groups (C09)', () => {
  it('a card of the same groupIdToken stops the session; the Ended event carries that card', async () => {
    const f = await agent201Fixture({
      connectors: 1,
      csms: { answers: { Authorize: () => ({ idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'FAMILY', type: 'Central' } } }) } },
    });
    await plugIn(f);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.rfid.tap(OTHER_CARD);
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sent('Authorize').map((a) => a.idToken)).toEqual([{ idToken: CARD, type: 'ISO14443' }, { idToken: OTHER_CARD, type: 'ISO14443' }]);
    expect(events(f)[1]).toMatchObject({ eventType: 'Ended', triggerReason: 'StopAuthorized', transactionInfo: { stoppedReason: 'Local' }, idToken: { idToken: OTHER_CARD, type: 'ISO14443' } });
    expect(f.agent.authCache.get(OTHER_CARD, 'ISO14443')).toEqual({ status: 'Accepted', parentIdTag: 'FAMILY', parentIdTagType: 'Central' });
  });
});

describe('idTokenInfo.evseId', () => {
  it('a card allowed on EVSE 2 only does not start on EVSE 1 (NotAtThisLocation) but does on EVSE 2', async () => {
    const f = await agent201Fixture({ connectors: 2, csms: { answers: { Authorize: () => ({ idTokenInfo: { status: 'Accepted', evseId: [2] } }) } } });
    const refusals: Refusal[] = [];
    f.agent.on('cardRefused', (_card, refusal) => refusals.push(refusal));
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } })).toEqual({ status: 'Accepted' });
    await plugIn(f, 1);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Preparing', 'Unavailable']);
    expect(refusals).toEqual([{ reason: 'not-authorized', message: expect.stringContaining('NotAtThisLocation') }]);
    expect(f.csms.count('TransactionEvent')).toBe(0);
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 2 } })).toEqual({ status: 'Accepted' });
    await plugIn(f, 2);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Preparing', 'Charging']);
    await f.waitForSent('TransactionEvent');
    expect(events(f)[0]).toMatchObject({ eventType: 'Started', evse: { id: 2 } });
  });
});
