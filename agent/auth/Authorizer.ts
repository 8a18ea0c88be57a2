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
 * - DisableRemoteAuthorization (OCPP 2.0.1 AuthCtrlr.DisableRemoteAuthorization, C01/C12): no
 *   Authorize at all; the list, then the cache decide as they would offline (an entry's own status,
 *   an expired one Expired), online or not; an identifier neither knows is refused (2.0.1: Unknown).
 *
 * OCPP 2.0.1 (C01–C15) follows the same rules with identifiers of a kind (./idToken.ts): the
 * list and cache tell kinds apart, Authorize carries the kind, the idTokenInfo is kept whole (the
 * statuses 1.6 lacks, the group's kind, the EVSEs it is limited to); an identifier of kind
 * NoAuthorization is accepted without asking anyone. Under 1.6 a stored status 1.6 has no word for
 * (a list kept from a 2.0.1 run) reads as Invalid.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../hal/index.js';
import type { AuthorizeRequest, AuthorizeResponse } from '../ocpp16/messages.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { AuthorizationCache, IdTagInfo } from './AuthorizationCache.js';
import { idTagStatus16, type IdTokenKind, type TokenStatus } from './idToken.js';
import type { LocalAuthList } from './LocalAuthList.js';

export interface AuthorizationResult {
  /** 1.6's statuses; under 2.0.1 also NoCredit, NotAtThisLocation … as the CSMS or the list said. */
  status: TokenStatus;
  parentIdTag?: string;
  /** OCPP 2.0.1: the kind of the group's token. */
  parentIdTagType?: IdTokenKind;
  /** OCPP 2.0.1 idTokenInfo.evseId: the only EVSEs (connectors) where it may charge (absent: any). */
  evseIds?: number[];
  /** The driver's language, when the CSMS gave one with this decision (OCPP 2.0.1 IdTokenInfo.language1). */
  language?: string;
  /** Where the decision came from, for logs and the timeline. */
  source: 'local-list' | 'cache' | 'csms' | 'offline-unknown' | 'offline-refused' | 'local-unknown' | 'no-authorization';
}

/**
 * What the authorizer needs of the OCPP link (agent/ocpp's OcppCaller is one; defined here so that
 * agent/auth does not import the link that uses it): whether the CSMS accepted this charger, an
 * Authorize, and where identifiers have kinds on the wire (OCPP 2.0.1) the Authorize of a kind.
 */
export interface AuthorizeLink {
  readonly isAccepted: boolean;
  call(action: 'Authorize', payload: AuthorizeRequest): Promise<AuthorizeResponse>;
  readonly tokenKinds?: boolean;
  authorizeToken?(idTag: string, type: IdTokenKind | undefined): Promise<{ info: IdTagInfo; language?: string }>;
}

export interface AuthorizerOptions {
  link: AuthorizeLink;
  cache: AuthorizationCache;
  /** The Local Authorization List (absent: none, as if LocalAuthListEnabled were false). */
  localList?: LocalAuthList;
  config: OcppConfiguration;
  clock: Clock;
  log: Logger;
}

export class Authorizer {
  constructor(private readonly o: AuthorizerOptions) {}

  /** `type`: the identifier's kind (./idToken.ts); heeded where the protocol spoken has kinds (2.0.1). */
  async authorize(idTag: string, type?: IdTokenKind): Promise<AuthorizationResult> {
    const { config, link, cache } = this.o;
    if (type === 'NoAuthorization') return { status: 'Accepted', source: 'no-authorization' };
    const listed = this.listed(idTag, type);
    // AuthorizationCacheEnabled=false: the cache is neither read nor written, so every tag is unknown.
    const cacheEnabled = config.getBool('AuthorizationCacheEnabled');
    const cached = cacheEnabled && !listed ? this.validCached(idTag, type) : undefined;
    if (config.getBool('LocalPreAuthorize')) {
      if (listed) return this.result(listed, 'local-list');
      if (cached) return this.result(cached, 'cache');
    }
    if (config.getBool('DisableRemoteAuthorization')) return this.locally(idTag, type, listed, cacheEnabled);
    if (link.isAccepted) {
      try {
        const { info, language } = link.authorizeToken
          ? await link.authorizeToken(idTag, type)
          : { info: (await link.call('Authorize', { idTag })).idTagInfo as IdTagInfo, language: undefined };
        if (cacheEnabled && !listed) cache.put(idTag, info, type);
        return { ...this.result(info, 'csms'), ...(language !== undefined && { language }) };
      } catch (err) {
        this.o.log.warn({ err, idTag }, 'Authorize failed; deciding offline');
      }
    }
    if (config.getBool('LocalAuthorizeOffline')) {
      if (listed) return this.result(listed, 'local-list');
      if (cached) return this.result(cached, 'cache');
    }
    const known = listed !== undefined || (cacheEnabled && cache.has(idTag, type));
    if (!known && config.getBool('AllowOfflineTxForUnknownId')) return { status: 'Accepted', source: 'offline-unknown' };
    return { status: 'Invalid', source: 'offline-refused' };
  }

  /**
   * The decision without the CSMS (DisableRemoteAuthorization): the list entry, else the cache entry
   * with its own status (an Accepted one past its expiry date: Expired), else refused as unknown.
   */
  private locally(idTag: string, type: IdTokenKind | undefined, listed: IdTagInfo | undefined, cacheEnabled: boolean): AuthorizationResult {
    if (listed) return this.result(listed, 'local-list');
    const cached = cacheEnabled ? this.o.cache.get(idTag, type) : undefined;
    if (cached) return this.result(cached.status === 'Accepted' && this.expired(cached) ? { ...cached, status: 'Expired' } : cached, 'cache');
    return { status: this.o.link.tokenKinds === true ? 'Unknown' : 'Invalid', source: 'local-unknown' };
  }

  /** The list entry (with a passed expiryDate read as Expired) while the list is enabled. */
  private listed(idTag: string, type: IdTokenKind | undefined): IdTagInfo | undefined {
    const list = this.o.localList;
    if (!list || !this.o.config.getBool('LocalAuthListEnabled')) return undefined;
    const info = list.get(idTag, type);
    if (info?.status === 'Accepted' && this.expired(info)) return { ...info, status: 'Expired' };
    return info;
  }

  /** The cached entry if it is Accepted and not expired (2.0.1 cacheExpiryDateTime, 1.6 expiryDate). */
  private validCached(idTag: string, type: IdTokenKind | undefined): IdTagInfo | undefined {
    const info = this.o.cache.get(idTag, type);
    if (!info || info.status !== 'Accepted' || this.expired(info)) return undefined;
    return info;
  }

  private expired(info: IdTagInfo): boolean {
    return info.expiryDate !== undefined && Date.parse(info.expiryDate) <= this.o.clock.now();
  }

  private result(info: IdTagInfo, source: AuthorizationResult['source']): AuthorizationResult {
    const kinds = this.o.link.tokenKinds === true;
    return {
      status: kinds ? info.status : idTagStatus16(info.status),
      source,
      ...(info.parentIdTag !== undefined && { parentIdTag: info.parentIdTag }),
      ...(kinds && info.parentIdTagType !== undefined && { parentIdTagType: info.parentIdTagType }),
      ...(kinds && info.evseIds !== undefined && { evseIds: [...info.evseIds] }),
    };
  }
}
