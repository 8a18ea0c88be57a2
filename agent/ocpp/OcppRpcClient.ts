/**
 * ocpp-rpc's RPCClient as the link uses it (either OCPP version), with the few corrections 1.6 needs.
 *
 * ocpp-rpc 2.2.1 answers some CALLERRORs with codes OCPP 1.6 does not have (RpcFrameworkError and
 * MessageTypeNotSupported for broken frames, OccurrenceConstraintViolation spelled the 2.1 way).
 * Every outgoing frame passes through `sendRaw`, so that is where the code is corrected on a 1.6
 * connection — one place, whichever ocpp-rpc path produced the error. (Those codes are OCPP 2.0.1's
 * own, so a 2.0.1 connection sends them as they are.)
 */
import {
  clientSocket, dropHandshakeAbortController, ocpp201Validator, ocppRpc, pendingCalls, pingIntervalMs, replaceHandlerTable, shareStrictValidators, standardValidators, validatorAjv, type HandlerTable, type IHandlersOption,
} from './ocppRpc.js';
import { toOcpp16ErrorCode } from './errors.js';
import { compactListeners } from '../../hal/compactListeners.js';
import type { Logger } from 'pino';
import type { OcppTraffic } from './OcppTraffic.js';

export type RpcClientOptions = ConstructorParameters<typeof ocppRpc.RPCClient>[0];

export const OCPP16_SUBPROTOCOL = 'ocpp1.6';
export const OCPP201_SUBPROTOCOL = 'ocpp2.0.1';
const MSG_CALLERROR = 4;

/** Where a client's events go: the link, wired by attachClientEvents (linkClient.ts). */
export interface ClientEventSink {
  open(): void;
  disconnect(info: { code: number; reason: string }): void;
  /** ocpp-rpc refused our request, or the CSMS's answer to it, by schema; `error` is what the call rejects with. */
  invalid(which: 'request' | 'response', error: unknown): void;
  /** Our handler produced an answer the schema refuses (ocpp-rpc answers InternalError). */
  invalidAnswer(err: Error): void;
  /** The CSMS sent something that is not valid OCPP (a broken frame, a call that breaks the schema). */
  invalidFromCsms(what: string): void;
  /** The traffic log, or undefined when nobody listens (then frames are not translated). */
  traffic(): OcppTraffic | undefined;
  log: Logger;
}

/** Rewrites the errorCode of an outgoing CALLERROR frame to a valid OCPP 1.6 code. */
export function toOcpp16Frame(message: string): string {
  // Only CALLERRORs are touched; ocpp-rpc serialises with JSON.stringify, hence no whitespace.
  if (!message.startsWith(`[${MSG_CALLERROR},`)) return message;
  try {
    const frame = JSON.parse(message) as unknown[];
    const code = frame[2];
    if (typeof code !== 'string') return message;
    const fixed = toOcpp16ErrorCode(code);
    if (fixed === code) return message;
    frame[2] = fixed;
    return JSON.stringify(frame);
  } catch {
    return message;
  }
}

export class OcppRpcClient extends ocppRpc.RPCClient {
  /** Where this client's events go (set by attachClientEvents in linkClient.ts). */
  sink: ClientEventSink | undefined;

  /**
   * ocpp-rpc builds a Map of strict-mode validators per client at every reconfigure() (its
   * constructor's, each connect's connection settings, a ping interval change): the process's
   * shared one instead (ocppRpc.ts, 8.).
   */
  override reconfigure(options: RpcClientOptions): void {
    super.reconfigure(options);
    shareStrictValidators(this);
  }

  override sendRaw(message: string): void {
    super.sendRaw(this.protocol === OCPP16_SUBPROTOCOL ? toOcpp16Frame(message) : message);
  }

