/**
 * The authorization cache and the local list with identifiers of a kind (./idToken.ts): by value
 * and kind under 2.0.1, by value alone under 1.6 (as before), the statuses and fields only 2.0.1
 * has kept, and files of the old format (no kinds) loaded and read as ISO14443 cards. Real files
 * in a temporary directory; the Authorizer over a small fake link as in Authorizer.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import type { Ocpp16Action, RequestOf, ResponseOf } from '../ocpp16/messages.js';
import { OcppConfiguration } from '../store/OcppConfiguration.js';
import { AuthorizationCache, type IdTagInfo } from './AuthorizationCache.js';
import { Authorizer, type AuthorizeLink } from './Authorizer.js';
import type { IdTokenKind } from './idToken.js';
import { LocalAuthList } from './LocalAuthList.js';

const log = pino({ level: 'silent' });
const LIMITS = { maxEntries: 10, maxPerRequest: 10 };
const dirs: string[] = [];

async function tempFile(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-tokens-'));
  dirs.push(dir);
  return join(dir, name);
}

/** Caches opened on a file: a read counts as a use and is written in the background. */
const caches: AuthorizationCache[] = [];
async function openCache(file: string, logger = log): Promise<AuthorizationCache> {
  const cache = await AuthorizationCache.open(file, logger);
  caches.push(cache);
  return cache;
}

afterEach(async () => {
  // Their writes finish before the directory goes (else rm may find a file appearing: ENOTEMPTY).
  for (const c of caches.splice(0)) await c.flush();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('AuthorizationCache with kinds', () => {
  it('under 2.0.1 the same value of two kinds is two entries; under 1.6 one (the last used)', () => {
    const cache = new AuthorizationCache();
    cache.distinguishKinds(true);
    cache.put('1234', { status: 'Accepted' }, 'KeyCode');
    cache.put('1234', { status: 'NoCredit' }, 'ISO14443');
    expect(cache.size).toBe(2);
    expect(cache.get('1234', 'KeyCode')).toEqual({ status: 'Accepted' });
    expect(cache.get('1234', 'ISO14443')).toEqual({ status: 'NoCredit' });
    // No kind is a card's UID.
    expect(cache.get('1234')).toEqual({ status: 'NoCredit' });
    expect(cache.has('1234', 'Central')).toBe(false);
    cache.distinguishKinds(false);
    expect(cache.size).toBe(1);
    expect(cache.get('1234')).toEqual({ status: 'NoCredit' });
  });

  it('NoAuthorization is never cached', () => {
    const cache = new AuthorizationCache();
    cache.distinguishKinds(true);
    cache.put('', { status: 'Accepted' }, 'NoAuthorization');
    expect(cache.size).toBe(0);
  });

  it('a file of the old format (idTags, no kinds) loads; under 2.0.1 its entries are ISO14443 cards', async () => {
    const file = await tempFile('authorization-cache.json');
    await writeFile(file, `${JSON.stringify({ version: 1, entries: [['CARD1', { status: 'Accepted', parentIdTag: 'P' }], ['CARD2', { status: 'Blocked' }]] })}\n`);
    const cache = await openCache(file);
    cache.distinguishKinds(true);
    expect(cache.get('CARD1', 'ISO14443')).toEqual({ status: 'Accepted', parentIdTag: 'P' });
    expect(cache.get('CARD1', 'KeyCode')).toBeUndefined();
    expect(cache.get('CARD2', 'ISO14443')).toEqual({ status: 'Blocked' });
  });

  it('keeps kinds, 2.0.1 statuses, the group kind and the EVSEs across a reopen, in either version', async () => {
    const file = await tempFile('authorization-cache.json');
    const cache = await openCache(file);
    cache.distinguishKinds(true);
    const info: IdTagInfo = { status: 'Accepted', expiryDate: '2026-02-01T00:00:00.000Z', parentIdTag: 'G', parentIdTagType: 'Central', evseIds: [2] };
    cache.put('1234', info, 'KeyCode');
    cache.put('1234', { status: 'NotAtThisTime' }, 'ISO15693');
    cache.put('OLD', { status: 'Accepted' });
    await cache.flush();
    // Version 3: each entry with its kind (null: none) and its use (no clock given here: dated 0).
    const use = { added: 0, used: 0, uses: 1 };
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 3,
      entries: [['1234', info, 'KeyCode', use], ['1234', { status: 'NotAtThisTime' }, 'ISO15693', use], ['OLD', { status: 'Accepted' }, null, use]],
    });
    const again = await openCache(file);
    again.distinguishKinds(true);
    expect(again.get('1234', 'KeyCode')).toEqual(info);
    expect(again.get('1234', 'ISO15693')).toEqual({ status: 'NotAtThisTime' });
    expect(again.get('OLD', 'ISO14443')).toEqual({ status: 'Accepted' });
    // The same data directory under 1.6: values alone.
    const as16 = await openCache(file);
    as16.distinguishKinds(false);
    expect(as16.size).toBe(2);
    expect(as16.get('OLD')).toEqual({ status: 'Accepted' });
  });

  it('a file with an unknown kind or status is an empty cache, logged', async () => {
    const file = await tempFile('authorization-cache.json');
    await writeFile(file, JSON.stringify({ version: 2, entries: [['A', { status: 'Accepted' }, 'Telepathy']] }));
    const errors: string[] = [];
    const cache = await openCache(file, pino({ level: 'error' }, { write: (line: string) => void errors.push(line) }));
    expect(cache.size).toBe(0);
    expect(errors.join('')).toContain('cannot read the authorization cache');
  });
});

