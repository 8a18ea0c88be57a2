/**
 * OCPP 1.6 local authorization (§3.5 and the Core keys LocalPreAuthorize, LocalAuthorizeOffline,
 * AllowOfflineTxForUnknownId, AuthorizationCacheEnabled). The OCPP link is a small fake
 * OcppCaller (online/offline switch, scripted Authorize answers, a call log); the cache, the
 * configuration store and the clock are the real ones.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import type { Ocpp16Action, RequestOf, ResponseOf } from '../ocpp/v16/messages.js';
import { OcppConfiguration, type ConfigInput } from '../store/OcppConfiguration.js';
import { AuthorizationCache, type IdTagInfo } from './AuthorizationCache.js';
import { Authorizer } from './Authorizer.js';

/** Fake link: answers Authorize from `answers` (unknown tags Invalid); throws when `fail` is set. */
class FakeCaller implements OcppCaller {
  isAccepted = true;
  fail: Error | undefined;
  readonly calls: { action: string; payload: unknown }[] = [];
  constructor(readonly answers: Record<string, IdTagInfo> = {}) {}

  async call<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>> {
    this.calls.push({ action, payload });
    if (this.fail) throw this.fail;
    if (action !== 'Authorize') throw new Error(`unexpected ${action}`);
    const { idTag } = payload as RequestOf<'Authorize'>;
    return { idTagInfo: this.answers[idTag] ?? { status: 'Invalid' } } as ResponseOf<A>;
  }
}

async function setup(keys: Record<string, ConfigInput> = {}, answers: Record<string, IdTagInfo> = {}) {
  const log = pino({ level: 'silent' });
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1, 12));
  const config = await OcppConfiguration.open({ file: null, initial: keys, log });
  const cache = new AuthorizationCache();
  const link = new FakeCaller(answers);
  const authorizer = new Authorizer({ link, cache, config, clock, log });
  return { clock, config, cache, link, authorizer };
}

const past = new Date(Date.UTC(2026, 0, 1, 11)).toISOString();
const future = new Date(Date.UTC(2026, 0, 2)).toISOString();

describe('Authorizer online', () => {
  it('asks the CSMS and caches its answer (status, expiry, parent)', async () => {
    const { authorizer, cache, link } = await setup({}, { A: { status: 'Accepted', parentIdTag: 'P', expiryDate: future } });
    expect(await authorizer.authorize('A')).toEqual({ status: 'Accepted', parentIdTag: 'P', source: 'csms' });
    expect(await authorizer.authorize('B')).toEqual({ status: 'Invalid', source: 'csms' });
    expect(link.calls).toEqual([
      { action: 'Authorize', payload: { idTag: 'A' } },
      { action: 'Authorize', payload: { idTag: 'B' } },
    ]);
    expect(cache.get('A')).toEqual({ status: 'Accepted', parentIdTag: 'P', expiryDate: future });
    expect(cache.get('B')).toEqual({ status: 'Invalid' });
  });

  it('LocalPreAuthorize: a cached Accepted tag is answered without a call', async () => {
    const { authorizer, cache, link } = await setup({ LocalPreAuthorize: true });
    cache.put('A', { status: 'Accepted', parentIdTag: 'P', expiryDate: future });
    expect(await authorizer.authorize('A')).toEqual({ status: 'Accepted', parentIdTag: 'P', source: 'cache' });
    expect(link.calls).toEqual([]);
  });

  it('without LocalPreAuthorize a cached tag is still asked for online', async () => {
    const { authorizer, cache, link } = await setup({ LocalPreAuthorize: false }, { A: { status: 'Blocked' } });
    cache.put('A', { status: 'Accepted' });
    expect(await authorizer.authorize('A')).toEqual({ status: 'Blocked', source: 'csms' });
    expect(link.calls).toHaveLength(1);
    expect(cache.get('A')?.status).toBe('Blocked');
  });

  it('LocalPreAuthorize: an expired entry (expiryDate passed on the clock) is not used; the CSMS decides', async () => {
    const { authorizer, cache, link, clock } = await setup({ LocalPreAuthorize: true }, { A: { status: 'Invalid' } });
    cache.put('A', { status: 'Accepted', expiryDate: new Date(clock.now() + 60_000).toISOString() });
    expect(await authorizer.authorize('A')).toMatchObject({ status: 'Accepted', source: 'cache' });
    clock.advance(60_000); // expiryDate reached
    expect(await authorizer.authorize('A')).toEqual({ status: 'Invalid', source: 'csms' });
    expect(link.calls).toHaveLength(1);
  });

  it('LocalPreAuthorize: a cached Blocked entry is never accepted locally', async () => {
    const { authorizer, cache, link } = await setup({ LocalPreAuthorize: true }, { A: { status: 'Blocked' } });
    cache.put('A', { status: 'Blocked' });
    expect(await authorizer.authorize('A')).toEqual({ status: 'Blocked', source: 'csms' });
    expect(link.calls).toHaveLength(1);
  });

  it('a failing Authorize call is decided as if offline', async () => {
    const { authorizer, cache, link } = await setup({ LocalAuthorizeOffline: true });
    cache.put('A', { status: 'Accepted' });
    link.fail = new Error('timeout');
    expect(await authorizer.authorize('A')).toEqual({ status: 'Accepted', source: 'cache' });
    expect(await authorizer.authorize('B')).toEqual({ status: 'Invalid', source: 'offline-refused' });
  });
});