  /**
   * Answers every action in `actions` with `handler`; other actions get NotImplemented, as
   * without a handler. The same as handle(action, handler) for each action, minus a Map of ~25
   * entries per client (see replaceHandlerTable in ocppRpc.ts). Replaces handlers given with
   * handle() before.
   */
  handleActions(actions: ReadonlySet<string>, handler: (call: IHandlersOption) => unknown): void {
    const table: HandlerTable = { get: (method) => (actions.has(method) ? handler : undefined) };
    replaceHandlerTable(this, table);
  }

  /**
   * Connects, then drops what ocpp-rpc 2.2.1 keeps of the finished handshake for as long as the
   * connection lasts: the resolved result holds the HTTP upgrade response (an IncomingMessage with
   * its headers), and so do the `once` listeners for 'unexpected-response' and 'error' that
   * connect() left on the socket (they cannot matter any more: the error one would reject an
   * already settled promise; ocpp-rpc's own 'error' listener stays). About 1 KB per connection.
   * Also the handshake's AbortController (ocppRpc.ts, 7.).
   */
  override async connect(): Promise<unknown> {
    const result = (await super.connect()) as { response?: unknown } | undefined;
    if (result && typeof result === 'object') result.response = undefined;
    dropHandshakeAbortController(this);
    const ws = clientSocket(this);
    for (const event of ['unexpected-response', 'error'] as const) {
      // rawListeners() shows once() wrappers, which carry the original as `listener` (Node docs).
      for (const l of ws?.rawListeners(event) ?? []) if ('listener' in l) ws!.removeListener(event, l as never);
    }
    // The listener tables of this connection's long-lived emitters (hal/compactListeners.ts).
    // The socket's after ocpp-rpc's own next tick, which swaps its first 'message' listener.
    compactListeners(this);
    if (ws) process.nextTick(compactListeners, ws);
    return result;
  }

  /**
   * Rejects every call that awaits its answer with an AbortError whose message is `reason` — what
   * an aborted `signal` call option does, without its cost: per call an AbortController, its
   * EventTarget and the `once` listener ocpp-rpc 2.2.1 attaches to it. Those live as long as the
   * call, so in a fleet's session-start burst they survive into the old generation (≈ 10 KB per
   * charger; docs/fleet.md, Memory and scale).
   */
  abortPendingCalls(reason: string): void {
    // abort() deletes the entry; Map iteration allows that.
    for (const call of pendingCalls(this).values()) call.abort?.(reason);
  }

  /** The WebSocket ping interval in effect, ms (0 = off). */
  get pingIntervalMs(): number {
    return pingIntervalMs(this);
  }

  /** WebSocket ping interval (0 = off); takes effect on the open connection. */
  setPingInterval(ms: number): void {
    // reconfigure() merges options, so a partial object is what ocpp-rpc expects here.
    this.reconfigure({ pingIntervalMs: ms } as Partial<RpcClientOptions> as RpcClientOptions);
  }
}

const warmed = new Set<string>();

/**
 * Compiles the strict-mode schemas of `actions` (request and response) of `subprotocol` now instead
 * of on their first message. The validators are module-level, shared by every client of the
 * process, so this runs once per process and subprotocol.
 */
export function warmValidators(subprotocol: string, actions: Iterable<string>): void {
  if (warmed.has(subprotocol)) return;
  warmed.add(subprotocol);
  const validator = subprotocol === OCPP201_SUBPROTOCOL ? ocpp201Validator() : standardValidators.find((v) => v.subprotocol === subprotocol);
  if (!validator) return;
  const ajv = validatorAjv(validator);
  for (const action of actions) {
    ajv.getSchema(`urn:${action}.req`);
    ajv.getSchema(`urn:${action}.conf`);
  }
}

/** The strict-mode validators a client of `subprotocol` needs besides the standard (1.6) one. */
export function extraValidators(subprotocol: string): ReturnType<typeof ocpp201Validator>[] {
  return subprotocol === OCPP201_SUBPROTOCOL ? [ocpp201Validator()] : [];
}
