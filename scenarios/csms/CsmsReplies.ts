/**
 * How the embedded CSMS answers calls from charge points: sensible defaults (boot accepted,
 * every idTag accepted, increasing transaction ids) that a test or scenario overrides per
 * action, per charge point, for ever or for the next few calls.
 */
import type { RequestOf, ResponseOf } from '../../agent/ocpp16/messages.js';
import type { AuthorizationStatusEnumType, IdTokenEnumType, IdTokenType, Ocpp201Action, RequestOf as RequestOf201, ResponseOf as ResponseOf201 } from '../../agent/ocpp201/messages.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import type { ChargePointState } from './ChargePointState.js';
import type { NO_REPLY, RpcError } from './ocppRpcServer.js';

/** Actions a charge point calls on the CSMS (OCPP 1.6 core profiles + security whitepaper). */
export const INBOUND_ACTIONS = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'SecurityEventNotification',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
] as const;
export type InboundAction = (typeof INBOUND_ACTIONS)[number];

/** Actions a charging station calls on the CSMS in OCPP 2.0.1. */
export const INBOUND_ACTIONS_201 = [
  'Authorize',
  'BootNotification',
  'ClearedChargingLimit',
  'DataTransfer',
  'FirmwareStatusNotification',
  'Get15118EVCertificate',
  'GetCertificateStatus',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'NotifyChargingLimit',
  'NotifyCustomerInformation',
  'NotifyDisplayMessages',
  'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule',
  'NotifyEvent',
  'NotifyMonitoringReport',
  'NotifyReport',
  'PublishFirmwareStatusNotification',
  'ReportChargingProfiles',
  'ReservationStatusUpdate',
  'SecurityEventNotification',
  'SignCertificate',
  'StatusNotification',
  'TransactionEvent',
] as const satisfies readonly Ocpp201Action[];
export type InboundAction201 = (typeof INBOUND_ACTIONS_201)[number];

/** The inbound actions of a version. */
export function inboundActions(version: OcppVersion): readonly string[] {
  return version === '2.0.1' ? INBOUND_ACTIONS_201 : INBOUND_ACTIONS;
}

export type IdTagInfo = ResponseOf<'Authorize'>['idTagInfo'];
export type IdTagStatus = IdTagInfo['status'];

/** A status a rule may give: 1.6's, and those only 2.0.1 has (NoCredit, NotAtThisTime …; a 1.6 charger is told Invalid). */
export type AuthorizationStatus = AuthorizationStatusEnumType;

/** What the CSMS says of an identifier, in either version: a 1.6 idTagInfo, with 2.0.1's statuses and the group's kind. */
export interface AuthorizationInfo {
  readonly status: AuthorizationStatus;
  readonly expiryDate?: string;
  readonly parentIdTag?: string;
  /** OCPP 2.0.1 groupIdToken.type (default Central). */
  readonly parentIdTagType?: IdTokenEnumType;
}

/**
 * Decides Authorize, StartTransaction and StopTransaction idTagInfo (2.0.1: Authorize and
 * TransactionEvent idTokenInfo). A map lists known tags (unknown ones are Invalid): a key is an
 * idTag (any kind), or under 2.0.1 `Type:value` for that kind only (`KeyCode:1234`), which comes
 * first; a function decides each tag (`idTokenType`: its kind, 2.0.1 only). No rule: every tag is
 * Accepted.
 */
export type AuthorizationRule =
  | Readonly<Record<string, AuthorizationStatus | AuthorizationInfo>>
  | ((idTag: string, chargePointId: string, idTokenType?: IdTokenEnumType) => AuthorizationStatus | AuthorizationInfo);

export interface BootPolicy {
  /** Heartbeat interval (s) sent with Accepted. Default 300. */
  readonly interval?: number;
  /** Answer the first `count` boots of each charge point with Pending or Rejected first. */
  readonly first?: { readonly status: 'Pending' | 'Rejected'; readonly count: number; readonly interval?: number };
}

/** Any action a charge point calls, in either version. */
export type AnyInboundAction = InboundAction | InboundAction201;
/** The answer to `A`: its 1.6 response, its 2.0.1 response, or either when both versions have `A`. */
export type AnswerOf<A extends AnyInboundAction> = (A extends InboundAction ? ResponseOf<A> : never) | (A extends InboundAction201 ? ResponseOf201<A> : never);
export type AnyRequestOf<A extends AnyInboundAction> = (A extends InboundAction ? RequestOf<A> : never) | (A extends InboundAction201 ? RequestOf201<A> : never);

export type ReplyValue<A extends AnyInboundAction> = AnswerOf<A> | RpcError | typeof NO_REPLY;

