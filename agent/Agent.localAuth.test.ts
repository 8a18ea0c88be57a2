/**
 * Local authorization through the real strict CSMS (test/support/agentFixture.ts): SendLocalList
 * and GetLocalListVersion handled by the agent, cards decided from the Local Authorization List
 * with the CSMS gone, ClearCache, and the cache learning from StopTransaction.conf.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CP, agentFixture, cleanupAgents } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const OTHER = '04FFEEDDCCBBAA';

describe('SendLocalList / GetLocalListVersion through the strict CSMS', () => {
  it('installs, updates and reports the list version; stale differentials and oversized requests are refused', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'GetLocalListVersion', {})).toEqual({ listVersion: 0 });
    const full = { listVersion: 4, updateType: 'Full' as const, localAuthorizationList: [{ idTag: CARD, idTagInfo: { status: 'Accepted' as const } }] };
    expect(await f.csms.call(CP, 'SendLocalList', full)).toEqual({ status: 'Accepted' });
    expect(await f.csms.call(CP, 'GetLocalListVersion', {})).toEqual({ listVersion: 4 });
    const diff = { listVersion: 4, updateType: 'Differential' as const, localAuthorizationList: [{ idTag: OTHER, idTagInfo: { status: 'Blocked' as const } }] };
    expect(await f.csms.call(CP, 'SendLocalList', diff)).toEqual({ status: 'VersionMismatch' });
    expect(await f.csms.call(CP, 'SendLocalList', { ...diff, listVersion: 5 })).toEqual({ status: 'Accepted' });
    expect(f.agent.localAuthList.get(OTHER)).toEqual({ status: 'Blocked' });
    // SendLocalListMaxLength (default 100) exceeded.
    const many = Array.from({ length: 101 }, (_, i) => ({ idTag: `T${i}`, idTagInfo: { status: 'Accepted' as const } }));
    expect(await f.csms.call(CP, 'SendLocalList', { listVersion: 6, updateType: 'Full', localAuthorizationList: many })).toEqual({ status: 'Failed' });
    expect(await f.csms.call(CP, 'GetLocalListVersion', {})).toEqual({ listVersion: 5 });
  });

  it('LocalAuthListEnabled=false: SendLocalList is NotSupported and the version reads -1', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'LocalAuthListEnabled', value: 'false' })).toEqual({ status: 'Accepted' });
    expect(await f.csms.call(CP, 'SendLocalList', { listVersion: 1, updateType: 'Full' })).toEqual({ status: 'NotSupported' });
    expect(await f.csms.call(CP, 'GetLocalListVersion', {})).toEqual({ listVersion: -1 });
  });
});

describe('cards decided from the Local Authorization List', () => {
  async function withList(ocpp: Record<string, boolean> = {}) {
    const f = await agentFixture({ ocpp });
    const localAuthorizationList = [
      { idTag: CARD, idTagInfo: { status: 'Accepted' as const } },
      { idTag: OTHER, idTagInfo: { status: 'Blocked' as const } },
    ];
    expect(await f.csms.call(CP, 'SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList })).toEqual({ status: 'Accepted' });
    return f;
  }

  it('LocalPreAuthorize: a listed card starts at once, without an Authorize round trip', async () => {
    const f = await withList({ LocalPreAuthorize: true });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sent('Authorize')).toEqual([]);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ idTag: CARD })]);
  });

  it('with the CSMS stopped, a listed card starts locally and a Blocked one is refused', async () => {
    const f = await withList({ LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true });
    await f.csms.stop();
    await f.advance(2000);
    expect(f.agent.link.isAccepted).toBe(false);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(OTHER); // Blocked on the list: refused although unknown tags would be allowed
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sim.connectors[0]!.relay.state).toBe('closed');
    expect(f.sent('Authorize')).toEqual([]);
  });

  it('with the connection dropped, a listed card starts locally before the agent is back', async () => {
    const f = await withList();
    const seen: string[] = [];
    f.agent.on('card', (card, result) => void seen.push(`${card.uid}:${result.status}:${result.source}`));
    await f.csms.disconnect(CP);
    await f.settle();
    expect(f.agent.link.isAccepted).toBe(false);
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.settle();
    expect(seen).toEqual([`${CARD}:Accepted:local-list`]);
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    // Back online, the journaled StartTransaction reaches the CSMS.
    await f.advance(5000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ idTag: CARD })]);
  });
});

describe('authorization cache through the CSMS', () => {
  it('learns from StopTransaction.conf, and ClearCache empties it', async () => {
    const f = await agentFixture();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.agent.authCache.get(CARD)).toEqual({ status: 'Accepted' });
    f.csms.setAuthorization({ [CARD]: 'Blocked' });
    f.sim.rfid.tap(CARD); // the starting card stops without asking; the answer carries its new status
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ idTag: CARD })]);
    expect(f.agent.authCache.get(CARD)).toEqual({ status: 'Blocked' });
    expect(await f.csms.call(CP, 'ClearCache', {})).toEqual({ status: 'Accepted' });
    expect(f.agent.authCache.size).toBe(0);
  });
});
