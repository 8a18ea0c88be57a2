/**
 * The OCPP 1.6 Authorization Cache: idTagInfo of recently presented idTags, refreshed from every
 * Authorize.conf, StartTransaction.conf and StopTransaction.conf. Bounded: the least recently
 * used entry is evicted first.
 *
 * Held in memory and, when opened with a file, persisted across restarts (§3.5.2) in the data
 * directory: every change schedules one atomic rewrite (changes made while a write is under way
 * are coalesced into the next one). A missing file is an empty cache; an unreadable one too, logged.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { IdTagStatus } from '../ocpp16/vocabulary.js';
import { writeAtomically } from '../store/writeAtomically.js';

export interface IdTagInfo {
  status: IdTagStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

interface Persistence {
  file: string;
  log: Logger;
}

const STATUSES = new Set(['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx']);

export class AuthorizationCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the LRU one.
  // Made on the first put (an idle charger of a fleet never caches anything).
  private lazyMap: Map<string, IdTagInfo> | undefined;
  private persistence: Persistence | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly capacity = 1000) {}

  private get map(): Map<string, IdTagInfo> {
    return (this.lazyMap ??= new Map());
  }

  /** A cache persisted in `file` (null: in memory only), loaded with what the file holds. */
  static async open(file: string | null, log: Logger, capacity = 1000): Promise<AuthorizationCache> {
    const cache = new AuthorizationCache(capacity);
    if (!file) return cache;
    try {
      const body = JSON.parse(await readFile(file, 'utf8')) as { entries?: unknown };
      if (!Array.isArray(body.entries)) throw new Error('unexpected structure');
      for (const item of body.entries as unknown[]) {
        if (!Array.isArray(item) || typeof item[0] !== 'string' || !isIdTagInfo(item[1])) throw new Error('bad entry');
        cache.put(item[0], item[1]);
      }
    } catch (err) {
      cache.map.clear();
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the authorization cache; starting empty');
    }
    cache.persistence = { file, log };
    return cache;
  }

  get(idTag: string): IdTagInfo | undefined {
    const info = this.lazyMap?.get(idTag);
    if (info) {
      this.map.delete(idTag);
      this.map.set(idTag, info);
    }
    return info;
  }

  has(idTag: string): boolean {
    return this.lazyMap?.has(idTag) ?? false;
  }

  put(idTag: string, info: IdTagInfo): void {
    this.map.delete(idTag);
    this.map.set(idTag, { ...info });
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

  entries(): IterableIterator<[string, IdTagInfo]> {
    return this.map.entries();
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
      const body = `${JSON.stringify({ version: 1, entries: [...this.map.entries()] })}\n`;
      await writeAtomically(p.file, body).catch((err: unknown) => p.log.error({ err, file: p.file }, 'cannot persist the authorization cache'));
    });
  }
}

/** A well-formed idTagInfo (as read back from a file). */
export function isIdTagInfo(v: unknown): v is IdTagInfo {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.status === 'string' &&
    STATUSES.has(o.status) &&
    (o.expiryDate === undefined || typeof o.expiryDate === 'string') &&
    (o.parentIdTag === undefined || typeof o.parentIdTag === 'string')
  );
}
