/**
 * One OpenEVSE controller on a serial port, spoken to in RAPI: a serialized request queue with
 * sequence ids and XOR checksums, `$GS` polling on the clock and `$AT` asynchronous state lines.
 * {@link RapiPilot} (ControlPilot) and {@link RapiContactor} (Relay) are two views of one controller.
 *
 * It also watches that the board does only what it was told: a board reporting its relay closed
 * (EVSE state 03/04) while the last enable command it confirmed was `$FS`/`$FD` — or before any
 * was sent (the board's own auto-start) — is disabled (`$FD`) at once, ahead of queued commands,
 * and reported with `uncommanded` (true, then false once it reports a state without power).
 * `$FE` counts from the moment it is written, `$FS`/`$FD` from their `$OK`: a state line the board
 * sent before it took the command is no false alarm.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../../clock.js';
import { HalError } from '../../errors.js';
import { encodeRapiCommand, RapiParser, type RapiLine } from '../framing/RapiLine.js';
import { serialLinkFor, type SerialDeviceOptions, type SerialLink } from '../SerialLink.js';

export interface RapiControllerOptions extends SerialDeviceOptions {
  /** Default 115200 (OpenEVSE firmware default). */
  baudRate?: number;
  /** Clock time between `$GS` polls, ms (default 1000). */
  pollIntervalMs?: number;
  /** How long the controller may take to answer one command, ms of clock time (default 500). */
  responseTimeoutMs?: number;
}

/** What `$GS` / `$AT` report: the EVSE state and the pilot state, both EVSE_STATE_xxx codes. */
export interface RapiStatus {
  evseState: number;
  pilotState: number;
}

/** EVSE states in which the board's relay is closed on its own decision: charging (C), vent required (D). */
export const RAPI_POWERED_STATES: ReadonlySet<number> = new Set([0x03, 0x04]);

/** What the board was last told about power: `$FE`, `$FS`, `$FD`; undefined before any. */
type EnableCommand = 'FE' | 'FS' | 'FD';

export interface RapiControllerEvents {
  status: [status: RapiStatus];
  /** The board draws power it was not told to (true), or no longer does (false). */
  uncommanded: [active: boolean, status: RapiStatus];
  /** A poll went unanswered (count of consecutive misses). */
  missed: [consecutive: number];
  lost: [error: HalError];
  restored: [];
  /** The board announced a (re)boot (`$AB`): what it showed on its LCD is gone. */
  boot: [];
}

/** The reply to one command. */
export interface RapiReply {
  ok: boolean;
  params: string[];
}

interface Request {
  text: string;
  command: string;
  seq: number;
  resolve: (reply: RapiReply) => void;
  reject: (error: HalError) => void;
  /** Runs when the reply line is read, before the lines after it in the same chunk (wire order). */
  onReply?: (reply: RapiReply) => void;
  timer?: TimerId;
}

/** Serialized RAPI client on one port; see the module comment. */
export class RapiController extends EventEmitter<RapiControllerEvents> {
  readonly id: string;
  /** Commands sent, answered, timed out; lines with bad checksums or syntax; replies ignored as stale. */
  readonly stats = { commands: 0, answered: 0, timeouts: 0, badLines: 0, stale: 0 };
  readonly link: SerialLink;
  /** The clock polls and timeouts run on (views of the controller schedule on it too). */
  readonly clock: Clock;
  private readonly parser = new RapiParser();
  private readonly pollIntervalMs: number;
  private readonly responseTimeoutMs: number;
  private readonly queue: Request[] = [];
  private current: Request | undefined;
  private nextSeq = 1;
  private pollTimer: TimerId | undefined;
  private misses = 0;
  private closed = false;
  private enable: EnableCommand | undefined;
  private powerUncommanded = false;

  constructor(options: RapiControllerOptions) {
    super();
    const { id, clock, pollIntervalMs = 1000, responseTimeoutMs = 500 } = options;
    this.id = id;
    this.clock = clock;
    this.pollIntervalMs = pollIntervalMs;
    this.responseTimeoutMs = responseTimeoutMs;
    this.link = serialLinkFor(options, 115200);
    this.link.on('data', (chunk) => this.receive(chunk));
    this.link.on('lost', (e) => {
      this.failAll(new HalError('PORT_LOST', this.id, e.message));
      this.emit('lost', e);
    });
    this.link.on('restored', () => {
      this.emit('restored');
      void this.poll();
    });
  }

  /** Opens the port and reads the state once (`$GS`); starts polling. */
  async open(): Promise<void> {
    await this.link.open();
    await this.poll();
  }

  /** True while the board draws power it was not told to (see the module comment). */
  get uncommanded(): boolean {
    return this.powerUncommanded;
  }

