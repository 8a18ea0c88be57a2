/**
 * The Authorization Cache (OCPP 1.6 §3.5.2, 2.0.1 C10): the idTagInfo of recently presented
 * identifiers, refreshed from every Authorize, StartTransaction and StopTransaction answer (2.0.1:
 * Authorize and TransactionEvent). Bounded to `capacity` entries; when full, an expired entry goes
 * first, else the one the eviction policy picks (OCPP 2.0.1 AuthCacheCtrlr.Policy, the key
 * AuthCachePolicy): LRU the least recently used, LFU the least often used (the least recently used
 * among equals), FIFO the one stored first. An entry whose idTagInfo has no expiry date expires
 * AuthCacheLifeTime seconds after it was last used or refreshed (AuthCacheCtrlr.LifeTime; 0: never)
 * and is forgotten then. Both rules are read when applied ({@link useRules}): a change acts at once.
 *
 * Keyed by the identifier's value alone (1.6 idTag) or, once {@link distinguishKinds} is on
 * (2.0.1), by its kind and value: the same value with another kind is another token. Each entry
 * keeps its kind either way, so a data directory used under both versions keeps its cache (entries
 * stored without a kind, written before kinds were kept, are read as ISO14443 cards).
 *
 * Held in memory and, when opened with a file, persisted across restarts (§3.5.2) in the data
 * directory: every change schedules one atomic rewrite (changes made while a write is under way
 * are coalesced into the next one). A missing file is an empty cache; an unreadable one too, logged.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock } from '../../hal/index.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import { writeAtomically } from '../store/writeAtomically.js';
import { isIdTokenKind, isTokenStatus, tokenKey, type IdTokenKind, type TokenStatus } from './idToken.js';

/** Nothing being written yet (shared: a settled promise never changes, and each of 10,000 fleet chargers had one). */
const SETTLED: Promise<void> = Promise.resolve();

/** What the CSMS said of an identifier (1.6 idTagInfo, 2.0.1 idTokenInfo). */
export interface IdTagInfo {
  /** 1.6's statuses, and under 2.0.1 also the ones only it has (NoCredit, NotAtThisLocation …). */
  status: TokenStatus;
  /** Until when the entry may be used locally (1.6 expiryDate, 2.0.1 cacheExpiryDateTime). */
  expiryDate?: string;
  /** The group (1.6 parentIdTag, 2.0.1 groupIdToken's value). */
  parentIdTag?: string;
  /** OCPP 2.0.1: the kind of the group's token (groupIdToken.type). */
  parentIdTagType?: IdTokenKind;
  /** OCPP 2.0.1 idTokenInfo.evseId: the only EVSEs where this identifier may charge (absent: all). */
  evseIds?: number[];
}

interface Persistence {
  file: string;
  log: Logger;
}

/** One cached identifier: its value, its kind when known, what the CSMS said, and its use (epoch ms). */
interface Entry {
  idTag: string;
  type: IdTokenKind | undefined;
  info: IdTagInfo;
  /** When it was stored first (FIFO). */
  added: number;
  /** When it was last used or refreshed (LRU, AuthCacheLifeTime). */
  used: number;
  /** How often it was stored or used (LFU). */
  uses: number;
}

/** An entry as listed by {@link AuthorizationCache.entries}: `[idTag, info]` or `[idTag, info, kind]`. */
export type CacheEntry = [idTag: string, info: IdTagInfo] | [idTag: string, info: IdTagInfo, type: IdTokenKind];

/** How an entry is stored: its {@link CacheEntry} and its use (a kind of null: none). */
type StoredEntry = [idTag: string, info: IdTagInfo, type: IdTokenKind | null, use: { added: number; used: number; uses: number }];

/** The eviction policies the cache keeps (OCPP 2.0.1 AuthCacheCtrlr.Policy; CUSTOM is not one). */
export const CACHE_POLICIES = ['LRU', 'LFU', 'FIFO'] as const;
export type CachePolicy = (typeof CACHE_POLICIES)[number];

/**
 * What the cache reads when it applies its rules: the agent's clock and configuration (the keys
 * AuthCacheLifeTime, s, 0: entries without an expiry date do not expire; AuthCachePolicy). Kept
 * as the two references, not closures: a fleet holds one cache per charger.
 */
interface CacheRules {
  readonly clock: Pick<Clock, 'now'>;
  readonly config: Pick<OcppConfiguration, 'getInt' | 'getString'>;
}

