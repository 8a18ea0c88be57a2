/**
 * Decides whether an idTag may charge, following OCPP 1.6 §3.5 (local authorization):
 * - LocalPreAuthorize + a valid cached Accepted entry → accepted at once, no round trip;
 * - online → Authorize.req; the answer refreshes the cache;
 * - offline → the cache if LocalAuthorizeOffline, else AllowOfflineTxForUnknownId, else refused.
 * An expired or blocked cached entry is never accepted locally.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../hal/index.js';
import type { IdTagStatus } from '../charging/connectorTypes.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { AuthorizationCache, IdTagInfo } from './AuthorizationCache.js';

export interface AuthorizationResult {
  status: IdTagStatus;
  parentIdTag?: string;
  /** Where the decision came from, for logs and the timeline. */
  source: 'cache' | 'csms' | 'offline-unknown' | 'offline-refused';
}

export interface AuthorizerOptions {
  link: OcppCaller;
  cache: AuthorizationCache;
  config: OcppConfiguration;
  clock: Clock;
  log: Logger;
}

export class Authorizer {
  constructor(private readonly o: AuthorizerOptions) {}

  async authorize(idTag: string): Promise<AuthorizationResult> {
    const { config, link, cache } = this.o;
    // AuthorizationCacheEnabled=false: the cache is neither read nor written, so every tag is unknown.
    const cacheEnabled = config.getBool('AuthorizationCacheEnabled');
    const cached = cacheEnabled ? this.validCached(idTag) : undefined;
    if (cached && config.getBool('LocalPreAuthorize')) return this.result(cached, 'cache');
    if (link.isAccepted) {
      try {
        const { idTagInfo } = await link.call('Authorize', { idTag });
        if (cacheEnabled) cache.put(idTag, idTagInfo);
        return this.result(idTagInfo, 'csms');
      } catch (err) {
        this.o.log.warn({ err, idTag }, 'Authorize failed; deciding offline');
      }
    }
    if (cached && config.getBool('LocalAuthorizeOffline')) return this.result(cached, 'cache');
    const known = cacheEnabled && cache.has(idTag);
    if (!known && config.getBool('AllowOfflineTxForUnknownId')) return { status: 'Accepted', source: 'offline-unknown' };
    return { status: 'Invalid', source: 'offline-refused' };
  }

  /** The cached entry if it is Accepted and not expired. */
  private validCached(idTag: string): IdTagInfo | undefined {
    const info = this.o.cache.get(idTag);
    if (!info || info.status !== 'Accepted') return undefined;
    if (info.expiryDate && Date.parse(info.expiryDate) <= this.o.clock.now()) return undefined;
    return info;
  }

  private result(info: IdTagInfo, source: AuthorizationResult['source']): AuthorizationResult {
    return { status: info.status, source, ...(info.parentIdTag !== undefined && { parentIdTag: info.parentIdTag }) };
  }
}