describe('Authorizer offline', () => {
  it('LocalAuthorizeOffline + cached Accepted → accepted from the cache, no call', async () => {
    const { authorizer, cache, link } = await setup({ LocalAuthorizeOffline: true });
    link.isAccepted = false;
    cache.put('A', { status: 'Accepted', parentIdTag: 'P' });
    expect(await authorizer.authorize('A')).toEqual({ status: 'Accepted', parentIdTag: 'P', source: 'cache' });
    expect(link.calls).toEqual([]);
  });

  it('without LocalAuthorizeOffline a cached tag is refused offline', async () => {
    const { authorizer, cache, link } = await setup({ LocalAuthorizeOffline: false });
    link.isAccepted = false;
    cache.put('A', { status: 'Accepted' });
    expect(await authorizer.authorize('A')).toMatchObject({ status: 'Invalid' });
  });

  it('an expired cached entry is refused offline', async () => {
    const { authorizer, cache, link } = await setup({ LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true });
    link.isAccepted = false;
    cache.put('A', { status: 'Accepted', expiryDate: past });
    expect(await authorizer.authorize('A')).toMatchObject({ status: 'Invalid' });
  });

  it('a cached Blocked entry is never accepted, not even with AllowOfflineTxForUnknownId', async () => {
    const { authorizer, cache, link } = await setup({ LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true });
    link.isAccepted = false;
    cache.put('A', { status: 'Blocked' });
    expect((await authorizer.authorize('A')).status).not.toBe('Accepted');
  });

  it('an unknown tag is accepted only with AllowOfflineTxForUnknownId', async () => {
    const allowed = await setup({ AllowOfflineTxForUnknownId: true });
    allowed.link.isAccepted = false;
    expect(await allowed.authorizer.authorize('NEW')).toEqual({ status: 'Accepted', source: 'offline-unknown' });

    const refused = await setup({ AllowOfflineTxForUnknownId: false });
    refused.link.isAccepted = false;
    expect(await refused.authorizer.authorize('NEW')).toEqual({ status: 'Invalid', source: 'offline-refused' });
    expect([...allowed.link.calls, ...refused.link.calls]).toEqual([]);
  });
});

describe('AuthorizationCacheEnabled=false', () => {
  it('the cache is neither read nor written', async () => {
    const { authorizer, cache, link } = await setup(
      { AuthorizationCacheEnabled: false, LocalPreAuthorize: true, LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true },
      { B: { status: 'Accepted' } },
    );
    cache.put('A', { status: 'Accepted' });
    cache.put('X', { status: 'Blocked' });
    // Not read online: LocalPreAuthorize would otherwise answer A without a call.
    expect(await authorizer.authorize('A')).toEqual({ status: 'Invalid', source: 'csms' });
    // Not written.
    expect(await authorizer.authorize('B')).toEqual({ status: 'Accepted', source: 'csms' });
    expect(cache.has('B')).toBe(false);
    expect(cache.get('A')).toEqual({ status: 'Accepted' });
    // Not read offline: every tag is unknown, so AllowOfflineTxForUnknownId decides.
    link.isAccepted = false;
    expect(await authorizer.authorize('A')).toEqual({ status: 'Accepted', source: 'offline-unknown' });
    expect(await authorizer.authorize('X')).toEqual({ status: 'Accepted', source: 'offline-unknown' });
  });
});

describe('AuthorizationCache', () => {
  it('is bounded: the least recently used entry goes first; get() counts as use, has() does not', () => {
    const cache = new AuthorizationCache(3);
    cache.put('A', { status: 'Accepted' });
    cache.put('B', { status: 'Accepted' });
    cache.put('C', { status: 'Accepted' });
    expect(cache.get('A')).toBeDefined(); // A is now the most recent
    expect(cache.has('B')).toBe(true); // not a use
    cache.put('D', { status: 'Accepted' });
    expect([...cache.entries()].map(([k]) => k)).toEqual(['C', 'A', 'D']);
    cache.put('C', { status: 'Blocked' }); // refresh moves C to the end
    cache.put('E', { status: 'Accepted' });
    expect([...cache.entries()].map(([k]) => k)).toEqual(['D', 'C', 'E']);
    expect(cache.size).toBe(3);
    expect(cache.get('C')).toEqual({ status: 'Blocked' });
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('stores a copy of the idTagInfo', () => {
    const cache = new AuthorizationCache();
    const info: IdTagInfo = { status: 'Accepted' };
    cache.put('A', info);
    info.status = 'Blocked';
    expect(cache.get('A')).toEqual({ status: 'Accepted' });
  });
});