export class AuthorizationCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the LRU one.
  // Made on the first put (an idle charger of a fleet never caches anything).
  private lazyMap: Map<string, Entry> | undefined;
  private persistence: Persistence | undefined;
  private writing: Promise<void> = SETTLED;
  private dirty = false;
  /** Kinds told apart (2.0.1) or not (1.6); until told, kept apart, so loading a file loses nothing. */
  private typed: boolean | undefined;
  /** The clock and the keys of the rules (the Agent gives them; two references, no object per charger); without: LRU, no lifetime, entries dated 0. */
  private clock: CacheRules['clock'] | undefined;
  private config: CacheRules['config'] | undefined;

  private get byKind(): boolean {
    return this.typed ?? true;
  }

  constructor(private readonly capacity = 1000) {}

  private get map(): Map<string, Entry> {
    return (this.lazyMap ??= new Map());
  }

  /** A cache persisted in `file` (null: in memory only), loaded with what the file holds. */
  static async open(file: string | null, log: Logger, capacity = 1000): Promise<AuthorizationCache> {
    const cache = new AuthorizationCache(capacity);
    if (!file) return cache;
    try {
      const body = JSON.parse(await readFile(file, 'utf8')) as { entries?: unknown };
      if (!Array.isArray(body.entries)) throw new Error('unexpected structure');
      // Version 1 (no kinds), 2 (a kind as a third element where known) and 3 (kind or null, then
      // the entry's use) read alike; entries without their use read as stored and used now.
      for (const item of body.entries as unknown[]) {
        if (!Array.isArray(item) || typeof item[0] !== 'string' || !isIdTagInfo(item[1]) || (item[2] !== undefined && item[2] !== null && !isIdTokenKind(item[2]))) throw new Error('bad entry');
        const type = (item[2] ?? undefined) as IdTokenKind | undefined;
        if (type === 'NoAuthorization') continue;
        const use = isUse(item[3]) ? item[3] : undefined;
        cache.map.set(tokenKey(item[0], type, true), { idTag: item[0], type, info: item[1], added: use?.added ?? 0, used: use?.used ?? 0, uses: use?.uses ?? 1 });
      }
      while (cache.map.size > capacity) cache.map.delete(cache.map.keys().next().value as string);
      cache.loadedUndated = [...cache.map.values()].some((e) => e.used === 0);
    } catch (err) {
      cache.map.clear();
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the authorization cache; starting empty');
    }
    cache.persistence = { file, log };
    return cache;
  }

  /** Entries read from a file without their use: dated when the rules (and so the clock) come. */
  private loadedUndated = false;

  /**
   * The time and the rules (AuthCacheLifeTime, AuthCachePolicy), read each time they apply. Entries
   * loaded without their use count as used now.
   */
  useRules(clock: CacheRules['clock'], config: CacheRules['config']): void {
    this.clock = clock;
    this.config = config;
    if (!this.loadedUndated) return;
    this.loadedUndated = false;
    const now = clock.now();
    for (const e of this.lazyMap?.values() ?? []) if (e.used === 0) e.added = e.used = now;
  }

  private now(): number {
    return this.clock?.now() ?? 0;
  }

  /** Whether the entry outlived AuthCacheLifeTime (only an entry without an expiry date of its own). */
  private outlived(e: Entry, now: number): boolean {
    const lifeTimeS = this.config?.getInt('AuthCacheLifeTime') ?? 0;
    return lifeTimeS > 0 && e.info.expiryDate === undefined && now - e.used >= lifeTimeS * 1000;
  }

  /** Whether its own expiry date passed (it stays known as expired, but goes first when room is needed). */
  private pastExpiry(e: Entry, now: number): boolean {
    return e.info.expiryDate !== undefined && Date.parse(e.info.expiryDate) <= now;
  }

  /**
   * Tell identifiers apart by kind and value (OCPP 2.0.1) or by value alone (1.6); the Agent says
   * which when it is made. Re-keys what is held; entries that become one under 1.6 keep the most
   * recently used.
   */
  distinguishKinds(on: boolean): void {
    if (on === this.typed) return;
    const before = this.byKind;
    this.typed = on;
    if (before === on) return;
    if (!this.lazyMap) return;
    const entries = [...this.lazyMap.values()];
    this.lazyMap.clear();
    for (const e of entries) this.lazyMap.set(this.key(e.idTag, e.type), e);
  }

  private key(idTag: string, type: IdTokenKind | undefined): string {
    return tokenKey(idTag, type, this.byKind);
  }

  /**
   * The entry of an identifier (`type`: its kind, only heeded under 2.0.1), which counts as a use.
   * An entry that outlived AuthCacheLifeTime is forgotten (undefined).
   */
  get(idTag: string, type?: IdTokenKind): IdTagInfo | undefined {
    const entry = this.live(idTag, type);
    if (!entry) return undefined;
    const key = this.key(idTag, type);
    this.map.delete(key);
    this.map.set(key, entry);
    entry.used = this.now();
    entry.uses++;
    this.save();
    return entry.info;
  }

  has(idTag: string, type?: IdTokenKind): boolean {
    return this.live(idTag, type) !== undefined;
  }

  /** The entry, unless it outlived AuthCacheLifeTime (then it is removed). */
  private live(idTag: string, type: IdTokenKind | undefined): Entry | undefined {
    const key = this.key(idTag, type);
    const entry = this.lazyMap?.get(key);
    if (!entry || !this.outlived(entry, this.now())) return entry;
    this.map.delete(key);
    this.save();
    return undefined;
  }

  put(idTag: string, info: IdTagInfo, type?: IdTokenKind): void {
    // NoAuthorization is no token: nothing to remember.
    if (type === 'NoAuthorization') return;
    const key = this.key(idTag, type);
    const now = this.now();
    const before = this.lazyMap?.get(key);
    this.map.delete(key);
    this.map.set(key, { idTag, type, info: { ...info }, added: before?.added ?? now, used: now, uses: (before?.uses ?? 0) + 1 });
    if (this.map.size > this.capacity) this.evict(key, now);
    this.save();
  }

  /** Makes room: an expired entry first, else the one the policy picks (never `keep`, the one just stored). */
  private evict(keep: string, now: number): void {
    const policy = (this.config?.getString('AuthCachePolicy') ?? 'LRU') as CachePolicy;
    let victim: string | undefined;
    let best: Entry | undefined;
    for (const [key, e] of this.map) {
      if (key === keep) continue;
      if (this.outlived(e, now) || this.pastExpiry(e, now)) {
        victim = key;
        break;
      }
      // The map is in least-recently-used order: the first of equals is the least recently used.
      if (best === undefined || (policy === 'LFU' && e.uses < best.uses) || (policy === 'FIFO' && e.added < best.added)) {
        best = e;
        victim = key;
      }
      if (policy === 'LRU') break;
    }
    if (victim !== undefined) this.map.delete(victim);
  }

  /**
   * The bytes the entries take as stored (UTF-8 JSON of the file's entries; OCPP 2.0.1
   * AuthCacheCtrlr.Storage), counted when asked.
   */
  storageBytes(): number {
    if (!this.lazyMap || this.lazyMap.size === 0) return 0;
    return Buffer.byteLength(JSON.stringify([...this.lazyMap.values()].map(storedForm)));
  }

  clear(): void {
    this.map.clear();
    this.save();
  }

  /** An identifier's entry with its use (when stored first, last used, how often), without counting as a use. */
  describe(idTag: string, type?: IdTokenKind): { info: IdTagInfo; added: number; used: number; uses: number } | undefined {
    const e = this.live(idTag, type);
    return e && { info: { ...e.info }, added: e.added, used: e.used, uses: e.uses };
  }

  /** Removes an identifier's entry (a customer's data erased: OCPP 2.0.1 CustomerInformation); false when there was none. */
  forget(idTag: string, type?: IdTokenKind): boolean {
    const removed = this.lazyMap?.delete(this.key(idTag, type)) ?? false;
    if (removed) this.save();
    return removed;
  }

  get size(): number {
    return this.lazyMap?.size ?? 0;
  }

  /** Least recently used first: `[idTag, info]`, with the kind as a third element when known. */
  *entries(): IterableIterator<CacheEntry> {
    for (const e of this.map.values()) yield stored(e);
  }

  /** Resolves once every change so far is on disk (failures are logged, not thrown). */
  flush(): Promise<void> {
    return this.writing;
  }

  private save(): void {
    const p = this.persistence;
    if (!p || this.dirty) return;
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      this.dirty = false;
      // Least recently used first, so loading re-creates the same order; each with its use.
      const body = `${JSON.stringify({ version: 3, entries: [...this.map.values()].map(storedForm) })}\n`;
      await writeAtomically(p.file, body).catch((err: unknown) => p.log.error({ err, file: p.file }, 'cannot persist the authorization cache'));
    });
  }
}

const stored = (e: Entry): CacheEntry => (e.type === undefined ? [e.idTag, e.info] : [e.idTag, e.info, e.type]);
const storedForm = (e: Entry): StoredEntry => [e.idTag, e.info, e.type ?? null, { added: e.added, used: e.used, uses: e.uses }];

function isUse(v: unknown): v is StoredEntry[3] {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Number.isSafeInteger(o.added) && Number.isSafeInteger(o.used) && Number.isSafeInteger(o.uses) && (o.uses as number) >= 0;
}

/** A well-formed idTagInfo (as read back from a file). */
export function isIdTagInfo(v: unknown): v is IdTagInfo {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    isTokenStatus(o.status) &&
    (o.expiryDate === undefined || typeof o.expiryDate === 'string') &&
    (o.parentIdTag === undefined || typeof o.parentIdTag === 'string') &&
    (o.parentIdTagType === undefined || isIdTokenKind(o.parentIdTagType)) &&
    (o.evseIds === undefined || (Array.isArray(o.evseIds) && o.evseIds.every((n) => Number.isSafeInteger(n) && (n as number) > 0)))
  );
}
