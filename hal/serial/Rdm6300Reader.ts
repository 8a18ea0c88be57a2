/**
 * RDM6300-style 125 kHz (EM4100) card reader on a serial port. Implements the {@link RfidReader}
 * contract of hal/index.ts.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../clock.js';
import type { HalErrorCode } from '../errors.js';
import type { RfidEvents, RfidReader } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';
import { Rdm6300Parser } from './framing/Rdm6300Parser.js';
import { serialLinkFor, type SerialDeviceOptions, type SerialLink } from './SerialLink.js';

export interface Rdm6300ReaderOptions extends SerialDeviceOptions {
  /** Default 9600 (fixed on RDM6300 modules). */
  baudRate?: number;
  /** Clock time without a frame after which a held card counts as removed, ms (default 500). */
  removalMs?: number;
  /** Consecutive unreadable frames that raise RFID_FAULT (default 3). */
  garbageFaultThreshold?: number;
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
export class Rdm6300Reader extends EventEmitter<RfidEvents> implements RfidReader {
  readonly id: string;
  readonly garbageFaultThreshold: number;
  private readonly clock: Clock;
  private readonly parser = new Rdm6300Parser();
  private readonly link: SerialLink;
  private readonly faults: FaultLatch;
  private readonly removalMs: number;
  private readonly uidFormat: 'em4100' | 'tag';
  private held: string | undefined;
  private removalTimer: TimerId | undefined;
  private consecutiveGarbage = 0;
  private released = false;

  constructor(options: Rdm6300ReaderOptions) {
    super();
    const { id, clock, removalMs = 500, garbageFaultThreshold = 3, uidFormat = 'em4100' } = options;
    if (!Number.isInteger(garbageFaultThreshold) || garbageFaultThreshold < 1) throw new RangeError(`${id}: garbageFaultThreshold must be an integer >= 1`);
    if (!(removalMs > 0)) throw new RangeError(`${id}: removalMs must be > 0`);
    this.id = id;
    this.clock = clock;
    this.removalMs = removalMs;
    this.uidFormat = uidFormat;
    this.garbageFaultThreshold = garbageFaultThreshold;
    this.faults = new FaultLatch(id, (e) => this.emit('fault', e), (c) => this.emit('faultCleared', c));
    this.link = serialLinkFor(options, 9600);
    this.link.on('data', (chunk) => this.receive(chunk));
    this.link.reportFaultsTo(this.faults);
  }

  /** Opens the port (resolves also when opening failed: the fault is raised and retried). */
  open(): Promise<void> {
    return this.link.open();
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  /** Bytes received, frames decoded, unreadable frames, noise bytes skipped. */
  get stats(): Readonly<{ bytes: number; frames: number; errors: number; discardedBytes: number }> {
    return this.parser.stats;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.held = undefined;
    this.clock.clearTimeout(this.removalTimer);
    await this.link.close();
  }

  private receive(chunk: Buffer): void {
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
    if (uid === this.held) return;
    this.held = uid;
    this.emit('card', { uid, technology: 'EM4100', timestamp: this.clock.now() });
  }
}
