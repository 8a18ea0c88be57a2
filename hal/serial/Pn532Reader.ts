/**
 * NXP PN532 13.56 MHz reader over its UART (HSU) interface. Implements the {@link RfidReader}
 * contract of hal/index.ts.
 */
import type { TimerId } from '../clock.js';
import { encodePn532Frame, PN532_CHIP_TO_HOST, PN532_HOST_TO_CHIP, Pn532Parser, type Pn532Result } from './framing/Pn532Frame.js';
import { SerialCardReader, type SerialCardReaderOptions } from './SerialCardReader.js';

export interface Pn532ReaderOptions extends SerialCardReaderOptions {
  /** Default 115200 (the PN532 HSU default). */
  baudRate?: number;
  /** Clock time between InListPassiveTarget polls, ms (default 200). */
  pollIntervalMs?: number;
  /** How long the chip may take to ACK and answer one command, ms of clock time (default 300). */
  responseTimeoutMs?: number;
  /** Consecutive unanswered commands that raise RFID_FAULT (default: `garbageFaultThreshold`). */
  missedPollsForFault?: number;
}

/** Wake-up from power-down (HSU): 55 55 and a run of zeros, sent before SAMConfiguration. */
const WAKE_UP = Uint8Array.from([0x55, 0x55, ...new Array<number>(14).fill(0)]);
const CMD = { SAMConfiguration: 0x14, RFConfiguration: 0x32, InListPassiveTarget: 0x4a } as const;

interface Pending {
  code: number;
  acked: boolean;
  timer: TimerId;
  resolve: (data: Uint8Array | undefined) => void;
}

/**
 * PN532 reader. Start-up: wake-up bytes, SAMConfiguration (normal mode), RFConfiguration
 * MxRtyPassiveActivation = 1 (so InListPassiveTarget answers "no target" instead of waiting).
 * Then InListPassiveTarget (one ISO 14443A target) every `pollIntervalMs` on the clock; each
 * command must be ACKed and answered within `responseTimeoutMs`. While the port is lost no command
 * is sent; once it is back the chip is woken and configured again.
 *
 * Debounce: a card is reported when a poll first sees it; it stays "held" (no new events) until a
 * poll sees no card or another card. Faults: `garbageFaultThreshold` unreadable frames in a row
 * (bad LCS/DCS) raise RFID_FAULT, cleared by the next card read (a chip that only answers "no
 * card" has not proven it reads cards); the same number of unanswered commands raise RFID_FAULT,
 * cleared by the next answer (`missedPollsForFault`). A vanished port raises PORT_LOST until reopened.
 */
export class Pn532Reader extends SerialCardReader {
  readonly missedPollsForFault: number;
  /** Commands sent, answered, unanswered; card reads. */
  readonly counters = { commands: 0, answered: 0, timeouts: 0, reads: 0 };
  protected readonly parser = new Pn532Parser();
  private readonly pollIntervalMs: number;
  private readonly responseTimeoutMs: number;
  private pending: Pending | undefined;
  private pollTimer: TimerId | undefined;
  private configured = false;
  private garbage = 0;
  private garbageFault = false;
  private silent = 0;

  constructor(options: Pn532ReaderOptions) {
    super(options, 115200);
    const { pollIntervalMs = 200, responseTimeoutMs = 300, missedPollsForFault = this.garbageFaultThreshold } = options;
    if (!Number.isInteger(missedPollsForFault) || missedPollsForFault < 1) throw new RangeError(`${this.id}: missedPollsForFault must be an integer >= 1`);
    this.missedPollsForFault = missedPollsForFault;
    this.pollIntervalMs = pollIntervalMs;
    this.responseTimeoutMs = responseTimeoutMs;
    this.link.on('lost', () => (this.configured = false)); // once back, the chip is woken and configured again
  }

  /** Opens the port, wakes and configures the chip, starts polling. */
  async open(): Promise<void> {
    await this.link.open();
    await this.cycle();
  }

