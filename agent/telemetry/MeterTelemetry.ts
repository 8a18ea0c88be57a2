/**
 * The `connector/<n>/meter` topic of one connector: which readings are published and when.
 *
 * - Every reading the meter takes (the agent's MeterValues reads, ours) arrives as the meter's
 *   `reading` event, in the order taken; one older than the newest seen (a slow read finishing
 *   late) is ignored.
 * - A reading is published when power moved by at least `powerDeltaW` since the last published
 *   one; a sample (the interval, a status change) publishes its reading even when it did not.
 * - The same reading is never published twice: a sample whose reading the event already
 *   published, or that a newer reading overtook, publishes nothing, and neither does a payload
 *   equal to the last one (values are rounded: ./meterPayload.ts).
 * - After the pilot's offer changed, the meter is read at once and {@link OFFER_FOLLOW_MS}
 *   later, when the vehicle has followed the new offer (IEC 61851-1 gives it 5 s), so the new
 *   power shows without waiting for the interval.
 * - The EVSE's temperature (its sensor's last reading, where it has one) rides along with each
 *   payload: it changes slowly, the interval's samples carry it.
 */
import type { Clock, ConnectorHardware, MeterReading, TimerId } from '../../hal/index.js';
import { meterPayload } from './meterPayload.js';
import type { MeterPayload } from './topics.js';

/** How long after an offer change the meter is read again: IEC 61851-1's 5 s for the EV to follow. */
export const OFFER_FOLLOW_MS = 5000;

export interface MeterTelemetryOptions {
  hw: ConnectorHardware;
  clock: Clock;
  /** Publishes the payload (retained). */
  publish: (payload: MeterPayload) => void;
  /** On-change threshold, W. */
  powerDeltaW: number;
  /** false: samples use the meter's last reading instead of reading it. */
  readMeters: boolean;
}

export class MeterTelemetry {
  /** The newest reading seen (published or not). */
  private newest: MeterReading | undefined;
  /** The last reading published, and its payload text. */
  private published: MeterReading | undefined;
  private publishedText: string | undefined;
  private reading = false;
  private followTimer: TimerId | undefined;
  private active = true;
  private readonly onReading = (r: MeterReading): void => this.seen(r, false);

  constructor(private readonly o: MeterTelemetryOptions) {
    o.hw.meter.on('reading', this.onReading);
  }

  /** Publishes the meter's current reading (read now, unless `readMeters` is false). */
  sample(): void {
    const { meter } = this.o.hw;
    if (!this.o.readMeters) {
      if (meter.lastReading) this.seen(meter.lastReading, true);
      return;
    }
    this.read((r) => this.seen(r, true));
  }

  /** The pilot's offer changed: read now and once the vehicle has followed; publish if power moved. */
  offerChanged(): void {
    if (!this.o.readMeters) return;
    this.read();
    this.o.clock.clearTimeout(this.followTimer);
    this.followTimer = this.o.clock.setTimeout(() => {
      this.followTimer = undefined;
      this.read();
    }, OFFER_FOLLOW_MS);
  }

  dispose(): void {
    this.active = false;
    this.o.clock.clearTimeout(this.followTimer);
    this.followTimer = undefined;
    this.o.hw.meter.off('reading', this.onReading);
  }

  /** One read at a time; the reading arrives through the `reading` event, `then` gets it too. A failing meter reports its own fault. */
  private read(then?: (r: MeterReading) => void): void {
    if (this.reading) return;
    this.reading = true;
    this.o.hw.meter
      .read()
      .then(
        (r) => this.active && then?.(r),
        () => undefined,
      )
      .finally(() => (this.reading = false));
  }

  /** A reading: from the event (`sampled` false), or the result of a sample (`sampled` true). */
  private seen(r: MeterReading, sampled: boolean): void {
    if (!this.active) return;
    if (r !== this.newest) {
      if (this.newest && r.timestamp <= this.newest.timestamp && sampled) return; // overtaken by a newer reading
      if (this.newest && r.timestamp < this.newest.timestamp) return; // an older read finishing late
      this.newest = r;
    }
    if (r === this.published) return;
    if (!sampled && this.published && Math.abs(r.powerW - this.published.powerW) < this.o.powerDeltaW) return;
    const payload = meterPayload(r, this.o.hw.temperature?.lastCelsius);
    const text = JSON.stringify(payload);
    this.published = r;
    if (text === this.publishedText) return;
    this.publishedText = text;
    this.o.publish(payload);
  }
}
