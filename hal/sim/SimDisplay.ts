/**
 * Simulated driver display: records what it is asked to show. Implements the {@link Display}
 * contract. Device side: {@link fail} (the display stops answering: DISPLAY_FAULT) and
 * {@link repair} (it answers again and shows the last content by itself).
 */
import { EventEmitter } from 'node:events';
import type { HalErrorCode } from '../errors.js';
import { HalError } from '../errors.js';
import { FaultLatch } from '../FaultLatch.js';
import { displayMisfit, type Display, type DisplayContent, type DisplayEvents } from '../index.js';

export interface SimDisplayOptions {
  /** Device name, e.g. `display:0`. */
  id: string;
  /** Characters per line (default 20). */
  width?: number;
  /** Lines (default 4). */
  height?: number;
  /** Default `unicode`. */
  charset?: 'ascii' | 'unicode';
  /** Default true. */
  showsQr?: boolean;
  /** Connectors it stands at (default: the whole charger). */
  connectors?: readonly number[];
}

export class SimDisplay extends EventEmitter<DisplayEvents> implements Display {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly charset: 'ascii' | 'unicode';
  readonly showsQr: boolean;
  readonly connectors: readonly number[];
  /** Every content confirmed, oldest first (the screen's history). */
  readonly history: DisplayContent[] = [];
  private readonly faults: FaultLatch;
  private wanted: DisplayContent | undefined;
  private released = false;

  constructor(options: SimDisplayOptions) {
    super();
    this.id = options.id;
    this.width = options.width ?? 20;
    this.height = options.height ?? 4;
    if (!Number.isInteger(this.width) || this.width < 8 || !Number.isInteger(this.height) || this.height < 1) {
      throw new RangeError(`${this.id}: a display needs a width of at least 8 and a height of at least 1 (got ${this.width}x${this.height})`);
    }
    this.charset = options.charset ?? 'unicode';
    this.showsQr = options.showsQr ?? true;
    this.connectors = options.connectors ?? [];
    this.faults = new FaultLatch(this.id, this);
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  get content(): DisplayContent | undefined {
    return this.wanted;
  }

  /** What the screen shows now (undefined while failed or before the first content). */
  get shown(): DisplayContent | undefined {
    return this.faults.active.size > 0 ? undefined : this.history.at(-1);
  }

  show(content: DisplayContent): Promise<void> {
    if (this.released) return Promise.reject(new HalError('DEVICE_CLOSED', this.id));
    const misfit = displayMisfit(this, content);
    if (misfit) return Promise.reject(new HalError('INVALID_ARGUMENT', this.id, misfit));
    this.wanted = content;
    if (this.faults.active.size > 0) return Promise.reject(new HalError('DISPLAY_FAULT', this.id, 'shown once the display answers again'));
    this.confirm(content);
    return Promise.resolve();
  }

  /** Device side: the display stops answering. */
  fail(): void {
    if (!this.released) this.faults.raise('DISPLAY_FAULT');
  }

  /** Device side: it answers again; the last content is shown before the fault clears. */
  repair(): void {
    if (this.released || this.faults.active.size === 0) return;
    if (this.wanted) this.confirm(this.wanted);
    this.faults.clear('DISPLAY_FAULT');
  }

  async release(): Promise<void> {
    this.released = true;
  }

  private confirm(content: DisplayContent): void {
    this.history.push(content);
    if (this.history.length > 1000) this.history.splice(0, this.history.length - 1000);
    this.emit('shown', content);
  }
}