export interface ReplyContext<A extends AnyInboundAction> {
  readonly chargePointId: string;
  /** The version the charge point's connection speaks: which of the answer shapes to return. */
  readonly ocppVersion: OcppVersion;
  readonly messageId: string;
  /** 1 for this charge point's first valid call of this action, 2 for the second, … */
  readonly nth: number;
  readonly chargePoint: Readonly<ChargePointState>;
  /** What the CSMS answers without an override (for StartTransaction this hands out an id). */
  defaultReply(): AnswerOf<A>;
  /** The idTagInfo the current authorization rule gives this tag (1.6 words). */
  authorize(idTag: string): IdTagInfo;
  /** OCPP 2.0.1: the idTokenInfo the rule gives this idToken, by its value and type. */
  idTokenInfo(idToken: IdTokenType): ResponseOf201<'Authorize'>['idTokenInfo'];
  /** The CSMS clock, ms since the epoch. */
  now(): number;
}

/** A fixed answer, a CallError ({@link callError}), NO_REPLY, or a function computing one of those. */
export type Reply<A extends AnyInboundAction> =
  | ReplyValue<A>
  | ((request: AnyRequestOf<A>, ctx: ReplyContext<A>) => ReplyValue<A> | Promise<ReplyValue<A>>);

export interface ReplyOptions {
  /** Only for this charge point (default: every charge point). */
  readonly chargePointId?: string;
  /** Use this reply for the next `times` calls only, then fall back (default: until removed). */
  readonly times?: number;
}

interface Override {
  readonly action: AnyInboundAction;
  readonly reply: Reply<AnyInboundAction>;
  readonly chargePointId: string | undefined;
  remaining: number;
}

export interface CallInfo {
  readonly chargePointId: string;
  readonly ocppVersion: OcppVersion;
  readonly messageId: string;
  readonly nth: number;
  readonly chargePoint: Readonly<ChargePointState>;
}

export class CsmsReplies {
  private readonly overrides: Override[] = [];
  private nextTransactionId: number;

  constructor(
    private readonly now: () => number,
    private bootPolicy: BootPolicy = {},
    private authorization: AuthorizationRule | undefined = undefined,
    firstTransactionId = 1,
  ) {
    this.nextTransactionId = firstTransactionId;
  }

  /** Returns a function that removes this override again. */
  respondTo<A extends AnyInboundAction>(action: A, reply: Reply<A>, options: ReplyOptions = {}): () => void {
    const override: Override = {
      action,
      reply: reply as Reply<AnyInboundAction>,
      chargePointId: options.chargePointId,
      remaining: options.times ?? Infinity,
    };
    this.overrides.push(override);
    return () => this.remove(override);
  }

  /** Removes overrides (of one action, or all). */
  clear(action?: AnyInboundAction): void {
    for (const o of this.overrides.filter((o) => action === undefined || o.action === action)) this.remove(o);
  }

  setBootPolicy(policy: BootPolicy): void {
    this.bootPolicy = policy;
  }

  setAuthorization(rule: AuthorizationRule | undefined): void {
    this.authorization = rule;
  }

  /** What the rule says of an idTag in 1.6 words (a status only 2.0.1 has reads Invalid; no group kind). */
  authorize(idTag: string, chargePointId: string): IdTagInfo {
    const { status, expiryDate, parentIdTag } = this.decide(idTag, chargePointId, undefined);
    return { status: idTagStatus16(status), ...(expiryDate !== undefined && { expiryDate }), ...(parentIdTag !== undefined && { parentIdTag }) };
  }

  /** What the rule says of an identifier (`idTokenType`: its kind, 2.0.1; a `Type:value` key first). */
  decide(idTag: string, chargePointId: string, idTokenType: IdTokenEnumType | undefined): AuthorizationInfo {
    const rule = this.authorization;
    if (rule === undefined) return { status: 'Accepted' };
    const decided = typeof rule === 'function'
      ? rule(idTag, chargePointId, idTokenType)
      : ((idTokenType !== undefined ? rule[`${idTokenType}:${idTag}`] : undefined) ?? rule[idTag] ?? 'Invalid');
    return typeof decided === 'string' ? { status: decided } : decided;
  }

  /**
   * The answer to one valid call: an override's if one applies — limited (`times`) overrides
   * first, oldest first, so queued one-off answers play in order; then the newest permanent
   * one — otherwise the default.
   */
  async reply(action: AnyInboundAction, request: unknown, call: CallInfo): Promise<unknown> {
    const override = this.pick(action, call.chargePointId);
    const ctx: ReplyContext<AnyInboundAction> = {
      ...call,
      defaultReply: () => (call.ocppVersion === '2.0.1' ? this.defaultReply201(action as InboundAction201, request, call) : this.defaultReply(action as InboundAction, request, call)) as AnswerOf<AnyInboundAction>,
      authorize: (idTag) => this.authorize(idTag, call.chargePointId),
      idTokenInfo: (idToken) => idTokenInfo(this.decide(idToken.idToken, call.chargePointId, idToken.type)),
      now: this.now,
    };
    if (!override) return ctx.defaultReply();
    const { reply } = override;
    const value = typeof reply === 'function' ? await reply(request as never, ctx) : reply;
    return call.ocppVersion === '2.0.1' ? in201Words(action, value) : value;
  }

  private pick(action: AnyInboundAction, chargePointId: string): Override | undefined {
    const applicable = this.overrides.filter((o) => o.action === action && (o.chargePointId === undefined || o.chargePointId === chargePointId));
    const chosen = applicable.find((o) => o.remaining !== Infinity) ?? applicable.findLast((o) => o.remaining === Infinity);
    if (chosen && --chosen.remaining <= 0) this.remove(chosen);
    return chosen;
  }