describe('LocalAuthList with kinds', () => {
  const entry = (idTag: string, idTokenType: IdTokenKind | undefined, info?: IdTagInfo) => ({ idTag, ...(idTokenType && { idTokenType }), ...(info && { idTagInfo: info }) });

  it('under 2.0.1 one value under two kinds is two entries; a Differential removes one kind only', async () => {
    const list = LocalAuthList.inMemory(log);
    list.distinguishKinds(true);
    expect(await list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [entry('1234', 'KeyCode', { status: 'Accepted' }), entry('1234', 'ISO14443', { status: 'NotAllowedTypeEVSE' })] }, LIMITS)).toBe('Accepted');
    expect(list.size).toBe(2);
    expect(list.get('1234', 'ISO14443')).toEqual({ status: 'NotAllowedTypeEVSE' });
    expect(await list.update({ listVersion: 2, updateType: 'Differential', localAuthorizationList: [entry('1234', 'KeyCode')] }, LIMITS)).toBe('Accepted');
    expect(list.get('1234', 'KeyCode')).toBeUndefined();
    expect(list.get('1234', 'ISO14443')).toEqual({ status: 'NotAllowedTypeEVSE' });
    // The same idToken twice in one request is still Failed.
    expect(await list.update({ listVersion: 3, updateType: 'Full', localAuthorizationList: [entry('X', 'Local', { status: 'Accepted' }), entry('X', 'Local', { status: 'Blocked' })] }, LIMITS)).toBe('Failed');
  });

  it('under 1.6 the same idTag twice is Failed, as before, whatever kinds came along', async () => {
    const list = LocalAuthList.inMemory(log);
    list.distinguishKinds(false);
    expect(await list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [entry('1234', 'KeyCode', { status: 'Accepted' }), entry('1234', 'ISO14443', { status: 'Blocked' })] }, LIMITS)).toBe('Failed');
    expect(list.size).toBe(0);
  });

  it('a list file of the old format ({ idTag: info }) loads; under 2.0.1 its entries are ISO14443 cards', async () => {
    const file = await tempFile('local-auth-list.json');
    await writeFile(file, `${JSON.stringify({ version: 1, listVersion: 7, entries: { CARD1: { status: 'Accepted' }, CARD2: { status: 'Expired', parentIdTag: 'P' } } })}\n`);
    const list = await LocalAuthList.open(file, log);
    list.distinguishKinds(true);
    expect(list.version).toBe(7);
    expect(list.get('CARD1', 'ISO14443')).toEqual({ status: 'Accepted' });
    expect(list.get('CARD1', 'Local')).toBeUndefined();
    expect(list.get('CARD2')).toEqual({ status: 'Expired', parentIdTag: 'P' });
    // An update writes the new format, which loads again with its kinds.
    expect(await list.update({ listVersion: 8, updateType: 'Differential', localAuthorizationList: [entry('CARD1', 'KeyCode', { status: 'NoCredit', evseIds: [1] })] }, LIMITS)).toBe('Accepted');
    const body = JSON.parse(await readFile(file, 'utf8')) as { version: number; entries: unknown[] };
    expect(body.version).toBe(2);
    expect(body.entries).toContainEqual(['CARD1', { status: 'NoCredit', evseIds: [1] }, 'KeyCode']);
    expect(body.entries).toContainEqual(['CARD1', { status: 'Accepted' }]);
    const again = await LocalAuthList.open(file, log);
    again.distinguishKinds(true);
    expect(again.size).toBe(3);
    expect(again.get('CARD1', 'KeyCode')).toEqual({ status: 'NoCredit', evseIds: [1] });
    expect(again.get('CARD1', 'ISO14443')).toEqual({ status: 'Accepted' });
  });
});

