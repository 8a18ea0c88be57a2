/**
 * Errors of the OCPP layer, and the one place where foreign errors become OCPP CallError codes.
 *
 * Two directions:
 * - our calls to the CSMS fail with an {@link OcppLinkError} (typed `code`, never a bare ocpp-rpc error);
 * - a handler answering a CSMS call throws anything; {@link toCallError} turns it into the
 *   CallError that goes on the wire (validation → *Violation, unknown → NotImplemented,
 *   anything else → InternalError).
 */
import { ocppRpc } from './ocppRpc.js';

/** The errorCode values OCPP-J 1.6 allows in a CALLERROR (Table 7, spelling as on the wire). */
export const OCPP16_ERROR_CODES = [
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
] as const;
export type Ocpp16ErrorCode = (typeof OCPP16_ERROR_CODES)[number];

const VALID_CODES: ReadonlySet<string> = new Set(OCPP16_ERROR_CODES);

/**
 * Codes ocpp-rpc produces that are not valid OCPP 1.6 codes. The 1.6-J errata (§5 "known issues
 * that will not be fixed") keeps `FormationViolation` and `OccurenceConstraintViolation` (sic);
 * ocpp-rpc 2.2.1 rewrites the latter to the 2.1 spelling for ocpp1.6 and answers framing errors
 * with the 2.0.1 codes RpcFrameworkError / MessageTypeNotSupported.
 */
const TO_OCPP16: Readonly<Record<string, Ocpp16ErrorCode>> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  // A frame that is not a valid RPC message does not conform to the PDU structure.
  RpcFrameworkError: 'FormationViolation',
  MessageTypeNotSupported: 'FormationViolation',
};

/** Maps any CallError code to one OCPP 1.6 allows (unknown codes become GenericError). */
export function toOcpp16ErrorCode(code: string): Ocpp16ErrorCode {
  if (VALID_CODES.has(code)) return code as Ocpp16ErrorCode;
  return TO_OCPP16[code] ?? 'GenericError';
}

/**
 * Thrown by a handler (or by code it calls) to answer with a specific CallError, e.g.
 * `throw new OcppCallError('PropertyConstraintViolation', 'connectorId out of range')`.
 */
export class OcppCallError extends Error {
  override readonly name = 'OcppCallError';
  constructor(
    readonly code: Ocpp16ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why a call of ours to the CSMS failed. */
export type OcppLinkErrorCode =
  /** No open connection. */
  | 'NOT_CONNECTED'
  /** Connected, but registration forbids this request now (OCPP 1.6 §4.2: not Accepted). */
  | 'NOT_ACCEPTED'
  /** The link was stopped. */
  | 'STOPPED'
  /** No answer within callTimeoutMs (of the injected clock). */
  | 'TIMEOUT'
  /** The connection dropped while the call was in flight. */
  | 'DISCONNECTED'
  /** The CSMS answered with a CALLERROR (see `ocppErrorCode`). */
  | 'CALL_ERROR'
  /** Our request does not match the OCPP 1.6 schema (not sent). */
  | 'INVALID_REQUEST'
  /** The CSMS's answer does not match the OCPP 1.6 schema. */
  | 'INVALID_RESPONSE'
  /** The WebSocket could not be opened (reported through the `error` event). */
  | 'CONNECT_FAILED'
  /** Anything else. */
  | 'FAILED';

export class OcppLinkError extends Error {
  override readonly name = 'OcppLinkError';
  constructor(
    readonly code: OcppLinkErrorCode,
    message: string,
    readonly details: { action?: string; ocppErrorCode?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get action(): string | undefined {
    return this.details.action;
  }

  /** The CSMS's errorCode when `code` is CALL_ERROR. */
  get ocppErrorCode(): string | undefined {
    return this.details.ocppErrorCode;
  }
}

const LINK_DOWN: ReadonlySet<OcppLinkErrorCode> = new Set<OcppLinkErrorCode>(['NOT_CONNECTED', 'NOT_ACCEPTED', 'STOPPED', 'DISCONNECTED', 'CONNECT_FAILED']);

/**
 * The call failed because the CSMS cannot be reached now (no connection, registration not
 * Accepted, the link stopped or dropped mid-call), not because of its answer: a message that must
 * arrive waits for the next Accepted registration instead of using up an attempt.
 */
export function isLinkDown(err: unknown): boolean {
  return err instanceof OcppLinkError && LINK_DOWN.has(err.code);
}

interface RpcErrorLike {
  rpcErrorCode: string;
  message: string;
}

function isRpcError(err: unknown): err is RpcErrorLike {
  return err instanceof ocppRpc.RPCError || (typeof err === 'object' && err !== null && typeof (err as RpcErrorLike).rpcErrorCode === 'string');
}

/** The CallError a handler failure answers with. */
export interface CallErrorAnswer {
  code: Ocpp16ErrorCode;
  message: string;
  /** True when the failure is ours (a bug or a broken device), not the CSMS's request. */
  internal: boolean;
}

/**
 * Classifies an error thrown while answering a CSMS call. The message of an internal error is
 * not sent (it may leak internals); the caller logs the original.
 */
export function classifyHandlerError(err: unknown): CallErrorAnswer {
  if (err instanceof OcppCallError) return { code: err.code, message: err.message, internal: err.code === 'InternalError' };
  if (isRpcError(err)) {
    const code = toOcpp16ErrorCode(err.rpcErrorCode);
    return { code, message: err.message, internal: code === 'InternalError' || code === 'GenericError' };
  }
  return { code: 'InternalError', message: 'Internal error', internal: true };
}

/** The ocpp-rpc error object that makes ocpp-rpc answer with this CallError. */
export function toCallError(answer: CallErrorAnswer): Error {
  return ocppRpc.createRPCError(answer.code, answer.message, {}) as unknown as Error;
}

/** What the link knows about a failed call besides the error itself. */
export interface CallFailureContext {
  /** Our clock's call timeout fired. */
  timedOut: boolean;
  stopped: boolean;
  /** ocpp-rpc reported this very error as a strict-validation failure of our request / their answer. */
  invalid?: 'request' | 'response';
}

/** Maps a failed ocpp-rpc call to a typed {@link OcppLinkError}. */
export function toLinkError(err: unknown, action: string, ctx: CallFailureContext): OcppLinkError {
  const cause = err;
  const text = err instanceof Error ? err.message : String(err);
  if (ctx.timedOut) return new OcppLinkError('TIMEOUT', `${action}: no answer in time`, { action, cause });
  if (ctx.invalid === 'request') return new OcppLinkError('INVALID_REQUEST', `${action}: request violates the schema: ${text}`, { action, cause });
  if (ctx.invalid === 'response') return new OcppLinkError('INVALID_RESPONSE', `${action}: answer violates the schema: ${text}`, { action, cause });
  if (ctx.stopped) return new OcppLinkError('STOPPED', `${action}: link stopped`, { action, cause });
  if (isRpcError(err)) {
    return new OcppLinkError('CALL_ERROR', `${action}: CSMS answered ${err.rpcErrorCode}: ${text}`, { action, ocppErrorCode: err.rpcErrorCode, cause });
  }
  // ocpp-rpc rejects calls in flight with an AbortError when the socket goes away, and refuses
  // to send on a closed socket with a plain Error.
  if (err instanceof Error && err.name === 'AbortError') return new OcppLinkError('DISCONNECTED', `${action}: connection lost`, { action, cause });
  if (/not open|in this state/.test(text)) return new OcppLinkError('NOT_CONNECTED', `${action}: not connected`, { action, cause });
  return new OcppLinkError('FAILED', `${action}: ${text}`, { action, cause });
}