  /** True while a command is queued or waiting for its reply. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** Sends one command; resolves with `$OK`/`$NK` and its parameters. Rejects on timeout or port loss. */
  request(command: string, params: readonly (string | number)[] = []): Promise<RapiReply> {
    return this.enqueue(command, params);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.pollTimer);
    this.failAll(new HalError('DEVICE_CLOSED', this.id));
    await this.link.close();
  }

  /**
   * Reads `$GS` now; schedules the next poll. The status is emitted when the reply line is read,
   * not when the promise continues (a microtask later): an `$AT` right behind the reply in the
   * same chunk must not be overtaken by the older `$GS` state (a B after the A of an unplug).
   */
  async poll(): Promise<RapiStatus | undefined> {
    this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    if (this.closed) return undefined;
    let status: RapiStatus | undefined;
    try {
      await this.enqueue('GS', [], (reply) => {
        const [evse, , pilot] = reply.params;
        if (reply.ok && evse !== undefined && pilot !== undefined) {
          this.misses = 0;
          status = { evseState: parseInt(evse, 16), pilotState: parseInt(pilot, 16) };
          this.report(status);
        } else this.stats.badLines++;
      });
    } catch (err) {
      if (err instanceof HalError && err.code === 'FRAME_ERROR') this.emit('missed', ++this.misses);
    }
    if (!this.closed && this.pollTimer === undefined) this.pollTimer = this.clock.setTimeout(() => void this.poll(), this.pollIntervalMs);
    return status;
  }

  /** Emits a state the board reported, then holds it to what it was told (module comment). */
  private report(status: RapiStatus): void {
    this.emit('status', status);
    const uncommanded = RAPI_POWERED_STATES.has(status.evseState) && this.enable !== 'FE';
    if (uncommanded && !this.queue.some((r) => r.command === 'FD')) {
      this.enqueue('FD', [], undefined, true).catch(() => undefined); // a lost reply: the next state report tries again
    }
    if (uncommanded === this.powerUncommanded) return;
    this.powerUncommanded = uncommanded;
    this.emit('uncommanded', uncommanded, status);
  }

  private enqueue(command: string, params: readonly (string | number)[], onReply?: (reply: RapiReply) => void, urgent = false): Promise<RapiReply> {
    if (this.closed) return Promise.reject(new HalError('DEVICE_CLOSED', this.id));
    const seq = this.nextSeq;
    this.nextSeq = (this.nextSeq % 255) + 1; // 1..255; 0 is never used, so a reply ":00" is noise
    return new Promise((resolve, reject) => {
      const request: Request = { text: encodeRapiCommand(command, params, seq), command, seq, resolve, reject, ...(onReply && { onReply }) };
      if (urgent) this.queue.unshift(request);
      else this.queue.push(request);
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.current = next;
    this.stats.commands++;
    if (next.command === 'FE') this.enable = 'FE';
    next.timer = this.clock.setTimeout(() => {
      this.stats.timeouts++;
      this.settle(next, undefined, new HalError('FRAME_ERROR', this.id, `no reply to ${next.text.trim()} within ${this.responseTimeoutMs} ms`));
    }, this.responseTimeoutMs);
    // latin1: one byte per character (the LCD's space substitute 0xEF must not become UTF-8's two bytes).
    this.link.write(Buffer.from(next.text, 'latin1')).catch((err: unknown) => this.settle(next, undefined, err instanceof HalError ? err : new HalError('PORT_LOST', this.id)));
  }

  private settle(request: Request, reply: RapiReply | undefined, error?: HalError): void {
    if (this.current !== request) return;
    this.clock.clearTimeout(request.timer);
    this.current = undefined;
    if (reply?.ok && (request.command === 'FS' || request.command === 'FD')) this.enable = request.command;
    if (reply) request.onReply?.(reply);
    if (reply) request.resolve(reply);
    else request.reject(error!);
    this.pump();
  }

  private failAll(error: HalError): void {
    const all = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    for (const r of all) this.clock.clearTimeout(r.timer);
    this.current = undefined;
    for (const r of all) r.reject(error);
  }

  private receive(chunk: Buffer): void {
    for (const result of this.parser.push(chunk)) {
      if (result.type === 'error') {
        this.stats.badLines++;
        continue;
      }
      this.handle(result.line);
    }
  }

  private handle(line: RapiLine): void {
    if (line.command === 'AT') {
      const [evse, pilot] = line.params;
      if (evse !== undefined && pilot !== undefined) this.report({ evseState: parseInt(evse, 16), pilotState: parseInt(pilot, 16) });
      return;
    }
    if (line.command === 'AB') {
      this.emit('boot');
      return void this.poll(); // the controller rebooted: read its state again
    }
    if (line.command !== 'OK' && line.command !== 'NK') return;
    const current = this.current;
    // A reply without our sequence id, or with an old one, belongs to a command that timed out.
    if (!current || line.seq !== current.seq) {
      this.stats.stale++;
      return;
    }
    this.stats.answered++;
    this.settle(current, { ok: line.command === 'OK', params: line.params });
  }
}
