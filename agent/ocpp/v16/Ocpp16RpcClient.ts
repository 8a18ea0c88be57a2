/**
 * ocpp-rpc's RPCClient, speaking strict OCPP 1.6J, with the few corrections 1.6 needs.
 *
 * ocpp-rpc 2.2.1 answers some CALLERRORs with codes OCPP 1.6 does not have (RpcFrameworkError and
 * MessageTypeNotSupported for broken frames, OccurrenceConstraintViolation spelled the 2.1 way).
 * Every outgoing frame passes through `sendRaw`, so that is where the code is corrected — one
 * place, whichever ocpp-rpc path produced the error.
 */
import { ocppRpc, standardValidators } from './ocppRpc.js';
import { toOcpp16ErrorCode } from '../errors.js';

export type RpcClientOptions = ConstructorParameters<typeof ocppRpc.RPCClient>[0];

export const OCPP16_SUBPROTOCOL = 'ocpp1.6';
const MSG_CALLERROR = 4;

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

export class Ocpp16RpcClient extends ocppRpc.RPCClient {
  override sendRaw(message: string): void {
    super.sendRaw(toOcpp16Frame(message));
  }

  /** WebSocket ping interval (0 = off); takes effect on the open connection. */
  setPingInterval(ms: number): void {
    // reconfigure() merges options, so a partial object is what ocpp-rpc expects here.
    this.reconfigure({ pingIntervalMs: ms } as Partial<RpcClientOptions> as RpcClientOptions);
  }
}

let warmed = false;

/**
 * Compiles the strict-mode schemas of `actions` (request and response) now instead of on their
 * first message. The validators are ocpp-rpc's module-level ones, shared by every client of the
 * process, so this runs once per process.
 */
export function warmOcpp16Validators(actions: Iterable<string>): void {
  if (warmed) return;
  warmed = true;
  const validator = standardValidators.find((v) => v.subprotocol === OCPP16_SUBPROTOCOL);
  if (!validator) return;
  for (const action of actions) {
    validator._ajv.getSchema(`urn:${action}.req`);
    validator._ajv.getSchema(`urn:${action}.conf`);
  }
}
