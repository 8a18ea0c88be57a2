/**
 * The OCPP 1.6 Authorization Cache: idTagInfo of recently presented idTags, refreshed from every
 * Authorize.conf, StartTransaction.conf and StopTransaction.conf. Bounded: the least recently
 * used entry is evicted first. Held in memory; a durable store can load/save it through
 * `entries()` / `put()`.
 */
import type { IdTagStatus } from '../charging/connectorTypes.js';

export interface IdTagInfo {
  status: IdTagStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

export class AuthorizationCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the LRU one.
  private readonly map = new Map<string, IdTagInfo>();

  constructor(private readonly capacity = 1000) {}

  get(idTag: string): IdTagInfo | undefined {
    const info = this.map.get(idTag);
    if (info) {
      this.map.delete(idTag);
      this.map.set(idTag, info);
    }
    return info;
  }

  has(idTag: string): boolean {
    return this.map.has(idTag);
  }

  put(idTag: string, info: IdTagInfo): void {
    this.map.delete(idTag);
    this.map.set(idTag, { ...info });
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<[string, IdTagInfo]> {
    return this.map.entries();
  }
}