  private remove(override: Override): void {
    const i = this.overrides.indexOf(override);
    if (i >= 0) this.overrides.splice(i, 1);
  }

  /** The boot policy's answer to the n-th BootNotification (the same in both versions). */
  private bootReply(call: CallInfo, currentTime: string): { status: 'Accepted' | 'Pending' | 'Rejected'; interval: number; currentTime: string } {
    const first = this.bootPolicy.first;
    if (first && call.nth <= first.count) return { status: first.status, interval: first.interval ?? 1, currentTime };
    return { status: 'Accepted', interval: this.bootPolicy.interval ?? 300, currentTime };
  }

  private defaultReply(action: InboundAction, request: unknown, call: CallInfo): ResponseOf<InboundAction> {
    const currentTime = new Date(this.now()).toISOString();
    switch (action) {
      case 'BootNotification':
        return this.bootReply(call, currentTime);
      case 'Heartbeat':
        return { currentTime };
      case 'Authorize':
        return { idTagInfo: this.authorize((request as RequestOf<'Authorize'>).idTag, call.chargePointId) };
      case 'StartTransaction':
        return {
          transactionId: this.nextTransactionId++,
          idTagInfo: this.authorize((request as RequestOf<'StartTransaction'>).idTag, call.chargePointId),
        };
      case 'StopTransaction': {
        const { idTag } = request as RequestOf<'StopTransaction'>;
        return idTag === undefined ? {} : { idTagInfo: this.authorize(idTag, call.chargePointId) };
      }
      // This CSMS knows no vendor extensions, which is what a real one says to an unknown vendorId.
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      // It holds no CA that could sign a certificate.
      case 'SignCertificate':
        return { status: 'Rejected' };
      case 'DiagnosticsStatusNotification':
      case 'FirmwareStatusNotification':
      case 'LogStatusNotification':
      case 'MeterValues':
      case 'SecurityEventNotification':
      case 'SignedFirmwareStatusNotification':
      case 'StatusNotification':
        return {};
    }
  }

  /** The same policy in OCPP 2.0.1 words (idTagInfo becomes idTokenInfo). */
  private defaultReply201(action: InboundAction201, request: unknown, call: CallInfo): ResponseOf201<InboundAction201> {
    const currentTime = new Date(this.now()).toISOString();
    switch (action) {
      case 'BootNotification':
        return this.bootReply(call, currentTime);
      case 'Heartbeat':
        return { currentTime };
      case 'Authorize': {
        // By value and type: a KeyCode may be refused where the same value as ISO14443 is accepted.
        const { idToken } = request as RequestOf201<'Authorize'>;
        return { idTokenInfo: idTokenInfo(this.decide(idToken.idToken, call.chargePointId, idToken.type)) };
      }
      case 'TransactionEvent': {
        // An event that carries an idToken is answered with the CSMS's idTokenInfo for it.
        const { idToken } = request as RequestOf201<'TransactionEvent'>;
        return idToken === undefined ? {} : { idTokenInfo: idTokenInfo(this.decide(idToken.idToken, call.chargePointId, idToken.type)) };
      }
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      case 'SignCertificate':
        return { status: 'Rejected' };
      case 'Get15118EVCertificate':
        return { status: 'Failed', exiResponse: '' };
      case 'GetCertificateStatus':
        return { status: 'Failed' };
      case 'NotifyEVChargingNeeds':
        return { status: 'Rejected' };
      case 'NotifyEVChargingSchedule':
        return { status: 'Accepted' };
      default:
        return {};
    }
  }
}

/**
 * A scripted answer written in 1.6 words for an action both versions have (`{idTagInfo: …}` for
 * Authorize), said in 2.0.1 words, so that one script serves a charger of either version.
 */
function in201Words(action: AnyInboundAction, value: unknown): unknown {
  if (action !== 'Authorize' || typeof value !== 'object' || value === null || !('idTagInfo' in value)) return value;
  return { idTokenInfo: idTokenInfo((value as { idTagInfo: IdTagInfo }).idTagInfo) };
}

/** An idTagInfo as a 2.0.1 idTokenInfo: expiryDate → cacheExpiryDateTime, parentIdTag → a group token (Central unless its kind is given). */
export function idTokenInfo(info: AuthorizationInfo): ResponseOf201<'Authorize'>['idTokenInfo'] {
  return {
    status: info.status,
    ...(info.expiryDate !== undefined && { cacheExpiryDateTime: info.expiryDate }),
    ...(info.parentIdTag !== undefined && { groupIdToken: { idToken: info.parentIdTag, type: info.parentIdTagType ?? 'Central' } }),
  };
}

/** A status in 1.6 words: the ones only 2.0.1 has are Invalid to a 1.6 charger. */
function idTagStatus16(status: AuthorizationStatus): IdTagStatus {
  return status === 'Accepted' || status === 'Blocked' || status === 'Expired' || status === 'ConcurrentTx' || status === 'Invalid' ? status : 'Invalid';
}
