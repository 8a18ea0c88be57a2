/**
 * OCPP 1.6 local authorization (§3.5 and the Core keys LocalPreAuthorize, LocalAuthorizeOffline,
 * AllowOfflineTxForUnknownId, AuthorizationCacheEnabled). The OCPP link is a small fake
 * AuthorizeLink (online/offline switch, scripted Authorize answers, a call log); the cache, the
 * configuration store and the clock are the real ones.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from '../../hal/clock.js';
import type { Ocpp16Action, RequestOf, ResponseOf } from '../ocpp16/messages.js';
import { OcppConfiguration, type ConfigInput } from '../store/OcppConfiguration.js';
import { AuthorizationCache, type IdTagInfo } from './AuthorizationCache.js';
import { Authorizer, type AuthorizeLink } from './Authorizer.js';
import { LocalAuthList } from './LocalAuthList.js';

/** Fake link: answers Authorize from `answers` (unknown tags Invalid); throws when `fail` is set. */
class FakeCaller implements AuthorizeLink {
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
  const localList = LocalAuthList.inMemory(log);
  const authorizer = new Authorizer({ link, cache, localList, config, clock, log });
  /** Installs a Full list (version 1) of `entries`. */
  const install = async (entries: Record<string, IdTagInfo>) => {
    const localAuthorizationList = Object.entries(entries).map(([idTag, idTagInfo]) => ({ idTag, idTagInfo }));
    expect(await localList.update({ listVersion: 1, updateType: 'Full', localAuthorizationList }, { maxEntries: 100, maxPerRequest: 100 })).toBe('Accepted');
  };
  return { clock, config, cache, link, authorizer, localList, install };
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

describe('Authorizer with the Local Authorization List', () => {
  it('LocalPreAuthorize: an Accepted list entry starts without a call, and wins over the cache', async () => {
    const { authorizer, cache, link, install } = await setup({ LocalPreAuthorize: true });
    await install({ A: { status: 'Accepted', parentIdTag: 'FLEET', expiryDate: future } });
    cache.put('A', { status: 'Blocked' });
    expect(await authorizer.authorize('A')).toEqual({ status: 'Accepted', parentIdTag: 'FLEET', source: 'local-list' });
    expect(link.calls).toEqual([]);
  });

  it('LocalPreAuthorize: a Blocked/Expired/Invalid list entry is refused locally, even over an Accepted cache entry', async () => {
    const { authorizer, cache, link, install } = await setup({ LocalPreAuthorize: true }, { B: { status: 'Accepted' } });
    await install({ B: { status: 'Blocked' }, E: { status: 'Expired' }, I: { status: 'Invalid' } });
    cache.put('B', { status: 'Accepted' });
    expect(await authorizer.authorize('B')).toEqual({ status: 'Blocked', source: 'local-list' });
    expect(await authorizer.authorize('E')).toEqual({ status: 'Expired', source: 'local-list' });
    expect(await authorizer.authorize('I')).toEqual({ status: 'Invalid', source: 'local-list' });
    expect(link.calls).toEqual([]);
  });

  it('an Accepted list entry whose expiryDate has passed on the clock reads Expired', async () => {
    const { authorizer, link, clock, install } = await setup({ LocalPreAuthorize: true, LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true });
    await install({ A: { status: 'Accepted', expiryDate: new Date(clock.now() + 60_000).toISOString() } });
    expect(await authorizer.authorize('A')).toMatchObject({ status: 'Accepted', source: 'local-list' });
    clock.advance(60_000);
    expect(await authorizer.authorize('A')).toEqual({ status: 'Expired', source: 'local-list' });
    link.isAccepted = false;
    expect(await authorizer.authorize('A')).toEqual({ status: 'Expired', source: 'local-list' });
    expect(link.calls).toEqual([]);
  });

  it('offline with LocalAuthorizeOffline: the list first, then the cache', async () => {
    const { authorizer, cache, link, install } = await setup({ LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true });
    await install({ L: { status: 'Accepted', parentIdTag: 'P' }, X: { status: 'Blocked' } });
    cache.put('X', { status: 'Accepted' });
    cache.put('C', { status: 'Accepted' });
    link.isAccepted = false;
    expect(await authorizer.authorize('L')).toEqual({ status: 'Accepted', parentIdTag: 'P', source: 'local-list' });
    // The list entry is authoritative: Blocked, even though the cache says Accepted and unknown tags are allowed.
    expect(await authorizer.authorize('X')).toEqual({ status: 'Blocked', source: 'local-list' });
    expect(await authorizer.authorize('C')).toEqual({ status: 'Accepted', source: 'cache' });
    expect(link.calls).toEqual([]);
  });

  it('offline without LocalAuthorizeOffline a listed tag is known, so AllowOfflineTxForUnknownId does not apply', async () => {
    const { authorizer, link, install } = await setup({ LocalAuthorizeOffline: false, AllowOfflineTxForUnknownId: true });
    await install({ L: { status: 'Accepted' } });
    link.isAccepted = false;
    expect(await authorizer.authorize('L')).toEqual({ status: 'Invalid', source: 'offline-refused' });
    expect(await authorizer.authorize('NEW')).toEqual({ status: 'Accepted', source: 'offline-unknown' });
  });

  it('online without LocalPreAuthorize the CSMS decides, and a listed tag is not put in the cache', async () => {
    const { authorizer, cache, link, install } = await setup({ LocalPreAuthorize: false }, { L: { status: 'Accepted' } });
    await install({ L: { status: 'Blocked' } });
    expect(await authorizer.authorize('L')).toEqual({ status: 'Accepted', source: 'csms' });
    expect(link.calls).toHaveLength(1);
    expect(cache.has('L')).toBe(false);
  });

  it('LocalAuthListEnabled=false: the list is ignored and the cache decides', async () => {
    const { authorizer, cache, link, install } = await setup({ LocalAuthListEnabled: false, LocalPreAuthorize: true, LocalAuthorizeOffline: true });
    await install({ A: { status: 'Blocked' }, B: { status: 'Accepted' } });
    cache.put('A', { status: 'Accepted' });
    link.isAccepted = false;
    expect(await authorizer.authorize('A')).toEqual({ status: 'Accepted', source: 'cache' });
    expect(await authorizer.authorize('B')).toEqual({ status: 'Invalid', source: 'offline-refused' });
  });
});

describe('AuthorizationCache persistence', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function tempFile(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'evse-cache-'));
    dirs.push(dir);
    return join(dir, 'authorization-cache.json');
  }
  const log = pino({ level: 'silent' });

  it('survives a reopen with its entries and LRU order; clear() empties the file too', async () => {
    const file = await tempFile();
    const cache = await AuthorizationCache.open(file, log, 2);
    cache.put('A', { status: 'Accepted', expiryDate: future });
    cache.put('B', { status: 'Blocked' });
    cache.get('A'); // A is now the most recent
    cache.put('A', { status: 'Accepted', expiryDate: future, parentIdTag: 'P' });
    await cache.flush();
    const again = await AuthorizationCache.open(file, log, 2);
    expect([...again.entries()]).toEqual([
      ['B', { status: 'Blocked' }],
      ['A', { status: 'Accepted', expiryDate: future, parentIdTag: 'P' }],
    ]);
    again.put('C', { status: 'Accepted' }); // evicts B, the least recently used
    expect(again.has('B')).toBe(false);
    again.clear();
    await again.flush();
    expect((await AuthorizationCache.open(file, log)).size).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ entries: [] });
  });

  it('a corrupt file is an empty cache, logged', async () => {
    const file = await tempFile();
    await writeFile(file, '{"entries": [["A", {"status": "Accepted"}], ["B", 7]]}');
    const errors: string[] = [];
    const cache = await AuthorizationCache.open(file, pino({ level: 'error' }, { write: (line: string) => void errors.push(line) }));
    expect(cache.size).toBe(0);
    expect(errors.join('')).toContain('cannot read the authorization cache');
  });
});
