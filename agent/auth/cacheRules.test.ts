/**
 * The authorization cache's rules (OCPP 2.0.1 AuthCacheCtrlr.LifeTime, .Policy, .Storage; the keys
 * AuthCacheLifeTime, AuthCachePolicy) and AuthCtrlr.DisableRemoteAuthorization in the Authorizer.
 * The cache, the configuration store, the clock and the files are real; the OCPP link of the
 * Authorizer is a small fake AuthorizeLink as in Authorizer.test.ts (the same rules over a strict
 * 2.0.1 CSMS: agent/ocpp/v201/idTokens.test.ts).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import type { Ocpp16Action, RequestOf, ResponseOf } from '../ocpp16/messages.js';
import { OcppConfiguration, type ConfigInput } from '../store/OcppConfiguration.js';
import { AuthorizationCache, type IdTagInfo } from './AuthorizationCache.js';
import { Authorizer, type AuthorizeLink } from './Authorizer.js';
import { LocalAuthList } from './LocalAuthList.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const OK: IdTagInfo = { status: 'Accepted' };

async function rules(keys: Record<string, ConfigInput> = {}, capacity = 1000, file: string | null = null) {
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1, 12));
  const config = await OcppConfiguration.open({ file: null, initial: keys, log });
  const cache = await AuthorizationCache.open(file, log, capacity);
  cache.useRules(clock, config);
  return { clock, config, cache };
}

const held = (cache: AuthorizationCache) => [...cache.entries()].map((e) => e[0]).sort();

describe('AuthCacheLifeTime', () => {
  it('forgets an entry without an expiry date LifeTime s after its last use; a use starts the time again', async () => {
    const { clock, cache } = await rules({ AuthCacheLifeTime: 60 });
    cache.put('A', OK);
    clock.advance(50_000);
    expect(cache.get('A')).toEqual(OK); // a use: 60 s from now
    clock.advance(50_000);
    expect(cache.has('A')).toBe(true);
    clock.advance(10_000);
    expect(cache.has('A')).toBe(false);
    expect(cache.get('A')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('an entry with its own cacheExpiryDateTime keeps it, however long LifeTime is', async () => {
    const { clock, cache } = await rules({ AuthCacheLifeTime: 60 });
    const until = new Date(clock.now() + 3_600_000).toISOString();
    cache.put('A', { status: 'Accepted', expiryDate: until });
    clock.advance(600_000);
    expect(cache.get('A')).toEqual({ status: 'Accepted', expiryDate: until });
  });

  it('0 (the default): entries without an expiry date stay', async () => {
    const { clock, cache } = await rules();
    cache.put('A', OK);
    clock.advance(365 * 86_400_000);
    expect(cache.get('A')).toEqual(OK);
  });

  it('a change applies at once to what is held', async () => {
    const { clock, config, cache } = await rules();
    cache.put('A', OK);
    clock.advance(120_000);
    expect(await config.change('AuthCacheLifeTime', '60')).toBe('Accepted');
    expect(cache.has('A')).toBe(false);
  });
});

describe('AuthCachePolicy', () => {
  /** A full cache of A, B, C (stored in that order at 1 s steps), then B used twice and A once. */
  async function full(policy: string) {
    const r = await rules({ AuthCachePolicy: policy }, 3);
    for (const id of ['A', 'B', 'C']) {
      r.cache.put(id, OK);
      r.clock.advance(1000);
    }
    r.cache.get('B');
    r.cache.get('B');
    r.cache.get('A');
    r.cache.put('D', OK);
    return r;
  }

  it('LRU evicts the least recently used', async () => {
    expect(held((await full('LRU')).cache)).toEqual(['A', 'B', 'D']);
  });

  it('LFU evicts the least often used (C, used once; not A, used twice)', async () => {
    const { cache } = await full('LFU');
    expect(held(cache)).toEqual(['A', 'B', 'D']);
    cache.put('E', OK); // A (2 uses) and D (1) … D goes: fewest uses
    expect(held(cache)).toEqual(['A', 'B', 'E']);
  });

  it('FIFO evicts the one stored first, whatever its use', async () => {
    const { cache } = await full('FIFO');
    expect(held(cache)).toEqual(['B', 'C', 'D']);
    cache.put('B', { status: 'Blocked' }); // a refresh keeps its place in the queue
    cache.put('E', OK);
    expect(held(cache)).toEqual(['C', 'D', 'E']);
  });

  it('an expired entry makes room first, whatever the policy', async () => {
    const { clock, cache } = await rules({ AuthCachePolicy: 'FIFO' }, 2);
    cache.put('A', OK);
    cache.put('B', { status: 'Accepted', expiryDate: new Date(clock.now() + 1000).toISOString() });
    clock.advance(2000);
    cache.put('C', OK);
    expect(held(cache)).toEqual(['A', 'C']);
  });

  it('only the policies kept are taken: CUSTOM and others are Rejected, the 1.6 way too', async () => {
    const { config } = await rules();
    expect(await config.change('AuthCachePolicy', 'CUSTOM')).toBe('Rejected');
    expect(await config.change('AuthCachePolicy', 'MRU')).toBe('Rejected');
    expect(await config.change('AuthCachePolicy', 'LFU')).toBe('Accepted');
    expect(config.getString('AuthCachePolicy')).toBe('LFU');
  });

  it('the use of each entry survives a restart (LFU and LifeTime go on where they were)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-cache-'));
    dirs.push(dir);
    const file = join(dir, 'authorization-cache.json');
    const first = await rules({ AuthCachePolicy: 'LFU', AuthCacheLifeTime: 100 }, 2, file);
    first.cache.put('A', OK);
    first.cache.get('A');
    first.cache.put('B', OK);
    first.clock.advance(60_000);
    first.cache.get('B');
    await first.cache.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(3);

    const again = await rules({ AuthCachePolicy: 'LFU', AuthCacheLifeTime: 100 }, 2, file);
    again.clock.advance(60_000 + 50_000); // A last used 110 s ago, B 50 s ago
    expect(again.cache.has('A')).toBe(false);
    expect(again.cache.get('B')).toEqual(OK);
    await again.cache.flush(); // the use just counted is written before the directory goes
  });
});

