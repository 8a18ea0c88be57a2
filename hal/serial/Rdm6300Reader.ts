/**
 * RDM6300-style 125 kHz (EM4100) card reader on a serial port. Implements the {@link RfidReader}
 * contract of hal/index.ts.
 */
import type { TimerId } from '../clock.js';
import { Rdm6300Parser } from './framing/Rdm6300Parser.js';
import { SerialCardReader, type SerialCardReaderOptions } from './SerialCardReader.js';

export interface Rdm6300ReaderOptions extends SerialCardReaderOptions {
  /** Default 9600 (fixed on RDM6300 modules). */
  baudRate?: number;
  /** Clock time without a frame after which a held card counts as removed, ms (default 500). */
  removalMs?: number;
  /**
   * How the 5-byte EM4100 id becomes the uid: `em4100` = all 10 hex digits (version + tag),
   * `tag` = the 4-byte tag only (8 hex digits, what many card printers and CSMS lists show).
   */
  uidFormat?: 'em4100' | 'tag';
}

/**
 * The reader repeats a frame while a card is in the field; repeats of the held card are one
 * `card` event, and the card counts as removed after `removalMs` without frames. Unreadable
 * frames are counted ({@link stats}); `garbageFaultThreshold` in a row raise RFID_FAULT, and the
 * next good frame clears it before its card is reported. A vanished port raises PORT_LOST,
 * cleared when it has been reopened.
 */
export class Rdm6300Reader extends SerialCardReader {
  protected readonly parser = new Rdm6300Parser();
  private readonly removalMs: number;
  private readonly uidFormat: 'em4100' | 'tag';
  private removalTimer: TimerId | undefined;
  private consecutiveGarbage = 0;

  constructor(options: Rdm6300ReaderOptions) {
    super(options, 9600);
    const { removalMs = 500, uidFormat = 'em4100' } = options;
    if (!(removalMs > 0)) throw new RangeError(`${this.id}: removalMs must be > 0`);
    this.removalMs = removalMs;
    this.uidFormat = uidFormat;
  }

  /** Opens the port (resolves also when opening failed: the fault is raised and retried). */
  open(): Promise<void> {
    return this.link.open();
  }

  protected stop(): void {
    this.clock.clearTimeout(this.removalTimer);
  }

  protected receive(chunk: Buffer): void {
    if (this.released) return;
    for (const result of this.parser.push(chunk)) {
      if (result.type === 'error') {
        if (++this.consecutiveGarbage >= this.garbageFaultThreshold) this.faults.raise('RFID_FAULT', `${this.consecutiveGarbage} unreadable frames in a row (${result.reason})`);
        continue;
      }
      this.consecutiveGarbage = 0;
      this.faults.clear('RFID_FAULT');
      this.seen(this.uidFormat === 'tag' ? result.uid.slice(2) : result.uid);
    }
  }

  private seen(uid: string): void {
    this.clock.clearTimeout(this.removalTimer);
    this.removalTimer = this.clock.setTimeout(() => {
      this.removalTimer = undefined;
      this.held = undefined;
    }, this.removalMs);
    this.present(uid, 'EM4100');
  }
}
