/**
 * Errors of the embedded CSMS when it calls a charge point. A CallError the charge point sent
 * stays ocpp-rpc's RPCError (an Error with `rpcErrorCode`); these are the other ways a call fails.
 */
import { checkPayload, type SchemaProblem } from './validatePayload.js';

/** The charge point answered, but its answer failed strict validation (so the call has no result). */
export class InvalidAnswerError extends Error {
  override readonly name = 'InvalidAnswerError';
  /** Where the answer breaks the schema; undefined only if re-checking it found nothing. */
  readonly problem: SchemaProblem | undefined;

  constructor(
    readonly chargePointId: string,
    readonly action: string,
    readonly answer: unknown,
    schemaMessage: string,
  ) {
    const problem = checkPayload(action, 'conf', answer);
    super(`${chargePointId} answered ${action} with an invalid result: ${problem?.message ?? schemaMessage}`);
    this.problem = problem;
  }
}

/** Why an operator's call (`evse csms` prompt or HTTP API) did not produce an answer. */
export type OperatorErrorKind =
  /** No charge point of that id ever connected. */
  | 'unknownChargePoint'
  /** It connected once, but is not connected now. */
  | 'notConnected'
  /** Not an OCPP 1.6 action the CSMS sends (unknown, or one only charge points send). */
  | 'unknownAction'
  /** The payload fails the OCPP 1.6 schema: nothing was sent. */
  | 'invalidPayload'
  /** The charge point answered with a CallError. */
  | 'callError'
  /** The charge point's answer fails the OCPP 1.6 schema. */
  | 'invalidAnswer'
  /** No answer within the call timeout. */
  | 'timeout'
  /** The connection closed before the answer came (or the CSMS is stopping). */
  | 'connectionLost';

export interface OperatorErrorDetails {
  /** The payload field at fault (invalidPayload, invalidAnswer). */
  readonly field?: string;
  /** The CallError (callError). */
  readonly callError?: { readonly code: string; readonly description: string; readonly details: unknown };
  /** The charge point's answer (invalidAnswer). */
  readonly answer?: unknown;
}

export class OperatorError extends Error {
  override readonly name = 'OperatorError';

  constructor(
    readonly kind: OperatorErrorKind,
    message: string,
    readonly details: OperatorErrorDetails = {},
  ) {
    super(message);
  }
}