  /** True while a command waits for its ACK or answer. */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  protected stop(): void {
    this.clock.clearTimeout(this.pollTimer);
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      this.clock.clearTimeout(pending.timer);
      pending.resolve(undefined);
    }
  }

  /** One poll (configuring the chip first if needed); schedules the next. */
  private async cycle(): Promise<void> {
    this.pollTimer = undefined;
    if (this.released) return;
    if (!this.configured) {
      // Not awaited: the port keeps write order, and the command's deadline starts when it is queued.
      this.link.write(WAKE_UP).catch(() => undefined);
      const sam = await this.command(CMD.SAMConfiguration, [0x01, 0x14, 0x01]);
      const rf = sam && (await this.command(CMD.RFConfiguration, [0x05, 0xff, 0x01, 0x01]));
      this.configured = rf !== undefined;
    } else {
      const reply = await this.command(CMD.InListPassiveTarget, [0x01, 0x00]);
      if (reply) this.targets(reply);
    }
    if (!this.released) this.pollTimer = this.clock.setTimeout(() => void this.cycle(), this.pollIntervalMs);
  }

  /** Sends one command; resolves with the answer's data after the code, or undefined (timeout, closed). */
  private command(code: number, params: readonly number[]): Promise<Uint8Array | undefined> {
    // While the port is away nothing can answer: that is PORT_LOST, not a silent chip.
    if (this.released || this.pending || !this.link.isOpen) return Promise.resolve(undefined);
    this.counters.commands++;
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending = undefined;
        this.counters.timeouts++;
        if (++this.silent >= this.missedPollsForFault) this.faults.raise('RFID_FAULT', `${this.silent} commands unanswered`);
        this.configured = false; // the chip may have reset or gone to sleep: wake it again
        resolve(undefined);
      }, this.responseTimeoutMs);
      this.pending = { code, acked: false, timer, resolve };
      this.link.write(encodePn532Frame(PN532_HOST_TO_CHIP, [code, ...params])).catch(() => undefined);
    });
  }

  protected receive(chunk: Buffer): void {
    if (this.released) return;
    for (const result of this.parser.push(chunk)) this.handle(result);
  }

  private handle(result: Pn532Result): void {
    if (result.type === 'error' || result.type === 'nack') {
      if (++this.garbage >= this.garbageFaultThreshold) {
        this.garbageFault = true;
        this.faults.raise('RFID_FAULT', `${this.garbage} unreadable frames in a row (${result.type === 'error' ? result.reason : 'nack'})`);
      }
      return;
    }
    this.garbage = 0;
    this.silent = 0;
    if (!this.garbageFault) this.faults.clear('RFID_FAULT');
    const pending = this.pending;
    if (!pending) return;
    if (result.type === 'ack') {
      pending.acked = true;
      return;
    }
    // Only the answer to the pending command (code + 1) settles it; anything else is stale.
    if (result.tfi !== PN532_CHIP_TO_HOST || result.data[0] !== pending.code + 1) return;
    this.pending = undefined;
    this.clock.clearTimeout(pending.timer);
    this.counters.answered++;
    pending.resolve(result.data.subarray(1));
  }

  /** InListPassiveTarget answer: NbTg, then Tg, SENS_RES (2), SEL_RES, NFCID length, NFCID. */
  private targets(data: Uint8Array): void {
    const count = data[0] ?? 0;
    const length = data[5] ?? 0;
    if (count < 1 || data.length < 6 + length || length === 0) {
      this.held = undefined; // no card in the field: the held card was removed
      return;
    }
    const uid = Buffer.from(data.subarray(6, 6 + length)).toString('hex').toUpperCase();
    this.counters.reads++;
    if (this.garbageFault) {
      this.garbageFault = false;
      this.faults.clear('RFID_FAULT');
    }
    this.present(uid, 'ISO14443A');
  }
}
