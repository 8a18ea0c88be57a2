/**
 * Messages the operator asked the charger to show ("Free charging this weekend", "Card reader out of
 * order: use the app"), in the OCPP 2.0.1 display-message model (MessageInfoType: id, priority,
 * state, validity window, transaction, message with format, language and content), kept in a small
 * file in the data directory so a restart keeps them. Written atomically like the other small
 * stores; a missing file means none; an unreadable one is logged and means none.
 *
 * Rules of the model kept here: a message replaces the one with the same id; a new AlwaysFront
 * message replaces any other AlwaysFront one (2.0.1: "when a newer message with this priority is
 * received, this message is replaced"); a message past its endDateTime is removed.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { Ajv } from '../jsonSchema.js';
import { writeAtomically } from '../store/writeAtomically.js';
import type { MessageState } from './screens.js';

export type MessagePriority = 'AlwaysFront' | 'InFront' | 'NormalCycle';
export type MessageFormat = 'ASCII' | 'HTML' | 'URI' | 'UTF8';

/**
 * OCPP 2.0.1 MessageInfoType. `display`, the component that shows it, is a Display of this charger:
 * with `evse` the display(s) standing at that EVSE (connector), without it all of them.
 */
export interface OperatorMessage {
  readonly id: number;
  readonly priority: MessagePriority;
  readonly state?: MessageState;
  /** RFC 3339 date-times. */
  readonly startDateTime?: string;
  readonly endDateTime?: string;
  /** Shown only during this transaction (the CSMS's transactionId, as text). */
  readonly transactionId?: string;
  readonly message: { readonly format: MessageFormat; readonly language?: string; readonly content: string };
  readonly display?: { readonly name: string; readonly instance?: string; readonly evse?: { readonly id: number; readonly connectorId?: number } };
}

/** At most this many messages are kept (OCPP 2.0.1 DisplayMessageCtrlr.DisplayMessages maxLimit). */
export const MAX_OPERATOR_MESSAGES = 32;

/** JSON Schema of {@link OperatorMessage}, as OCPP 2.0.1 limits it (content ≤ 512, language ≤ 8, transactionId ≤ 36). */
export const OPERATOR_MESSAGE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'priority', 'message'],
  properties: {
    id: { type: 'integer', minimum: 0, maximum: 2147483647 },
    priority: { type: 'string', enum: ['AlwaysFront', 'InFront', 'NormalCycle'] },
    state: { type: 'string', enum: ['Charging', 'Faulted', 'Idle', 'Unavailable'] },
    startDateTime: { type: 'string', format: 'date-time' },
    endDateTime: { type: 'string', format: 'date-time' },
    transactionId: { type: 'string', minLength: 1, maxLength: 36 },
    display: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 50 },
        instance: { type: 'string', minLength: 1, maxLength: 50 },
        evse: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'integer', minimum: 0 }, connectorId: { type: 'integer', minimum: 0 } } },
      },
    },
    message: {
      type: 'object',
      additionalProperties: false,
      required: ['format', 'content'],
      properties: {
        format: { type: 'string', enum: ['ASCII', 'HTML', 'URI', 'UTF8'] },
        language: { type: 'string', minLength: 1, maxLength: 8 },
        content: { type: 'string', minLength: 1, maxLength: 512 },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: true, validateSchema: false }).addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
/** Compiled once per process (shared by every charger). */
export const isOperatorMessage = ajv.compile<OperatorMessage>(OPERATOR_MESSAGE_SCHEMA);

const time = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

/** Whether `m` is within its validity window at `now` (epoch ms). */
export function isValidAt(m: OperatorMessage, now: number): boolean {
  const start = time(m.startDateTime);
  const end = time(m.endDateTime);
  return (start === undefined || start <= now) && (end === undefined || now < end);
}

export interface OperatorMessagesEvents {
  /** The set of messages changed (set, cleared, expired). */
  changed: [];
}

