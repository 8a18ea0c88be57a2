/**
 * The link's traffic log: turns ocpp-rpc's frame events into {@link TrafficRecord}s (direction,
 * action, payload) for the CLI timeline and for scenario tests against an external CSMS.
 * A response frame does not name its action, so the action of each call in flight is remembered
 * by message id until its response passes.
 */
import { toOcpp16ErrorCode } from './errors.js';

export interface TrafficRecord {
  direction: 'in' | 'out';
  /** call, its result, its CallError, or a frame that is not valid OCPP-J ('invalid', payload = text). */
  type: 'call' | 'result' | 'error' | 'invalid';
  messageId: string;
  action: string | undefined;
  /** Call params, result payload, `{ errorCode, errorDescription, errorDetails }`, or the raw text. */
  payload: unknown;
  /** Clock time (ms) when the frame passed. */
  at: number;
}

/** Longest raw text kept for an invalid frame. */
const MAX_RAW = 2000;

/** Where a traffic log takes its time from and gives its records to (an object, not two closures: one per link). */
export interface TrafficSink {
  /** Clock time, ms. */
  now(): number;
  record(record: TrafficRecord): void;
}

export class OcppTraffic {
  // Created on first use: most links in a fleet never log traffic.
  private inFlight: Map<string, string> | undefined;

  constructor(private readonly sink: TrafficSink) {}

  /** ocpp-rpc 'call' event (either direction). */
  call(outbound: boolean, frame: unknown[]): void {
    const [, id, action, params] = frame;
    const messageId = String(id);
    (this.inFlight ??= new Map()).set(key(outbound, messageId), String(action));
    this.emit(outbound, 'call', messageId, String(action), action === 'ChangeConfiguration' ? withoutSecret(params) : params);
  }

  /** ocpp-rpc 'response' event: a CALLRESULT or CALLERROR (either direction). */
  response(outbound: boolean, frame: unknown[]): void {
    const messageId = String(frame[1]);
    // An outbound response answers an inbound call, and vice versa.
    const k = key(!outbound, messageId);
    const action = this.inFlight?.get(k);
    this.inFlight?.delete(k);
    // An idle link holds no (empty but allocated) table: 10,000 of them are ≈ 2 MB.
    if (this.inFlight?.size === 0) this.inFlight = undefined;
    if (frame[0] === 3) {
      this.emit(outbound, 'result', messageId, action, frame[2]);
    } else {
      const errorCode = typeof frame[2] === 'string' && outbound ? toOcpp16ErrorCode(frame[2]) : frame[2];
      this.emit(outbound, 'error', messageId, action, { errorCode, errorDescription: frame[3], errorDetails: frame[4] });
    }
  }

  /** An inbound call we chose not to answer (registration Rejected). */
  unanswered(messageId: string): void {
    this.inFlight?.delete(key(false, messageId));
  }

  /** ocpp-rpc 'badMessage' event: the frame as text, and the CallError it answered with, if any. */
  invalid(raw: string, answer: unknown[] | null): void {
    this.emit(false, 'invalid', '', undefined, raw.length > MAX_RAW ? `${raw.slice(0, MAX_RAW)}…` : raw);
    if (answer) this.response(true, answer);
  }

  /** Forget calls in flight (their responses will never come on a new connection). */
  reset(): void {
    this.inFlight = undefined;
  }

  private emit(outbound: boolean, type: TrafficRecord['type'], messageId: string, action: string | undefined, payload: unknown): void {
    this.sink.record({ direction: outbound ? 'out' : 'in', type, messageId, action, payload, at: this.sink.now() });
  }
}

/** A ChangeConfiguration of the AuthorizationKey (a password) is recorded without its value: records reach timelines, files and MQTT. */
function withoutSecret(params: unknown): unknown {
  const p = params as { key?: unknown } | null;
  return typeof p?.key === 'string' && p.key.toLowerCase() === 'authorizationkey' ? { ...p, value: '(hidden)' } : params;
}

function key(outbound: boolean, messageId: string): string {
  return outbound ? `>${messageId}` : `<${messageId}`;
}
