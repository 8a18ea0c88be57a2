/** One OCPP-J frame as the embedded CSMS logged it (./TrafficLog.ts keeps them, ./formatMessage.ts prints them). */

/** Relative to the CSMS: `in` = charge point → CSMS, `out` = CSMS → charge point. */
export type Direction = 'in' | 'out';
/** `malformed`: not a readable OCPP-J frame (bad JSON, unknown message type id, …). */
export type MessageKind = 'call' | 'result' | 'error' | 'malformed';

export interface CallErrorPayload {
  readonly errorCode: string;
  readonly errorDescription: string;
  readonly errorDetails: unknown;
}

export interface TrafficRecord {
  /** Position in the log, from 1; `since` options compare against it. */
  readonly seq: number;
  /** When it crossed the socket (ms since the epoch, on the CSMS's clock). */
  readonly t: number;
  readonly chargePointId: string;
  readonly direction: Direction;
  readonly kind: MessageKind;
  /** For a call its action; for a result or error the action of the call it answers, if known. */
  readonly action: string | undefined;
  /** call: its payload; result: the result; error: {@link CallErrorPayload}; malformed: the raw text. */
  readonly payload: unknown;
  readonly messageId: string | undefined;
  /** The frame exactly as it went over the wire. */
  readonly raw: string;
}
