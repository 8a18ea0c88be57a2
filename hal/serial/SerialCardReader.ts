/**
 * What the serial card readers (Pn532Reader, Rdm6300Reader) share: the {@link RfidReader}
 * contract's faults and release, one serial link whose loss is reported as PORT_LOST, a frame
 * parser whose counters are the reader's stats, and the debounce of the card held in the field
 * (one `card` event until it is gone or another card comes).
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { HalErrorCode } from '../errors.js';
import type { CardTechnology, RfidEvents, RfidReader } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';
import { serialLinkFor, type SerialDeviceOptions, type SerialLink } from './SerialLink.js';

export interface SerialCardReaderOptions extends SerialDeviceOptions {
  /** Consecutive unreadable frames that raise RFID_FAULT (default 3). */
  garbageFaultThreshold?: number;
}

export type ParserStats = Readonly<{ bytes: number; frames: number; errors: number; discardedBytes: number }>;

export abstract class SerialCardReader extends EventEmitter<RfidEvents> implements RfidReader {
  readonly id: string;
  readonly garbageFaultThreshold: number;
  protected readonly clock: Clock;
  protected readonly link: SerialLink;
  protected readonly faults: FaultLatch;
  /** The card in the field, reported once. */
  protected held: string | undefined;
  protected released = false;
  protected abstract readonly parser: { readonly stats: ParserStats };

  protected constructor(options: SerialCardReaderOptions, defaultBaudRate: number) {
    super();
    const { id, clock, garbageFaultThreshold = 3 } = options;
    if (!Number.isInteger(garbageFaultThreshold) || garbageFaultThreshold < 1) throw new RangeError(`${id}: garbageFaultThreshold must be an integer >= 1`);
    this.id = id;
    this.clock = clock;
    this.garbageFaultThreshold = garbageFaultThreshold;
    this.faults = new FaultLatch(id, (e) => this.emit('fault', e), (c) => this.emit('faultCleared', c));
    this.link = serialLinkFor(options, defaultBaudRate);
    this.link.on('data', (chunk) => this.receive(chunk));
    this.link.reportFaultsTo(this.faults);
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  /** Bytes received, frames decoded, unreadable frames, noise bytes skipped. */
  get stats(): ParserStats {
    return this.parser.stats;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.held = undefined;
    this.stop();
    await this.link.close();
  }

  /** Bytes from the port. */
  protected abstract receive(chunk: Buffer): void;

  /** Cancels the reader's own timers and pending work (on release). */
  protected abstract stop(): void;

  /** A card seen in the field: reported unless it is the one held. */
  protected present(uid: string, technology: CardTechnology): void {
    if (uid === this.held) return;
    this.held = uid;
    this.emit('card', { uid, technology, timestamp: this.clock.now() });
  }
}
