/**
 * What counts as an OCPP violation on a connection, and the record of them: messages that
 * failed strict schema validation (either side's) and frames that were not OCPP-J at all.
 *
 * Answers to the CSMS's own raw (possibly hostile) frames are not violations. ocpp-rpc only
 * knows the message ids of calls it made itself, so a charge point that correctly answers a raw
 * call, or answers a malformed frame with a CallError, would otherwise look like it sent an
 * unsolicited response. (ocpp-rpc checks the message type before it reads the id, so its
 * CallError for an unknown type carries id "-1": any id is accepted for malformed frames.)
 */
import type { RuleBroken } from './ChargePointState.js';
import type { StrictValidationFailure } from './ocppRpcServer.js';
import { parseFrame, type TrafficRecord } from './TrafficLog.js';

export interface Violation {
  readonly t: number;
  readonly chargePointId: string;
  /** Who produced the invalid message. */
  readonly by: 'chargePoint' | 'csms';
  /** `ruleBroken`: valid by the schema, but against a rule of the protocol (`rule` says which). */
  readonly kind: 'invalidCall' | 'invalidResult' | 'badFrame' | 'ruleBroken';
  /** For `ruleBroken`: seqNo, transactionOrder, statusOrder. */
  readonly rule?: string;
  readonly action: string | undefined;
  readonly messageId: string | undefined;
  readonly error: string;
  readonly payload: unknown;
}

type Frame = Pick<TrafficRecord, 'kind' | 'messageId'>;

interface RawExpectations {
  /** Message ids of raw calls. */
  readonly ids: Set<string>;
  /** Malformed raw frames: each may be answered by one CallError with any id. */
  malformed: number;
}

export class Violations {
  private readonly list: Violation[] = [];
  private readonly raw = new Map<string, RawExpectations>();

  constructor(private readonly now: () => number) {}

  all(chargePointId?: string): Violation[] {
    return chargePointId === undefined ? this.list.slice() : this.list.filter((v) => v.chargePointId === chargePointId);
  }

  /** From ocpp-rpc's `strictValidationFailure`. */
  fromValidationFailure(chargePointId: string, f: StrictValidationFailure): Violation {
    return this.add({
      chargePointId,
      by: f.outbound ? 'csms' : 'chargePoint',
      kind: f.isCall ? 'invalidCall' : 'invalidResult',
      action: f.method,
      messageId: f.messageId,
      error: f.error.message,
      payload: f.isCall ? f.params : f.result,
    });
  }

  /** A completed call that broke a rule of the protocol (ChargePointState found it). */
  ruleBroken(chargePointId: string, call: Pick<TrafficRecord, 'action' | 'messageId' | 'payload'>, broken: RuleBroken): Violation {
    return this.add({ chargePointId, by: 'chargePoint', kind: 'ruleBroken', rule: broken.rule, action: call.action, messageId: call.messageId, error: broken.problem, payload: call.payload });
  }

  /** From ocpp-rpc's `badMessage` (a frame it could not use); undefined when it was expected. */
  fromBadMessage(chargePointId: string, raw: string, error: Error): Violation | undefined {
    const frame = parseFrame(raw);
    if (this.answersRawFrame(chargePointId, frame)) return undefined;
    return this.add({ chargePointId, by: 'chargePoint', kind: 'badFrame', action: frame.action, messageId: frame.messageId, error: error.message, payload: raw });
  }

  /** The CSMS sent this frame raw: an answer to it is not a violation. */
  rawFrameSent(chargePointId: string, frame: Frame): void {
    if (frame.kind !== 'call' && frame.kind !== 'malformed') return; // results and errors are not answered
    const expected = this.raw.get(chargePointId) ?? { ids: new Set<string>(), malformed: 0 };
    this.raw.set(chargePointId, expected);
    if (frame.kind === 'call' && frame.messageId !== undefined) expected.ids.add(frame.messageId);
    else expected.malformed += 1;
  }

  /** The connection is gone: answers to raw frames can no longer arrive. */
  connectionClosed(chargePointId: string): void {
    this.raw.delete(chargePointId);
  }

  private answersRawFrame(chargePointId: string, frame: Frame): boolean {
    const expected = this.raw.get(chargePointId);
    if (!expected || (frame.kind !== 'result' && frame.kind !== 'error')) return false;
    if (frame.messageId !== undefined && expected.ids.delete(frame.messageId)) return true;
    if (frame.kind === 'error' && expected.malformed > 0) {
      expected.malformed -= 1;
      return true;
    }
    return false;
  }

  private add(v: Omit<Violation, 't'>): Violation {
    const violation: Violation = { t: this.now(), ...v };
    this.list.push(violation);
    return violation;
  }
}