describe('storageBytes (AuthCacheCtrlr.Storage)', () => {
  it('counts the bytes the entries take as stored; 0 when empty', async () => {
    const { cache } = await rules();
    expect(cache.storageBytes()).toBe(0);
    cache.put('A', OK);
    const one = cache.storageBytes();
    expect(one).toBeGreaterThan(20);
    cache.put('Bé', { status: 'Accepted', parentIdTag: 'GROUP' }, 'KeyCode');
    expect(cache.storageBytes()).toBe(Buffer.byteLength(JSON.stringify([...storedOf(cache)])));
    cache.clear();
    expect(cache.storageBytes()).toBe(0);
  });
});

/** What the cache writes to its file, read back through a flush to a real file. */
function storedOf(cache: AuthorizationCache): unknown[] {
  // The stored form is [idTag, info, kind|null, use] per entry.
  return [...cache.entries()].map((e) => [e[0], e[1], e[2] ?? null, { added: Date.UTC(2026, 0, 1, 12), used: Date.UTC(2026, 0, 1, 12), uses: 1 }]);
}

/** Answers Authorize with Accepted and counts the calls. */
class CountingLink implements AuthorizeLink {
  isAccepted = true;
  readonly tokenKinds = true;
  calls = 0;
  async call<A extends Ocpp16Action>(_action: A, _payload: RequestOf<A>): Promise<ResponseOf<A>> {
    throw new Error('the 1.6 Authorize is not used with kinds');
  }
  async authorizeToken(): Promise<{ info: IdTagInfo }> {
    this.calls++;
    return { info: OK };
  }
}

describe('DisableRemoteAuthorization', () => {
  async function setup(keys: Record<string, ConfigInput>) {
    const r = await rules({ DisableRemoteAuthorization: true, ...keys });
    const link = new CountingLink();
    const localList = LocalAuthList.inMemory(log);
    localList.distinguishKinds(true);
    r.cache.distinguishKinds(true);
    const authorizer = new Authorizer({ link, cache: r.cache, localList, config: r.config, clock: r.clock, log });
    return { ...r, link, localList, authorizer };
  }

  it('online, no Authorize: the list and the cache decide with their own statuses; an unknown token is Unknown', async () => {
    const { authorizer, link, cache, localList, clock } = await setup({});
    expect(await localList.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'L', idTokenType: 'ISO14443', idTagInfo: { status: 'NoCredit' } }] }, { maxEntries: 10, maxPerRequest: 10 })).toBe('Accepted');
    cache.put('C', OK, 'KeyCode');
    cache.put('X', { status: 'Accepted', expiryDate: new Date(clock.now() - 1000).toISOString() }, 'ISO14443');
    expect(await authorizer.authorize('L', 'ISO14443')).toMatchObject({ status: 'NoCredit', source: 'local-list' });
    expect(await authorizer.authorize('C', 'KeyCode')).toMatchObject({ status: 'Accepted', source: 'cache' });
    expect(await authorizer.authorize('C', 'ISO14443')).toMatchObject({ status: 'Unknown', source: 'local-unknown' });
    expect(await authorizer.authorize('X', 'ISO14443')).toMatchObject({ status: 'Expired', source: 'cache' });
    expect(link.calls).toBe(0);
  });

  it('an unknown token is refused even with OfflineTxForUnknownId; false again: the CSMS is asked', async () => {
    const { authorizer, link, config } = await setup({ AllowOfflineTxForUnknownId: true });
    expect(await authorizer.authorize('N', 'ISO14443')).toMatchObject({ status: 'Unknown' });
    expect(await config.change('DisableRemoteAuthorization', 'false')).toBe('Accepted');
    expect(await authorizer.authorize('N', 'ISO14443')).toMatchObject({ status: 'Accepted', source: 'csms' });
    expect(link.calls).toBe(1);
  });

  it('with the cache disabled only the list decides', async () => {
    const { authorizer, cache } = await setup({ AuthorizationCacheEnabled: false });
    cache.put('C', OK, 'KeyCode');
    expect(await authorizer.authorize('C', 'KeyCode')).toMatchObject({ status: 'Unknown', source: 'local-unknown' });
  });
});
