/**
 * Every OCPP-J frame the embedded CSMS sent or received, parsed and in order, and a way to wait
 * for one. Frames are recorded as they cross the socket (raw text included), so the log also
 * holds what strict validation refused and what was not OCPP-J at all.
 */
import type { Ocpp16Action, RequestOf } from '../../agent/ocpp16/messages.js';
import type { Ocpp201Action, RequestOf as RequestOf201 } from '../../agent/ocpp201/messages.js';
import { formatMessage } from './formatMessage.js';
import type { CallErrorPayload, Direction, TrafficRecord } from './trafficRecord.js';
import { matchesPartial } from './matchesPartial.js';

export type { CallErrorPayload, Direction, MessageKind, TrafficRecord } from './trafficRecord.js';

export interface WaitOptions {
  /** Give up after this long (real time). Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Only consider records with `seq` greater than this (see {@link TrafficLog.mark}). Default 0. */
  readonly since?: number;
  /** How the awaited message is described in the timeout error. */
  readonly description?: string;
}

type DeepPartial<T> = T extends readonly (infer U)[] ? readonly DeepPartial<U>[] : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;
/** Part of a payload ({@link matchesPartial}) or a predicate on it. */
export type CallMatch<A extends Ocpp16Action> = DeepPartial<RequestOf<A>> | ((request: RequestOf<A>) => boolean);
export type CallRecord<A extends Ocpp16Action> = TrafficRecord & { readonly kind: 'call'; readonly action: A; readonly payload: RequestOf<A> };
/** The same for OCPP 2.0.1 payloads. */
export type CallMatch201<A extends Ocpp201Action> = DeepPartial<RequestOf201<A>> | ((request: RequestOf201<A>) => boolean);
export type CallRecord201<A extends Ocpp201Action> = TrafficRecord & { readonly kind: 'call'; readonly action: A; readonly payload: RequestOf201<A> };

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

