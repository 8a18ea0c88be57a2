/**
 * The Authorization Cache (OCPP 1.6 §3.5.2, 2.0.1 C10): the idTagInfo of recently presented
 * identifiers, refreshed from every Authorize, StartTransaction and StopTransaction answer (2.0.1:
 * Authorize and TransactionEvent). Bounded: the least recently used entry is evicted first.
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
import { writeAtomically } from '../store/writeAtomically.js';
import { isIdTokenKind, isTokenStatus, tokenKey, type IdTokenKind, type TokenStatus } from './idToken.js';

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

/** One cached identifier: its value, its kind when known, what the CSMS said. */
interface Entry {
  idTag: string;
  type: IdTokenKind | undefined;
  info: IdTagInfo;
}

/** An entry as listed by {@link AuthorizationCache.entries} and stored: `[idTag, info]` or `[idTag, info, kind]`. */
export type CacheEntry = [idTag: string, info: IdTagInfo] | [idTag: string, info: IdTagInfo, type: IdTokenKind];

export class AuthorizationCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the LRU one.
  // Made on the first put (an idle charger of a fleet never caches anything).
  private lazyMap: Map<string, Entry> | undefined;
  private persistence: Persistence | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  /** Kinds told apart (2.0.1) or not (1.6); until told, kept apart, so loading a file loses nothing. */
  private typed: boolean | undefined;

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
      // Version 1 (no kinds) and 2 (a kind as a third element where known) read alike.
      for (const item of body.entries as unknown[]) {
        if (!Array.isArray(item) || typeof item[0] !== 'string' || !isIdTagInfo(item[1]) || (item[2] !== undefined && !isIdTokenKind(item[2]))) throw new Error('bad entry');
        cache.put(item[0], item[1], item[2] as IdTokenKind | undefined);
      }
    } catch (err) {
      cache.map.clear();
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the authorization cache; starting empty');
    }
    cache.persistence = { file, log };
    return cache;
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

  /** The entry of an identifier (`type`: its kind, only heeded under 2.0.1). */
  get(idTag: string, type?: IdTokenKind): IdTagInfo | undefined {
    const key = this.key(idTag, type);
    const entry = this.lazyMap?.get(key);
    if (entry) {
      this.map.delete(key);
      this.map.set(key, entry);
    }
    return entry?.info;
  }

  has(idTag: string, type?: IdTokenKind): boolean {
    return this.lazyMap?.has(this.key(idTag, type)) ?? false;
  }

  put(idTag: string, info: IdTagInfo, type?: IdTokenKind): void {
    // NoAuthorization is no token: nothing to remember.
    if (type === 'NoAuthorization') return;
    const key = this.key(idTag, type);
    this.map.delete(key);
    this.map.set(key, { idTag, type, info: { ...info } });
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
    this.save();
  }

  clear(): void {
    this.map.clear();
    this.save();
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
      // Oldest first, so loading re-creates the same LRU order.
      const body = `${JSON.stringify({ version: 2, entries: [...this.entries()] })}\n`;
      await writeAtomically(p.file, body).catch((err: unknown) => p.log.error({ err, file: p.file }, 'cannot persist the authorization cache'));
    });
  }
}

const stored = (e: Entry): CacheEntry => (e.type === undefined ? [e.idTag, e.info] : [e.idTag, e.info, e.type]);

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
