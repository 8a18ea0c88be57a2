/**
 * The OCPP 1.6 Local Authorization List (§3.5.3, §5.15 SendLocalList, §5.16 GetLocalListVersion):
 * idTags the CSMS installed here with their idTagInfo, under a version number. Unlike the
 * authorization cache it is managed only by the CSMS and takes precedence over the cache.
 *
 * Kept in a small file in the data directory (or only in memory for fleets and tests). An update
 * is applied only once it is on disk: a write that fails leaves the old list and answers Failed.
 * A missing file is an empty list (version 0); an unreadable one too, logged.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SendLocalListRequest, SendLocalListResponse } from '../ocpp16/messages.js';
import { writeAtomically } from '../store/writeAtomically.js';
import { isIdTagInfo, type IdTagInfo } from './AuthorizationCache.js';

export interface LocalListLimits {
  /** LocalAuthListMaxLength: most entries the list may hold. */
  maxEntries: number;
  /** SendLocalListMaxLength: most entries one SendLocalList may carry. */
  maxPerRequest: number;
}

/** The empty list, shared: `entries` is replaced on every update, never changed in place. */
const NO_ENTRIES: ReadonlyMap<string, IdTagInfo> = new Map();

export class LocalAuthList {
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string | null,
    private listVersion: number,
    private entries: ReadonlyMap<string, IdTagInfo>,
    private readonly log: Logger,
  ) {}

  /** Reads the list from `file` (null: in memory only). */
  static async open(file: string | null, log: Logger): Promise<LocalAuthList> {
    if (!file) return LocalAuthList.inMemory(log);
    try {
      const body = JSON.parse(await readFile(file, 'utf8')) as { listVersion?: unknown; entries?: unknown };
      const { listVersion, entries } = body;
      if (!Number.isSafeInteger(listVersion) || (listVersion as number) < 0 || typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
        throw new Error('unexpected structure');
      }
      const map = new Map<string, IdTagInfo>();
      for (const [idTag, info] of Object.entries(entries as Record<string, unknown>)) {
        if (!isIdTagInfo(info)) throw new Error(`bad entry for ${idTag}`);
        map.set(idTag, info);
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

  /** The entry for `idTag`, as the CSMS sent it (expiry not applied), or undefined. */
  get(idTag: string): IdTagInfo | undefined {
    const info = this.entries.get(idTag);
    return info && { ...info };
  }

  /**
   * Applies a SendLocalList: Full replaces the list, Differential adds/updates entries (an entry
   * without idTagInfo removes its idTag) and needs a version newer than the installed one.
   * Resolves once the new list is durable; the list is unchanged unless the answer is Accepted.
   */
  update(req: SendLocalListRequest, limits: LocalListLimits): Promise<SendLocalListResponse['status']> {
    // Serialised: a second update sees the outcome of the first.
    const next = this.writing.then(() => this.apply(req, limits));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async apply(req: SendLocalListRequest, limits: LocalListLimits): Promise<SendLocalListResponse['status']> {
    const items = req.localAuthorizationList ?? [];
    if (req.listVersion < 0 || items.length > limits.maxPerRequest) return 'Failed';
    if (new Set(items.map((i) => i.idTag)).size !== items.length) return 'Failed';
    if (req.updateType === 'Differential' && req.listVersion <= this.version) return 'VersionMismatch';
    const entries = req.updateType === 'Full' ? new Map<string, IdTagInfo>() : new Map(this.entries);
    for (const { idTag, idTagInfo } of items) {
      if (idTagInfo) entries.set(idTag, { ...idTagInfo });
      else entries.delete(idTag);
    }
    if (entries.size > limits.maxEntries) return 'Failed';
    if (this.file) {
      const body = `${JSON.stringify({ version: 1, listVersion: req.listVersion, entries: Object.fromEntries(entries) })}\n`;
      try {
        await writeAtomically(this.file, body);
      } catch (err) {
        this.log.error({ err, file: this.file }, 'cannot persist the local authorization list; update refused');
        return 'Failed';
      }
    }
    this.entries = entries;
    this.listVersion = req.listVersion;
    this.log.info({ listVersion: req.listVersion, updateType: req.updateType, entries: entries.size }, 'local authorization list updated');
    return 'Accepted';
  }
}
