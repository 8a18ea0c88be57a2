/**
 * How the embedded CSMS answers calls from charge points: sensible defaults (boot accepted,
 * every idTag accepted, increasing transaction ids) that a test or scenario overrides per
 * action, per charge point, for ever or for the next few calls.
 */
import type { RequestOf, ResponseOf } from '../../agent/ocpp16/messages.js';
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

export type IdTagInfo = ResponseOf<'Authorize'>['idTagInfo'];
export type IdTagStatus = IdTagInfo['status'];

/**
 * Decides Authorize, StartTransaction and StopTransaction idTagInfo. A map lists known tags
 * (unknown ones are Invalid); a function decides each tag. No rule: every tag is Accepted.
 */
export type AuthorizationRule =
  | Readonly<Record<string, IdTagStatus | IdTagInfo>>
  | ((idTag: string, chargePointId: string) => IdTagStatus | IdTagInfo);

export interface BootPolicy {
  /** Heartbeat interval (s) sent with Accepted. Default 300. */
  readonly interval?: number;
  /** Answer the first `count` boots of each charge point with Pending or Rejected first. */
  readonly first?: { readonly status: 'Pending' | 'Rejected'; readonly count: number; readonly interval?: number };
}

export type ReplyValue<A extends InboundAction> = ResponseOf<A> | RpcError | typeof NO_REPLY;

export interface ReplyContext<A extends InboundAction> {
  readonly chargePointId: string;
  readonly messageId: string;
  /** 1 for this charge point's first valid call of this action, 2 for the second, … */
  readonly nth: number;
  readonly chargePoint: Readonly<ChargePointState>;
  /** What the CSMS answers without an override (for StartTransaction this hands out an id). */
  defaultReply(): ResponseOf<A>;
  /** The idTagInfo the current authorization rule gives this tag. */
  authorize(idTag: string): IdTagInfo;
  /** The CSMS clock, ms since the epoch. */
  now(): number;
}

/** A fixed answer, a CallError ({@link callError}), NO_REPLY, or a function computing one of those. */
export type Reply<A extends InboundAction> =
  | ReplyValue<A>
  | ((request: RequestOf<A>, ctx: ReplyContext<A>) => ReplyValue<A> | Promise<ReplyValue<A>>);

export interface ReplyOptions {
  /** Only for this charge point (default: every charge point). */
  readonly chargePointId?: string;
  /** Use this reply for the next `times` calls only, then fall back (default: until removed). */
  readonly times?: number;
}

interface Override {
  readonly action: InboundAction;
  readonly reply: Reply<InboundAction>;
  readonly chargePointId: string | undefined;
  remaining: number;
}

export interface CallInfo {
  readonly chargePointId: string;
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
  respondTo<A extends InboundAction>(action: A, reply: Reply<A>, options: ReplyOptions = {}): () => void {
    const override: Override = {
      action,
      reply: reply as Reply<InboundAction>,
      chargePointId: options.chargePointId,
      remaining: options.times ?? Infinity,
    };
    this.overrides.push(override);
    return () => this.remove(override);
  }

  /** Removes overrides (of one action, or all). */
  clear(action?: InboundAction): void {
    for (const o of this.overrides.filter((o) => action === undefined || o.action === action)) this.remove(o);
  }

  setBootPolicy(policy: BootPolicy): void {
    this.bootPolicy = policy;
  }

  setAuthorization(rule: AuthorizationRule | undefined): void {
    this.authorization = rule;
  }

  authorize(idTag: string, chargePointId: string): IdTagInfo {
    const rule = this.authorization;
    if (rule === undefined) return { status: 'Accepted' };
    const decided = typeof rule === 'function' ? rule(idTag, chargePointId) : (rule[idTag] ?? 'Invalid');
    return typeof decided === 'string' ? { status: decided } : decided;
  }

  /**
   * The answer to one valid call: an override's if one applies — limited (`times`) overrides
   * first, oldest first, so queued one-off answers play in order; then the newest permanent
   * one — otherwise the default.
   */
  async reply(action: InboundAction, request: unknown, call: CallInfo): Promise<unknown> {
    const override = this.pick(action, call.chargePointId);
    const ctx: ReplyContext<InboundAction> = {
      ...call,
      defaultReply: () => this.defaultReply(action, request, call),
      authorize: (idTag) => this.authorize(idTag, call.chargePointId),
      now: this.now,
    };
    if (!override) return ctx.defaultReply();
    const { reply } = override;
    return typeof reply === 'function' ? await reply(request as never, ctx) : reply;
  }

  private pick(action: InboundAction, chargePointId: string): Override | undefined {
    const applicable = this.overrides.filter((o) => o.action === action && (o.chargePointId === undefined || o.chargePointId === chargePointId));
    const chosen = applicable.find((o) => o.remaining !== Infinity) ?? applicable.findLast((o) => o.remaining === Infinity);
    if (chosen && --chosen.remaining <= 0) this.remove(chosen);
    return chosen;
  }

  private remove(override: Override): void {
    const i = this.overrides.indexOf(override);
    if (i >= 0) this.overrides.splice(i, 1);
  }

  private defaultReply(action: InboundAction, request: unknown, call: CallInfo): ResponseOf<InboundAction> {
    const currentTime = new Date(this.now()).toISOString();
    switch (action) {
      case 'BootNotification': {
        const first = this.bootPolicy.first;
        if (first && call.nth <= first.count) return { status: first.status, interval: first.interval ?? 1, currentTime };
        return { status: 'Accepted', interval: this.bootPolicy.interval ?? 300, currentTime };
      }
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
}
