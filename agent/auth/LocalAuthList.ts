/**
 * The Local Authorization List (OCPP 1.6 §3.5.3, §5.15 SendLocalList, §5.16 GetLocalListVersion;
 * 2.0.1 D01–D03): identifiers the CSMS installed here with their idTagInfo, under a version number.
 * Unlike the authorization cache it is managed only by the CSMS and takes precedence over the cache.
 *
 * Like the cache (./AuthorizationCache.ts) it tells entries apart by value alone (1.6) or, once
 * {@link distinguishKinds} is on (2.0.1), by kind and value; each entry keeps its kind, and an entry
 * stored without one (a 1.6 list, or one written before kinds were kept) is read as ISO14443.
 *
 * Kept in a small file in the data directory (or only in memory for fleets and tests). An update
 * is applied only once it is on disk: a write that fails leaves the old list and answers Failed.
 * A missing file is an empty list (version 0); an unreadable one too, logged.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SendLocalListResponse } from '../ocpp16/messages.js';
import { writeAtomically } from '../store/writeAtomically.js';
import { isIdTagInfo, type CacheEntry, type IdTagInfo } from './AuthorizationCache.js';
import { isIdTokenKind, tokenKey, type IdTokenKind } from './idToken.js';

/** Nothing being written yet (shared: a settled promise never changes, and each of 10,000 fleet chargers had one). */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * A SendLocalList in the shared words: 1.6's request as it is, 2.0.1's with each idToken's kind
 * (`idTokenType`) and its idTokenInfo as an idTagInfo that keeps the statuses 1.6 lacks.
 */
export interface LocalListUpdate {
  listVersion: number;
  updateType: 'Full' | 'Differential';
  localAuthorizationList?: { idTag: string; idTokenType?: IdTokenKind; idTagInfo?: IdTagInfo }[];
}

interface Entry {
  idTag: string;
  type: IdTokenKind | undefined;
  info: IdTagInfo;
}

export interface LocalListLimits {
  /** LocalAuthListMaxLength: most entries the list may hold. */
  maxEntries: number;
  /** SendLocalListMaxLength: most entries one SendLocalList may carry. */
  maxPerRequest: number;
}

/** The empty list, shared: `entries` is replaced on every update, never changed in place. */
const NO_ENTRIES: ReadonlyMap<string, Entry> = new Map();

export class LocalAuthList {
  private writing: Promise<unknown> = SETTLED;
  /** Kinds told apart (2.0.1) or not (1.6); until told, kept apart, so loading a file loses nothing. */
  private typed: boolean | undefined;

  private get byKind(): boolean {
    return this.typed ?? true;
  }

  private constructor(
    private readonly file: string | null,
    private listVersion: number,
    private entries: ReadonlyMap<string, Entry>,
    private readonly log: Logger,
  ) {}

  /** Reads the list from `file` (null: in memory only). */
  static async open(file: string | null, log: Logger): Promise<LocalAuthList> {
    if (!file) return LocalAuthList.inMemory(log);
    try {
      const body = JSON.parse(await readFile(file, 'utf8')) as { listVersion?: unknown; entries?: unknown };
      const { listVersion, entries } = body;
      if (!Number.isSafeInteger(listVersion) || (listVersion as number) < 0 || typeof entries !== 'object' || entries === null) {
        throw new Error('unexpected structure');
      }
      // Version 1: { idTag: info }; version 2: [idTag, info, kind?][] (kinds, and one value under several kinds).
      const items: unknown[] = Array.isArray(entries) ? entries : Object.entries(entries as Record<string, unknown>);
      const map = new Map<string, Entry>();
      for (const item of items) {
        if (!Array.isArray(item) || typeof item[0] !== 'string' || !isIdTagInfo(item[1]) || (item[2] !== undefined && !isIdTokenKind(item[2]))) throw new Error('bad entry');
        const entry: Entry = { idTag: item[0], type: item[2] as IdTokenKind | undefined, info: item[1] };
        map.set(tokenKey(entry.idTag, entry.type, true), entry);
      }
      return new LocalAuthList(file, listVersion as number, map, log);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the local authorization list; starting with an empty list');
      return new LocalAuthList(file, 0, NO_ENTRIES, log);
    }
  }

