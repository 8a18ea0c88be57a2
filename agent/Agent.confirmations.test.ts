/**
 * What the CSMS answers to StopTransaction comes back through the transaction sender that sent it,
 * and the authorization cache learns from it (OCPP 1.6 §3.5.2); the link's traffic records are
 * built only while someone listens to the Agent's `traffic` event. In process on virtual time
 * against the embedded strict CSMS (test/support/agentFixture.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OcppTraffic, type TrafficRecord } from './ocpp/OcppTraffic.js';
import { CP, agentFixture, cleanupAgents, startSession } from '../test/support/agentFixture.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await cleanupAgents();
});

const CARD = '04A1B2C3D4E5F6';

/** A session started and ended by the same card, the CSMS blocking the card in between. */
async function blockedWhileCharging(f: Awaited<ReturnType<typeof agentFixture>>): Promise<void> {
  await startSession(f, CARD);
  f.csms.setAuthorization({ [CARD]: { status: 'Blocked' } });
  f.sim.rfid.tap(CARD);
  await f.advance(2000);
  expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ idTag: CARD, reason: 'Local' })]);
}

describe('StopTransaction.conf idTagInfo', () => {
  it('updates the authorization cache entry of the idTag that stopped', async () => {
    const f = await agentFixture();
    await blockedWhileCharging(f);
    expect(f.agent.authCache.get(CARD)).toEqual({ status: 'Blocked' });
  });

  it('is not learnt while AuthorizationCacheEnabled is false', async () => {
    const f = await agentFixture({ ocpp: { AuthorizationCacheEnabled: false } });
    await blockedWhileCharging(f);
    expect(f.agent.authCache.size).toBe(0);
  });

  it('is not learnt for an idTag on the Local Authorization List (the list decides it)', async () => {
    const f = await agentFixture({ ocpp: { LocalAuthListEnabled: true } });
    await f.agent.localAuthList.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: CARD, idTagInfo: { status: 'Accepted' } }] }, { maxEntries: 10, maxPerRequest: 10 });
    await blockedWhileCharging(f);
    expect(f.agent.authCache.get(CARD)).toBeUndefined();
  });
});

describe('traffic records', () => {
  it('are not built for chargers nobody listens to; built while someone does', async () => {
    const built = [vi.spyOn(OcppTraffic.prototype, 'call'), vi.spyOn(OcppTraffic.prototype, 'response')];
    const fleet = [await agentFixture(), await agentFixture(), await agentFixture()];
    for (const f of fleet) await blockedWhileCharging(f);
    expect(fleet.map((f) => f.agent.link.listenerCount('message'))).toEqual([0, 0, 0]);
    expect(built.map((spy) => spy.mock.calls.length)).toEqual([0, 0]);

    const [watched] = fleet;
    const records: TrafficRecord[] = [];
    const listener = (r: TrafficRecord) => void records.push(r);
    watched!.agent.on('traffic', listener);
    expect(watched!.agent.link.listenerCount('message')).toBe(1);
    expect(await watched!.csms.call(CP, 'TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
    await watched!.advance(1000);
    expect(records.map((r) => `${r.direction} ${r.type} ${r.action}`)).toEqual(['in call TriggerMessage', 'out result TriggerMessage', 'out call Heartbeat', 'in result Heartbeat']);

    watched!.agent.off('traffic', listener);
    expect(watched!.agent.link.listenerCount('message')).toBe(0);
    records.length = 0;
    await watched!.csms.call(CP, 'TriggerMessage', { requestedMessage: 'Heartbeat' });
    await watched!.advance(1000);
    expect(records).toEqual([]);
  });
});
