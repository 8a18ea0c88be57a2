/**
 * The embedded CSMS authorizes 2.0.1 idTokens by value and type: its authorization rule (a
 * `Type:value` key before the plain value, 2.0.1's statuses, said Invalid to a 1.6 charger) and the
 * operator's short forms (`remote-start KeyCode:4711`, `send-local-list` with typed entries). The
 * real Agent over a real WebSocket on 127.0.0.1, strict validation both ways, virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, CP } from '../../test/support/agentFixture.js';
import { operatorConsole } from '../../test/support/operatorConsole.js';

afterEach(cleanupAgents);

const RULE = { 'KeyCode:1234': 'Invalid', '1234': 'Accepted', 'KeyCode:9999': 'NoCredit', 'Central:FLEET': { status: 'Accepted', parentIdTag: 'FAMILY', parentIdTagType: 'Local' } } as const;

describe('the authorization rule by value and type', () => {
  it('refuses the KeyCode 1234 and accepts the card 1234; a 2.0.1 status reaches the station as said', async () => {
    const f = await agentFixture({ ocppVersion: '2.0.1', charger: { connectors: 2 }, csms: { authorization: RULE } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('1234');
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(await f.agent.authorize('1234', 'KeyCode')).toMatchObject({ status: 'Invalid', source: 'csms' });
    expect(await f.agent.authorize('9999', 'KeyCode')).toMatchObject({ status: 'NoCredit', source: 'csms' });
    expect(await f.agent.authorize('9999', 'ISO14443')).toMatchObject({ status: 'Invalid', source: 'csms' }); // not listed as a card
    expect(await f.agent.authorize('FLEET', 'Central')).toMatchObject({ status: 'Accepted', parentIdTag: 'FAMILY', parentIdTagType: 'Local' });
    const authorizes = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call' && r.action === 'Authorize').map((r) => r.payload);
    expect(authorizes).toEqual([
      { idToken: { idToken: '1234', type: 'ISO14443' } },
      { idToken: { idToken: '1234', type: 'KeyCode' } },
      { idToken: { idToken: '9999', type: 'KeyCode' } },
      { idToken: { idToken: '9999', type: 'ISO14443' } },
      { idToken: { idToken: 'FLEET', type: 'Central' } },
    ]);
    expect(f.csms.violations(CP)).toEqual([]);
  });

  it('a function rule is told the kind; the same rule serves a 1.6 charger by value, 2.0.1 statuses read Invalid', async () => {
    const kinds: (string | undefined)[] = [];
    const f = await agentFixture({ ocppVersion: '2.0.1', csms: { authorization: (idTag, _cp, type) => (kinds.push(type), idTag === 'A' ? 'Accepted' : 'NotAtThisTime') } });
    expect(await f.agent.authorize('A', 'eMAID')).toMatchObject({ status: 'Accepted' });
    expect(await f.agent.authorize('B', 'KeyCode')).toMatchObject({ status: 'NotAtThisTime' });
    expect(kinds).toEqual(['eMAID', 'KeyCode']);

    const v16 = await agentFixture({ csms: { authorization: RULE } });
    expect(await v16.agent.authorize('1234')).toMatchObject({ status: 'Accepted', source: 'csms' });
    expect(await v16.agent.authorize('9999')).toMatchObject({ status: 'Invalid', source: 'csms' });
    expect(v16.csms.violations(CP)).toEqual([]);
  });
});

describe('operator short forms with idToken types (2.0.1)', () => {
  it('remote-start Type:value starts with that type; send-local-list installs typed entries with 2.0.1 statuses', async () => {
    const f = await agentFixture({ ocppVersion: '2.0.1' });
    const { run } = operatorConsole(f);
    expect(await run('send-local-list 2 Full 1234 keycode:1234=blocked eMAID:DE*ABC*E1=NoCredit 00:1A:2B=Accepted')).toEqual({ status: 'Accepted' });
    expect(f.agent.localAuthList.get('1234', 'ISO14443')).toEqual({ status: 'Accepted' });
    expect(f.agent.localAuthList.get('1234', 'KeyCode')).toEqual({ status: 'Blocked' });
    expect(f.agent.localAuthList.get('DE*ABC*E1', 'eMAID')).toEqual({ status: 'NoCredit' });
    expect(f.agent.localAuthList.get('00:1A:2B', 'ISO14443')).toEqual({ status: 'Accepted' }); // a MAC's colons name no kind
    expect(await run('send-local-list 3 Differential KeyCode:1234=-')).toEqual({ status: 'Accepted' });
    expect(f.agent.localAuthList.get('1234', 'KeyCode')).toBeUndefined();
    expect(f.agent.localAuthList.get('1234', 'ISO14443')).toEqual({ status: 'Accepted' });

    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(await run('remote-start KeyCode:4711 1')).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    const started = await f.csms.waitForCall201(CP, 'TransactionEvent', { eventType: 'Started' });
    expect(started.payload.idToken).toEqual({ idToken: '4711', type: 'KeyCode' });
    expect(f.csms.violations(CP)).toEqual([]);
  });
});
