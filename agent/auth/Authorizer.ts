/**
 * Decides whether an idTag may charge, following OCPP 1.6 §3.5 (local authorization):
 * - the Local Authorization List (LocalAuthListEnabled) takes precedence over the cache (§3.5.3):
 *   an idTag on the list is decided by its list entry whenever the decision is local, and the
 *   cache is not consulted for it;
 * - LocalPreAuthorize + a valid Accepted list or cache entry → accepted at once, no round trip;
 *   with LocalPreAuthorize a Blocked/Expired/Invalid (or expired) *list* entry is refused locally;
 * - online → Authorize.req; the answer refreshes the cache (not for idTags on the list);
 * - offline → the list, then the cache, if LocalAuthorizeOffline; else AllowOfflineTxForUnknownId
 *   for an idTag neither knows; else refused.
 * An expired or blocked entry is never accepted locally; expiryDate is read on the agent's clock.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../hal/index.js';
import type { IdTagStatus } from '../ocpp16/vocabulary.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { AuthorizationCache, IdTagInfo } from './AuthorizationCache.js';
import type { LocalAuthList } from './LocalAuthList.js';

export interface AuthorizationResult {
  status: IdTagStatus;
  parentIdTag?: string;
  /** The driver's language, when the CSMS gave one with this decision (OCPP 2.0.1 IdTokenInfo.language1). */
  language?: string;
  /** Where the decision came from, for logs and the timeline. */
  source: 'local-list' | 'cache' | 'csms' | 'offline-unknown' | 'offline-refused';
}

export interface AuthorizerOptions {
  link: OcppCaller;
  cache: AuthorizationCache;
  /** The Local Authorization List (absent: none, as if LocalAuthListEnabled were false). */
  localList?: LocalAuthList;
  config: OcppConfiguration;
  clock: Clock;
  log: Logger;
}

export class Authorizer {
  constructor(private readonly o: AuthorizerOptions) {}

  async authorize(idTag: string): Promise<AuthorizationResult> {
    const { config, link, cache } = this.o;
    const listed = this.listed(idTag);
    // AuthorizationCacheEnabled=false: the cache is neither read nor written, so every tag is unknown.
    const cacheEnabled = config.getBool('AuthorizationCacheEnabled');
    const cached = cacheEnabled && !listed ? this.validCached(idTag) : undefined;
    if (config.getBool('LocalPreAuthorize')) {
      if (listed) return this.result(listed, 'local-list');
      if (cached) return this.result(cached, 'cache');
    }
    if (link.isAccepted) {
      try {
        const { idTagInfo } = await link.call('Authorize', { idTag });
        if (cacheEnabled && !listed) cache.put(idTag, idTagInfo);
        const language = link.driverLanguage?.(idTag);
        return { ...this.result(idTagInfo, 'csms'), ...(language !== undefined && { language }) };
      } catch (err) {
        this.o.log.warn({ err, idTag }, 'Authorize failed; deciding offline');
      }
    }
    if (config.getBool('LocalAuthorizeOffline')) {
      if (listed) return this.result(listed, 'local-list');
      if (cached) return this.result(cached, 'cache');
    }
    const known = listed !== undefined || (cacheEnabled && cache.has(idTag));
    if (!known && config.getBool('AllowOfflineTxForUnknownId')) return { status: 'Accepted', source: 'offline-unknown' };
    return { status: 'Invalid', source: 'offline-refused' };
  }

  /** The list entry (with a passed expiryDate read as Expired) while the list is enabled. */
  private listed(idTag: string): IdTagInfo | undefined {
    const list = this.o.localList;
    if (!list || !this.o.config.getBool('LocalAuthListEnabled')) return undefined;
    const info = list.get(idTag);
    if (info?.status === 'Accepted' && this.expired(info)) return { ...info, status: 'Expired' };
    return info;
  }

  /** The cached entry if it is Accepted and not expired. */
  private validCached(idTag: string): IdTagInfo | undefined {
    const info = this.o.cache.get(idTag);
    if (!info || info.status !== 'Accepted' || this.expired(info)) return undefined;
    return info;
  }

  private expired(info: IdTagInfo): boolean {
    return info.expiryDate !== undefined && Date.parse(info.expiryDate) <= this.o.clock.now();
  }

  private result(info: IdTagInfo, source: AuthorizationResult['source']): AuthorizationResult {
    return { status: info.status, source, ...(info.parentIdTag !== undefined && { parentIdTag: info.parentIdTag }) };
  }
}
