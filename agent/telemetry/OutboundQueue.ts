/** One message on its way to the broker. */
export interface OutboundMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  /** Number of the broker connection it was handed to the client on (0 = not yet). */
  sentOn: number;
}

/**
 * A bounded FIFO for messages produced while the broker is unreachable: when full, the oldest
 * message is dropped and counted, so a long outage costs a fixed amount of memory and the newest
 * telemetry survives.
 */
export class OutboundQueue {
  private ring: (OutboundMessage | undefined)[];
  private head = 0;
  private count = 0;
  /** Messages dropped because the queue was full, since creation. */
  dropped = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`queue limit must be an integer >= 1 (got ${limit})`);
    this.ring = new Array<OutboundMessage | undefined>(Math.min(limit, 64));
  }

  get size(): number {
    return this.count;
  }

  push(message: OutboundMessage): void {
    if (this.count === this.limit) {
      this.shift();
      this.dropped++;
    }
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = message;
    this.count++;
  }

  shift(): OutboundMessage | undefined {
    if (this.count === 0) return undefined;
    const message = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    return message;
  }

  /** Doubles the ring (up to the limit), keeping the order. */
  private grow(): void {
    const next = new Array<OutboundMessage | undefined>(Math.min(this.limit, this.ring.length * 2));
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = next;
    this.head = 0;
  }
}
