import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { HalErrorCode } from '../errors.js';
import type { CardTechnology, RfidEvents, RfidReader } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';

export interface SimRfidReaderOptions {
  /** Device name used in errors and logs, e.g. `rfid:0`. */
  id: string;
  clock: Clock;
  /** Consecutive unreadable frames that make the reader faulty (RFID_FAULT), default 3. */
  garbageFaultThreshold?: number;
}

/** Upper-case hex without separators, as {@link CardEvent.uid} requires. */
function canonicalUid(uid: string): string {
  const hex = uid.replace(/[\s:-]/g, '').toUpperCase();
  if (!/^(?:[0-9A-F]{2})+$/.test(hex)) throw new RangeError(`card uid must be whole bytes of hex (got "${uid}")`);
  return hex;
}

/**
 * Simulated card reader. Implements the {@link RfidReader} contract.
 *
 * Device side (a person at the charger):
 * - {@link tap}: a card is presented and taken away: one `card` event.
 * - {@link hold} / {@link remove}: a card held on the reader is one event however often the
 *   reader sees it (debounced); after `remove()`, holding it again is a new event. Holding a
 *   different card replaces the first and is a new event.
 * - {@link sendGarbage}: an unreadable frame: never a card event, counted in
 *   {@link garbageFrames}; `garbageFaultThreshold` consecutive ones emit RFID_FAULT (once), and
 *   the next good read emits `faultCleared` before its `card` event.
 * After `release()` the reader reports nothing.
 */
export class SimRfidReader extends EventEmitter<RfidEvents> implements RfidReader {
  readonly id: string;
  readonly garbageFaultThreshold: number;
  private readonly clock: Clock;
  private readonly faults: FaultLatch;
  private held: string | undefined;
  private garbage = 0;
  private consecutiveGarbage = 0;
  private closed = false;

  constructor(options: SimRfidReaderOptions) {
    super();
    const { id, clock, garbageFaultThreshold = 3 } = options;
    if (!Number.isInteger(garbageFaultThreshold) || garbageFaultThreshold < 1) {
      throw new RangeError(`${id}: garbageFaultThreshold must be an integer >= 1 (got ${garbageFaultThreshold})`);
    }
    this.id = id;
    this.clock = clock;
    this.garbageFaultThreshold = garbageFaultThreshold;
    this.faults = new FaultLatch(id, this);
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  /** Unreadable frames received since start. */
  get garbageFrames(): number {
    return this.garbage;
  }

  /** Uid of the card on the reader now, if any. */
  get heldCard(): string | undefined {
    return this.held;
  }

  release(): Promise<void> {
    this.closed = true;
    this.held = undefined;
    return Promise.resolve();
  }

  /** A card is presented briefly: one `card` event (none if that card is already held). */
  tap(uid: string, technology: CardTechnology = 'ISO14443A'): void {
    this.hold(uid, technology);
    this.remove();
  }

  /** A card is laid on the reader (or seen again while it lies there). */
  hold(uid: string, technology: CardTechnology = 'ISO14443A'): void {
    const card = canonicalUid(uid);
    if (this.closed) return;
    this.consecutiveGarbage = 0;
    this.faults.clear('RFID_FAULT');
    if (card === this.held) return;
    this.held = card;
    this.emit('card', { uid: card, technology, timestamp: this.clock.now() });
  }

  /** The card is taken away. */
  remove(): void {
    this.held = undefined;
  }

  /** An unreadable frame arrives (noise, a half-read card). The bytes are not interpreted. */
  sendGarbage(bytes: Uint8Array | readonly number[] = [0xff, 0x00, 0x13]): void {
    if (this.closed) return;
    this.garbage++;
    this.consecutiveGarbage++;
    if (this.consecutiveGarbage >= this.garbageFaultThreshold) {
      this.faults.raise('RFID_FAULT', `${this.consecutiveGarbage} unreadable frames in a row (last ${bytes.length} bytes)`);
    }
  }
}