/** A 1.6 link: Authorize answers from `answers` (unknown: Invalid). */
class Link16 implements AuthorizeLink {
  isAccepted = true;
  readonly calls: unknown[] = [];
  constructor(readonly answers: Record<string, IdTagInfo> = {}) {}
  async call<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>> {
    this.calls.push({ action, payload });
    const { idTag } = payload as RequestOf<'Authorize'>;
    return { idTagInfo: this.answers[idTag] ?? { status: 'Invalid' } } as ResponseOf<A>;
  }
}

/** A 2.0.1 link: authorizeToken answers by kind and value. */
class Link201 extends Link16 {
  readonly tokenKinds = true;
  readonly asked: [string, IdTokenKind | undefined][] = [];
  constructor(readonly byKind: Record<string, IdTagInfo> = {}) {
    super();
  }
  async authorizeToken(idTag: string, type: IdTokenKind | undefined): Promise<{ info: IdTagInfo; language?: string }> {
    this.asked.push([idTag, type]);
    return { info: this.byKind[`${type}:${idTag}`] ?? { status: 'Unknown' }, language: 'de' };
  }
}

async function authorizer(link: AuthorizeLink, typed: boolean, keys: Record<string, boolean> = {}) {
  const config = await OcppConfiguration.open({ file: null, initial: keys, log });
  const cache = new AuthorizationCache();
  const localList = LocalAuthList.inMemory(log);
  cache.distinguishKinds(typed);
  localList.distinguishKinds(typed);
  return { cache, localList, authorizer: new Authorizer({ link, cache, localList, config, clock: new SimulatedClock(Date.UTC(2026, 0, 1)), log }) };
}

describe('Authorizer with kinds', () => {
  it('2.0.1: asks by kind, keeps the whole idTokenInfo and the language, caches by kind', async () => {
    const link = new Link201({ 'KeyCode:1234': { status: 'Accepted', parentIdTag: 'G', parentIdTagType: 'Central', evseIds: [2] }, 'ISO14443:1234': { status: 'NoCredit' } });
    const { authorizer: a, cache } = await authorizer(link, true);
    expect(await a.authorize('1234', 'KeyCode')).toEqual({ status: 'Accepted', parentIdTag: 'G', parentIdTagType: 'Central', evseIds: [2], source: 'csms', language: 'de' });
    expect(await a.authorize('1234', 'ISO14443')).toEqual({ status: 'NoCredit', source: 'csms', language: 'de' });
    expect(link.asked).toEqual([['1234', 'KeyCode'], ['1234', 'ISO14443']]);
    expect(link.calls).toEqual([]);
    expect(cache.get('1234', 'KeyCode')?.evseIds).toEqual([2]);
    expect(cache.get('1234', 'ISO14443')?.status).toBe('NoCredit');
  });

  it('NoAuthorization is accepted without asking anyone, in either version', async () => {
    const link = new Link201();
    const { authorizer: a } = await authorizer(link, true);
    expect(await a.authorize('', 'NoAuthorization')).toEqual({ status: 'Accepted', source: 'no-authorization' });
    expect(link.asked).toEqual([]);
  });

  it('1.6: Authorize with the idTag alone; a list entry with a status 1.6 lacks (kept from a 2.0.1 run) reads Invalid', async () => {
    const link = new Link16({ A: { status: 'Accepted' } });
    const { authorizer: a, localList } = await authorizer(link, false, { LocalAuthListEnabled: true, LocalPreAuthorize: true });
    expect(await localList.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'B', idTokenType: 'KeyCode', idTagInfo: { status: 'NoCredit', evseIds: [1] } }] }, LIMITS)).toBe('Accepted');
    expect(await a.authorize('A', 'ISO14443')).toEqual({ status: 'Accepted', source: 'csms' });
    expect(link.calls).toEqual([{ action: 'Authorize', payload: { idTag: 'A' } }]);
    expect(await a.authorize('B', 'ISO14443')).toEqual({ status: 'Invalid', source: 'local-list' });
  });
});