interface Waiter {
  readonly predicate: (record: TrafficRecord) => boolean;
  readonly since: number;
  readonly resolve: (record: TrafficRecord) => void;
  readonly reject: (err: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface OpenCall {
  readonly action: string;
  readonly record: TrafficRecord;
}

const DEFAULT_WAIT_MS = 5000;
const TAIL_IN_ERRORS = 12;

export class TrafficLog {
  private readonly records: TrafficRecord[] = [];
  private readonly waiters = new Set<Waiter>();
  /** Calls not yet answered, by `${chargePointId} ${direction} ${messageId}`. */
  private readonly openCalls = new Map<string, OpenCall>();
  private seq = 0;
  /** Record count at which the oldest are dropped down to `limit`. */
  private readonly trimAt: number;

  /**
   * @param limit how many records to keep at least; older ones are dropped (a long `evse csms`
   * run) in chunks of a tenth of it, so the log holds up to 10 % more between trims. Dropping
   * one record per message instead moved the whole array for every frame once the log was full
   * (a fleet of 10,000 reaches 100,000 records in about a minute).
   */
  constructor(private readonly limit = 100_000) {
    this.trimAt = limit + Math.max(1, Math.ceil(limit / 10));
  }

  /**
   * Parses and records one frame. Returns the record and, for a result or error, the call it
   * answers (so the CSMS can update its view of the charge point from request + response).
   */
  append(t: number, chargePointId: string, direction: Direction, raw: string): { record: TrafficRecord; answers?: TrafficRecord } {
    const frame = parseFrame(raw);
    let action = frame.action;
    let answers: TrafficRecord | undefined;
    if ((frame.kind === 'result' || frame.kind === 'error') && frame.messageId !== undefined) {
      const key = openCallKey(chargePointId, direction === 'in' ? 'out' : 'in', frame.messageId);
      const open = this.openCalls.get(key);
      if (open) {
        this.openCalls.delete(key);
        action = open.action;
        answers = open.record;
      }
    }
    const record: TrafficRecord = { seq: ++this.seq, t, chargePointId, direction, ...frame, action, raw };
    if (frame.kind === 'call' && frame.messageId !== undefined && frame.action !== undefined) {
      this.openCalls.set(openCallKey(chargePointId, direction, frame.messageId), { action: frame.action, record });
    }
    this.records.push(record);
    if (this.records.length >= this.trimAt) this.records.splice(0, this.records.length - this.limit);
    for (const waiter of this.waiters) {
      // A throwing test predicate fails that wait; it must not break the CSMS's message handling.
      let hit: boolean;
      try {
        hit = record.seq > waiter.since && waiter.predicate(record);
      } catch (err) {
        this.settle(waiter, () => waiter.reject(err instanceof Error ? err : new Error(String(err))));
        continue;
      }
      if (hit) this.settle(waiter, () => waiter.resolve(record));
    }
    return answers ? { record, answers } : { record };
  }

  /** Forgets the unanswered calls of a charge point whose connection is gone. */
  dropOpenCalls(chargePointId: string): void {
    for (const [key, open] of this.openCalls) {
      if (open.record.chargePointId === chargePointId) this.openCalls.delete(key);
    }
  }

  /** The `seq` of the latest record (0 when empty): pass it as `since` to wait for what comes next. */
  mark(): number {
    return this.seq;
  }

  /** Recorded messages, oldest first, optionally filtered. */
  list(filter?: (record: TrafficRecord) => boolean): TrafficRecord[] {
    return filter ? this.records.filter(filter) : this.records.slice();
  }

  /**
   * Resolves with the first record (already recorded or still to come) with `seq > since` that
   * satisfies `predicate`; rejects with a {@link WaitTimeoutError} that lists the last messages.
   */
  waitFor(predicate: (record: TrafficRecord) => boolean, options: WaitOptions = {}): Promise<TrafficRecord> {
    const since = options.since ?? 0;
    const found = this.records.find((r) => r.seq > since && predicate(r));
    if (found) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        since,
        resolve,
        reject,
        timer: setTimeout(() => {
          const what = options.description ?? 'a matching message';
          this.settle(waiter, () => reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describeTail()}`)));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Waits for a call with this action from (or, with `direction: 'out'`, to) a charge point. */
  waitForCall<A extends Ocpp16Action>(
    chargePointId: string,
    action: A,
    match: CallMatch<A> | undefined,
    options: WaitOptions & { direction?: Direction } = {},
  ): Promise<CallRecord<A>> {
    const direction = options.direction ?? 'in';
    const arrow = direction === 'in' ? '→' : '←';
    const matching = match === undefined ? '' : typeof match === 'function' ? ' matching a predicate' : ` matching ${JSON.stringify(match)}`;
    return this.waitFor(
      (r) =>
        r.kind === 'call' &&
        r.direction === direction &&
        r.chargePointId === chargePointId &&
        r.action === action &&
        (match === undefined || (typeof match === 'function' ? Boolean((match as (p: unknown) => unknown)(r.payload)) : matchesPartial(r.payload, match))),
      { ...options, description: options.description ?? `${chargePointId} ${arrow} ${action}${matching}` },
    ) as Promise<CallRecord<A>>;
  }

  /** Rejects every pending wait (the CSMS is stopping). */
  rejectAll(reason: string): void {
    for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(new Error(`${reason}\n${this.describeTail()}`)));
  }

  private settle(waiter: Waiter, settle: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    settle();
  }

  private describeTail(): string {
    if (this.records.length === 0) return 'no messages were recorded';
    const tail = this.records.slice(-TAIL_IN_ERRORS);
    return `last ${tail.length} of ${this.seq} messages:\n${tail.map((r) => `  ${formatMessage(r)}`).join('\n')}`;
  }
}

function openCallKey(chargePointId: string, direction: Direction, messageId: string): string {
  return `${chargePointId}\u0000${direction}\u0000${messageId}`;
}

type ParsedFrame = Pick<TrafficRecord, 'kind' | 'action' | 'payload' | 'messageId'>;

/** Classifies an OCPP-J frame: [2,id,action,payload], [3,id,payload], [4,id,code,description,details]. */
export function parseFrame(raw: string): ParsedFrame {
  const malformed: ParsedFrame = { kind: 'malformed', action: undefined, payload: raw, messageId: undefined };
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return malformed;
  }
  if (!Array.isArray(frame) || typeof frame[1] !== 'string') return malformed;
  const messageId: string = frame[1];
  if (frame[0] === 2 && typeof frame[2] === 'string' && frame.length === 4) {
    return { kind: 'call', action: frame[2], payload: frame[3], messageId };
  }
  if (frame[0] === 3 && frame.length === 3) return { kind: 'result', action: undefined, payload: frame[2], messageId };
  if (frame[0] === 4 && typeof frame[2] === 'string' && frame.length >= 4) {
    const payload: CallErrorPayload = { errorCode: frame[2], errorDescription: String(frame[3] ?? ''), errorDetails: frame[4] ?? {} };
    return { kind: 'error', action: undefined, payload, messageId };
  }
  return { ...malformed, messageId };
}
