/**
 * A raw serial port that survives its adapter vanishing: on close/error, or when its path
 * disappears (a read-only device never writes, so it would not see EIO), it emits `lost`, and
 * reopens the same path every `reopenIntervalMs` of clock time until it works (`restored`).
 * Used by the character-stream devices (RDM6300, PN532, RAPI); Modbus devices use ModbusBus.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { Clock, TimerId } from '../clock.js';
import { HalError } from '../errors.js';

export interface SerialLinkOptions {
  path: string;
  baudRate: number;
  /** Default none. */
  parity?: 'none' | 'even' | 'odd';
  /** Default 1. */
  stopBits?: 1 | 2;
  clock: Clock;
  /** Name used in errors, e.g. `rfid:0`. */
  id: string;
  /** Clock time between reopen attempts, ms (default 2000). */
  reopenIntervalMs?: number;
  /** Clock time between checks that the port path still exists, ms (default 1000). */
  watchIntervalMs?: number;
}

/** A character-stream driver's line options: the link's, with the baud rate defaulting per model. */
export type SerialDeviceOptions = Omit<SerialLinkOptions, 'baudRate' | 'watchIntervalMs'> & { baudRate?: number };

/** The driver's link: its line options, `defaultBaudRate` when none is given. */
export function serialLinkFor(options: SerialDeviceOptions, defaultBaudRate: number): SerialLink {
  const { id, clock, path, baudRate = defaultBaudRate, parity, stopBits, reopenIntervalMs } = options;
  return new SerialLink({ id, clock, path, baudRate, ...(parity && { parity }), ...(stopBits && { stopBits }), ...(reopenIntervalMs !== undefined && { reopenIntervalMs }) });
}

export interface SerialLinkEvents {
  data: [chunk: Buffer];
  lost: [error: HalError];
  restored: [];
}

/** See the module comment. `open()` once; `close()` ends it for good. */
export class SerialLink extends EventEmitter<SerialLinkEvents> {
  /** Bytes received, times the port was lost and reopened. */
  readonly stats = { bytesReceived: 0, losses: 0, reopens: 0 };
  private readonly options: Required<SerialLinkOptions>;
  private port: SerialPort | undefined;
  private state: 'new' | 'open' | 'lost' | 'closed' = 'new';
  private timer: TimerId | undefined;

  constructor(options: SerialLinkOptions) {
    super();
    this.options = { reopenIntervalMs: 2000, watchIntervalMs: 1000, parity: 'none', stopBits: 1, ...options };
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Opens the port; a failure is reported as `lost` (PORT_OPEN_FAILED) and retried. */
  async open(): Promise<void> {
    const { path, baudRate, parity, stopBits, id } = this.options;
    const port = new SerialPort({ path, baudRate, parity, stopBits, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.lose(new HalError(this.state === 'new' ? 'PORT_OPEN_FAILED' : 'PORT_LOST', id, (err as Error).message, { cause: err }));
      return;
    }
    if (this.state === 'closed') {
      port.close();
      return;
    }
    port.on('data', (chunk: Buffer) => {
      this.stats.bytesReceived += chunk.length;
      this.emit('data', chunk);
    });
    port.on('error', () => undefined); // followed by 'close'
    port.on('close', () => {
      if (this.port === port) this.lose(new HalError('PORT_LOST', id));
    });
    this.port = port;
    const wasLost = this.state === 'lost';
    this.state = 'open';
    if (wasLost) {
      this.stats.reopens++;
      this.emit('restored');
    }
    this.watch();
  }

  write(bytes: Uint8Array | string): Promise<void> {
    const port = this.port;
    if (!port || this.state !== 'open') return Promise.reject(new HalError('PORT_LOST', this.options.id));
    return new Promise((resolve, reject) => port.write(bytes, (err) => (err ? reject(new HalError('PORT_LOST', this.options.id, err.message)) : resolve())));
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.options.clock.clearTimeout(this.timer);
    await this.dropPort();
  }

  private watch(): void {
    this.options.clock.clearTimeout(this.timer);
    this.timer = this.options.clock.setTimeout(() => {
      if (this.state !== 'open') return;
      if (!existsSync(this.options.path)) this.lose(new HalError('PORT_LOST', this.options.id, `${this.options.path} vanished`));
      else this.watch();
    }, this.options.watchIntervalMs);
  }

  private lose(error: HalError): void {
    if (this.state === 'closed') return;
    const wasUp = this.state !== 'lost';
    this.state = 'lost';
    void this.dropPort();
    if (wasUp) {
      this.stats.losses++;
      this.emit('lost', error);
    }
    this.options.clock.clearTimeout(this.timer);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      void this.open();
    }, this.options.reopenIntervalMs);
  }

  private async dropPort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
