/**
 * Answering one CSMS call: the registration rules of OCPP 1.6 §4.2, the handler table, and the
 * mapping of whatever a handler throws to a CallError (agent/ocpp/errors.ts).
 */
import { ocppRpc, type IHandlersOption } from '../ocppRpc.js';
import type { Logger } from 'pino';
import { classifyHandlerError, toCallError } from '../errors.js';
import type { OcppLinkState } from '../OcppLinkTypes.js';
import type { ChargePointControl } from './ChargePointControl.js';
import { handlerFor } from './handlers/index.js';
import type { TriggerMessageRequest, TriggerMessageResponse } from '../../ocpp16/messages.js';

/** What answering needs from the link. */
export interface AnsweringLink {
  state(): OcppLinkState;
  readonly control: ChargePointControl;
  readonly log: Logger;
  /** A call left unanswered on purpose. */
  ignored(messageId: string | undefined): void;
  /** A TriggerMessage was Accepted: its message may go out even before registration is Accepted. */
  triggerAccepted(request: TriggerMessageRequest): void;
  /** A handler failed on our side (a bug or broken hardware, not a bad request). */
  failed(err: Error): void;
}

/** §4.2: RemoteStart/RemoteStop are refused until the charge point is Accepted. */
const ACCEPTED_ONLY: ReadonlySet<string> = new Set(['RemoteStartTransaction', 'RemoteStopTransaction']);

/**
 * The answer to a CSMS call (ocpp-rpc handler signature): a response object, ocpp-rpc's NOREPLY
 * (registration Rejected: §4.2 says not to respond at all), or a thrown CallError.
 */
export async function answerCall(link: AnsweringLink, { method, params, messageId, signal }: IHandlersOption): Promise<unknown> {
  const action = String(method);
  const early = registrationAnswer(link, action, messageId, ACCEPTED_ONLY);
  if (early !== undefined) return early;
  const handler = handlerFor(action);
  if (!handler) throw notImplemented(action);
  try {
    const response = await untilAborted(handler(link.control, params), signal);
    if (action === 'TriggerMessage' && (response as TriggerMessageResponse).status === 'Accepted' && link.state() !== 'accepted') {
      link.triggerAccepted(params as TriggerMessageRequest);
    }
    return response;
  } catch (err) {
    throw handlerFailure(link, action, err);
  }
}

/**
 * The registration rules of both OCPP versions, before any handler runs: while registration is
 * Rejected no answer at all (ocpp-rpc's NOREPLY; the station does not talk before its next boot),
 * and `{ status: 'Rejected' }` for the `acceptedOnly` calls before it is Accepted. Undefined: the
 * handler answers.
 */
export function registrationAnswer(link: Pick<AnsweringLink, 'state' | 'log' | 'ignored'>, action: string, messageId: string | undefined, acceptedOnly: ReadonlySet<string>): unknown {
  if (link.state() === 'rejected') {
    link.log.info({ action }, 'CSMS call ignored while registration is Rejected');
    link.ignored(messageId);
    return ocppRpc.NOREPLY;
  }
  if (link.state() !== 'accepted' && acceptedOnly.has(action)) return { status: 'Rejected' };
  return undefined;
}

/**
 * What a handler threw, logged and turned into the CallError to answer with (either OCPP version):
 * a failure on our side is reported through `link.failed`, a bad request only logged.
 */
export function handlerFailure(link: Pick<AnsweringLink, 'log' | 'failed'>, action: string, err: unknown): Error {
  const answer = classifyHandlerError(err);
  if (answer.internal) {
    link.log.error({ err, action }, 'handler failed');
    link.failed(err instanceof Error ? err : new Error(String(err)));
  } else {
    link.log.info({ action, code: answer.code, reason: answer.message }, 'CSMS call answered with a CallError');
  }
  return toCallError(answer);
}

/** The CallError for an action nobody answers here. */
export function notImplemented(action: string): Error {
  return toCallError({ code: 'NotImplemented', message: `${action} is not implemented`, internal: false });
}

/**
 * Rejects when ocpp-rpc aborts the call. Its close() waits for every call being answered, and it
 * only signals the handler: without this a hanging handler would block stop() forever.
 */
export function untilAborted<T>(value: T | Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('CSMS call aborted: connection closing'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
