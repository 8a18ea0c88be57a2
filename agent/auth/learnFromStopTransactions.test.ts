import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../ocpp/OcppTraffic.js';
import { OcppConfiguration, type ConfigInput } from '../store/OcppConfiguration.js';
import { AuthorizationCache } from './AuthorizationCache.js';
import { LocalAuthList } from './LocalAuthList.js';
import { learnFromStopTransactions } from './learnFromStopTransactions.js';

const log = pino({ level: 'silent' });
const call = (messageId: string, payload: unknown, action = 'StopTransaction'): TrafficRecord => ({ direction: 'out', type: 'call', messageId, action, payload, at: 0 });
const result = (messageId: string, payload: unknown, type: TrafficRecord['type'] = 'result'): TrafficRecord => ({ direction: 'in', type, messageId, action: 'StopTransaction', payload, at: 0 });

async function setup(keys: Record<string, ConfigInput> = {}) {
  const config = await OcppConfiguration.open({ file: null, initial: keys, log });
  const cache = new AuthorizationCache();
  const list = LocalAuthList.inMemory(log);
  return { cache, list, learn: learnFromStopTransactions(cache, list, config) };
}

describe('learnFromStopTransactions', () => {
  it("puts a StopTransaction.conf idTagInfo under the idTag of the call it answers", async () => {
    const { cache, learn } = await setup();
    learn(call('1', { idTag: 'A', transactionId: 1 }));
    learn(call('2', { idTag: 'B', transactionId: 2 }));
    learn(result('2', { idTagInfo: { status: 'Blocked' } }));
    learn(result('1', { idTagInfo: { status: 'Expired', expiryDate: '2026-01-01T00:00:00.000Z' } }));
    expect(cache.get('A')).toEqual({ status: 'Expired', expiryDate: '2026-01-01T00:00:00.000Z' });
    expect(cache.get('B')).toEqual({ status: 'Blocked' });
  });

  it('ignores a stop without idTag, an answer without idTagInfo, a CallError and other actions', async () => {
    const { cache, learn } = await setup();
    learn(call('1', { transactionId: 1 }));
    learn(result('1', { idTagInfo: { status: 'Blocked' } }));
    learn(call('2', { idTag: 'A', transactionId: 2 }));
    learn(result('2', {}));
    learn(call('3', { idTag: 'B', transactionId: 3 }));
    learn(result('3', { errorCode: 'InternalError' }, 'error'));
    learn(result('3', { idTagInfo: { status: 'Blocked' } })); // no longer in flight
    learn(call('4', { idTag: 'C' }, 'Authorize'));
    learn({ ...result('4', { idTagInfo: { status: 'Blocked' } }), action: 'Authorize' });
    expect(cache.size).toBe(0);
  });

  it('learns nothing while AuthorizationCacheEnabled=false, nor for idTags on the local list', async () => {
    const off = await setup({ AuthorizationCacheEnabled: false });
    off.learn(call('1', { idTag: 'A', transactionId: 1 }));
    off.learn(result('1', { idTagInfo: { status: 'Blocked' } }));
    expect(off.cache.size).toBe(0);

    const listed = await setup();
    await listed.list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'L', idTagInfo: { status: 'Accepted' } }] }, { maxEntries: 10, maxPerRequest: 10 });
    listed.learn(call('1', { idTag: 'L', transactionId: 1 }));
    listed.learn(result('1', { idTagInfo: { status: 'Blocked' } }));
    expect(listed.cache.size).toBe(0);
  });
});