  /** A list kept only in memory (fleets, tests). */
  static inMemory(log: Logger): LocalAuthList {
    return new LocalAuthList(null, 0, NO_ENTRIES, log);
  }

  /**
   * The version the CSMS last installed; 0 while the list is empty (§5.16: "0 SHALL be used to
   * indicate that the local authorization list is empty"), so a CSMS seeing 0 sends a Full list.
   */
  get version(): number {
    return this.entries.size === 0 ? 0 : this.listVersion;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Tell identifiers apart by kind and value (OCPP 2.0.1) or by value alone (1.6); the Agent says
   * which when it is made. Under 1.6 one value listed under several kinds is one entry (the last).
   */
  distinguishKinds(on: boolean): void {
    if (on === this.typed) return;
    const before = this.byKind;
    this.typed = on;
    if (before !== on) this.entries = this.rekeyed(this.entries.values());
  }

  private rekeyed(entries: Iterable<Entry>): ReadonlyMap<string, Entry> {
    const map = new Map<string, Entry>();
    for (const e of entries) map.set(tokenKey(e.idTag, e.type, this.byKind), e);
    return map.size === 0 ? NO_ENTRIES : map;
  }

  /** The entry for an identifier (`type`: its kind, heeded under 2.0.1), as the CSMS sent it (expiry not applied), or undefined. */
  get(idTag: string, type?: IdTokenKind): IdTagInfo | undefined {
    const entry = this.entries.get(tokenKey(idTag, type, this.byKind));
    return entry && { ...entry.info };
  }

  /**
   * Applies a SendLocalList: Full replaces the list, Differential adds/updates entries (an entry
   * without idTagInfo removes its idTag) and needs a version newer than the installed one.
   * Resolves once the new list is durable; the list is unchanged unless the answer is Accepted.
   */
  update(req: LocalListUpdate, limits: LocalListLimits): Promise<SendLocalListResponse['status']> {
    // Serialised: a second update sees the outcome of the first.
    const next = this.writing.then(() => this.apply(req, limits));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async apply(req: LocalListUpdate, limits: LocalListLimits): Promise<SendLocalListResponse['status']> {
    const items = req.localAuthorizationList ?? [];
    if (req.listVersion < 0 || items.length > limits.maxPerRequest) return 'Failed';
    const key = (i: { idTag: string; idTokenType?: IdTokenKind }) => tokenKey(i.idTag, i.idTokenType, this.byKind);
    if (new Set(items.map(key)).size !== items.length) return 'Failed';
    if (req.updateType === 'Differential' && req.listVersion <= this.version) return 'VersionMismatch';
    const entries = req.updateType === 'Full' ? new Map<string, Entry>() : new Map(this.entries);
    for (const item of items) {
      if (item.idTagInfo) entries.set(key(item), { idTag: item.idTag, type: item.idTokenType, info: { ...item.idTagInfo } });
      else entries.delete(key(item));
    }
    if (entries.size > limits.maxEntries) return 'Failed';
    if (this.file) {
      const stored = [...entries.values()].map((e): CacheEntry => (e.type === undefined ? [e.idTag, e.info] : [e.idTag, e.info, e.type]));
      const body = `${JSON.stringify({ version: 2, listVersion: req.listVersion, entries: stored })}\n`;
      try {
        await writeAtomically(this.file, body);
      } catch (err) {
        this.log.error({ err, file: this.file }, 'cannot persist the local authorization list; update refused');
        return 'Failed';
      }
    }
    this.entries = entries.size === 0 ? NO_ENTRIES : entries;
    this.listVersion = req.listVersion;
    this.log.info({ listVersion: req.listVersion, updateType: req.updateType, entries: entries.size }, 'local authorization list updated');
    return 'Accepted';
  }
}
