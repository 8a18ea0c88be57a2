/**
 * The authorization rules a CSMS sets through the 2.0.1 device model, over a strict 2.0.1 CSMS:
 * AuthCacheCtrlr.LifeTime / Policy / Storage and AuthCtrlr.DisableRemoteAuthorization; and the
 * groupIdToken compared by value and type (C09, reservations). The cache itself:
 * agent/auth/cacheRules.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, TransactionEventRequest } from '../../ocpp201/messages.js';
import type { Refusal } from '../../sessions/SessionService.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';
const OTHER_CARD = '04FFEEDDCCBBAA';
const THIRD_CARD = '04123456789ABC';

async function plugIn(f: Agent201Fixture, connector = 1): Promise<void> {
  f.sim.connectors[connector - 1]!.ev.plugIn();
  await f.advance(SECOND);
}

const setVariable = (f: Agent201Fixture, component: string, variable: string, attributeValue: string) =>
  f.call('SetVariables', { setVariableData: [{ component: { name: component }, variable: { name: variable }, attributeValue }] }).then((r) => r.setVariableResult[0]!);
const getVariable = (f: Agent201Fixture, component: string, variable: string) =>
  f.call('GetVariables', { getVariableData: [{ component: { name: component }, variable: { name: variable } }] }).then((r) => r.getVariableResult[0]!);

describe('AuthCacheCtrlr', () => {
  it('LifeTime: a cached card not used for LifeTime s is asked of the CSMS again; used in time it is not', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { LocalPreAuthorize: true } });
    expect(await setVariable(f, 'AuthCacheCtrlr', 'LifeTime', '60')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await getVariable(f, 'AuthCacheCtrlr', 'LifeTime')).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '60' });
    expect(await f.agent.authorize(CARD, 'ISO14443')).toMatchObject({ status: 'Accepted', source: 'csms' });
    await f.advance(50 * SECOND, 10 * SECOND);
    expect(await f.agent.authorize(CARD, 'ISO14443')).toMatchObject({ status: 'Accepted', source: 'cache' });
    await f.advance(50 * SECOND, 10 * SECOND);
    expect(await f.agent.authorize(CARD, 'ISO14443')).toMatchObject({ status: 'Accepted', source: 'cache' });
    await f.advance(61 * SECOND, 10 * SECOND);
    expect(await f.agent.authorize(CARD, 'ISO14443')).toMatchObject({ status: 'Accepted', source: 'csms' });
    expect(f.csms.count('Authorize')).toBe(2);
  });

  it('Policy: LRU, LFU and FIFO are taken, CUSTOM is Rejected; Storage reports the bytes the entries take', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await getVariable(f, 'AuthCacheCtrlr', 'Policy')).toMatchObject({ attributeValue: 'LRU' });
    expect(await setVariable(f, 'AuthCacheCtrlr', 'Policy', 'CUSTOM')).toMatchObject({ attributeStatus: 'Rejected' });
    expect(await setVariable(f, 'AuthCacheCtrlr', 'Policy', 'FIFO')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(f.config.getString('AuthCachePolicy')).toBe('FIFO');
    expect(await getVariable(f, 'AuthCacheCtrlr', 'Storage')).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '0' });
    await f.agent.authorize(CARD, 'ISO14443');
    const { attributeValue } = await getVariable(f, 'AuthCacheCtrlr', 'Storage');
    expect(Number(attributeValue)).toBe(f.agent.authCache.storageBytes());
    expect(Number(attributeValue)).toBeGreaterThan(CARD.length);
    expect(await setVariable(f, 'AuthCacheCtrlr', 'Storage', '1')).toMatchObject({ attributeStatus: 'Rejected' });
  });
});

describe('AuthCtrlr.DisableRemoteAuthorization', () => {
  it('true: a card is decided by the local list and the cache alone, no Authorize; an unknown card is refused as Unknown', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('SendLocalList', {
      versionNumber: 1,
      updateType: 'Full',
      localAuthorizationList: [{ idToken: { idToken: OTHER_CARD, type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }],
    })).toEqual({ status: 'Accepted' });
    expect(await setVariable(f, 'AuthCtrlr', 'DisableRemoteAuthorization', 'true')).toMatchObject({ attributeStatus: 'Accepted' });
    await plugIn(f);
    const decided: string[] = [];
    f.agent.on('card', (_card, result) => decided.push(`${result.status}/${result.source}`));
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(decided).toEqual(['Unknown/local-unknown']);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    f.sim.rfid.tap(OTHER_CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    await f.waitForSent('TransactionEvent');
    expect(f.csms.count('Authorize')).toBe(0);
    // false again: the CSMS is asked.
    expect(await setVariable(f, 'AuthCtrlr', 'DisableRemoteAuthorization', 'false')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await f.agent.authorize(CARD, 'ISO14443')).toMatchObject({ status: 'Accepted', source: 'csms' });
    expect(f.csms.count('Authorize')).toBe(1);
  });
});

describe('groupIdToken by value and type', () => {
  const groups: Record<string, { idToken: string; type: 'Central' | 'Local' }> = {
    [CARD]: { idToken: 'FAMILY', type: 'Central' },
    [OTHER_CARD]: { idToken: 'FAMILY', type: 'Local' },
    [THIRD_CARD]: { idToken: 'FAMILY', type: 'Central' },
  };
  const answers = {
    Authorize: (params: unknown) => {
      const { idToken } = params as AuthorizeRequest;
      return { idTokenInfo: { status: 'Accepted', groupIdToken: groups[idToken.idToken] } };
    },
  };

  it('a card whose group has the same value but another type does not stop the session; one of the same value and type does', async () => {
    const f = await agent201Fixture({ connectors: 1, csms: { answers } });
    await plugIn(f);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.rfid.tap(OTHER_CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.rfid.tap(THIRD_CARD);
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    const ended = f.sent('TransactionEvent').find((e: TransactionEventRequest) => e.eventType === 'Ended');
    expect(ended).toMatchObject({ triggerReason: 'StopAuthorized', idToken: { idToken: THIRD_CARD, type: 'ISO14443' } });
  });

  it('an EVSE reserved for group FAMILY (Central) is not taken by a card of group FAMILY (Local)', async () => {
    const f = await agent201Fixture({ connectors: 1, csms: { answers } });
    const expiryDateTime = new Date(f.clock.now() + 3_600_000).toISOString();
    expect(await f.call('ReserveNow', { id: 4, evseId: 1, expiryDateTime, idToken: { idToken: 'SOMEONE', type: 'eMAID' }, groupIdToken: { idToken: 'FAMILY', type: 'Central' } })).toEqual({ status: 'Accepted' });
    await plugIn(f);
    const refusals: Refusal[] = [];
    f.agent.on('cardRefused', (_card, refusal) => refusals.push(refusal));
    f.sim.rfid.tap(OTHER_CARD);
    await f.advance(SECOND);
    expect(refusals.map((r) => r.reason)).toEqual(['reserved']);
    expect(f.agent.connectors[0]!.status).toBe('Reserved');
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    await f.waitForSent('TransactionEvent');
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ eventType: 'Started', reservationId: 4, idToken: { idToken: CARD } });
  });
});