export class OperatorMessages extends EventEmitter<OperatorMessagesEvents> {
  private writing: Promise<boolean> = Promise.resolve(true);

  private constructor(
    private readonly file: string | null,
    private readonly messages: Map<number, OperatorMessage>,
    private readonly log: Logger,
  ) {
    super();
  }

  static async open(file: string | null, log: Logger): Promise<OperatorMessages> {
    const messages = new Map<number, OperatorMessage>();
    if (file) {
      try {
        const body = JSON.parse(await readFile(file, 'utf8')) as { messages?: unknown };
        if (!Array.isArray(body.messages)) throw new Error('unexpected structure');
        for (const m of body.messages) {
          if (isOperatorMessage(m)) messages.set(m.id, m);
          else log.warn({ file, message: m }, 'ignoring an invalid stored display message');
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the stored display messages; none are shown');
      }
    }
    return new OperatorMessages(file, messages, log);
  }

  /** Messages kept only in memory (fleets, tests). */
  static inMemory(log: Logger): OperatorMessages {
    return new OperatorMessages(null, new Map(), log);
  }

  /** Every message, by id ascending. */
  all(): OperatorMessage[] {
    return [...this.messages.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): OperatorMessage | undefined {
    return this.messages.get(id);
  }

  /**
   * Stores `m` (see the module comment for what it replaces); resolves true once on disk. When the
   * write fails (logged) the change is undone and it resolves false: what is shown is what a
   * restart would show.
   */
  set(m: OperatorMessage): Promise<boolean> {
    return this.change(() => {
      if (m.priority === 'AlwaysFront') for (const other of this.messages.values()) if (other.priority === 'AlwaysFront') this.messages.delete(other.id);
      this.messages.set(m.id, m);
    });
  }

  /** Removes message `id`: 'unknown' when there is none, else whether it was written (undone when not). */
  async clear(id: number): Promise<'cleared' | 'unknown' | 'failed'> {
    if (!this.messages.has(id)) return 'unknown';
    return (await this.change(() => this.messages.delete(id))) ? 'cleared' : 'failed';
  }

  /**
   * Removes the messages bound to a transaction that ended (OCPP 2.0.1: removed after the
   * transaction has ended); they were never on disk. Returns how many.
   */
  transactionEnded(transactionId: string): number {
    let n = 0;
    for (const m of this.messages.values()) {
      if (m.transactionId !== transactionId) continue;
      this.messages.delete(m.id);
      n++;
    }
    if (n > 0) this.emit('changed');
    return n;
  }

  /** Removes the messages whose endDateTime has passed at `now`; resolves with how many. */
  async expire(now: number): Promise<number> {
    let n = 0;
    for (const m of this.messages.values()) {
      const end = time(m.endDateTime);
      if (end !== undefined && end <= now) {
        this.messages.delete(m.id);
        n++;
      }
    }
    if (n > 0) await this.persist();
    return n;
  }

  /** Applies `edit`, persists, and undoes it when the write fails. */
  private async change(edit: () => unknown): Promise<boolean> {
    const before = new Map(this.messages);
    edit();
    if (await this.persist()) return true;
    this.messages.clear();
    for (const [id, m] of before) this.messages.set(id, m);
    this.emit('changed');
    return false;
  }

  private persist(): Promise<boolean> {
    this.emit('changed');
    const file = this.file;
    if (!file) return Promise.resolve(true);
    // A message bound to a transaction lives as long as the transaction here: not kept over a restart.
    const body = `${JSON.stringify({ version: 1, messages: this.all().filter((m) => m.transactionId === undefined) })}\n`;
    this.writing = this.writing.then(() =>
      writeAtomically(file, body).then(
        () => true,
        (err: unknown) => {
          this.log.error({ err, file }, 'cannot persist the display messages');
          return false;
        },
      ),
    );
    return this.writing;
  }
}
