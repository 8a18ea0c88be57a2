/**
 * A raw serial port that survives its adapter vanishing: on close/error, or when its path
 * disappears (a read-only device never writes, so it would not see EIO), it emits `lost`, and
 * reopens the same path every `reopenIntervalMs` of clock time until it works (`restored`;
 * PortRecovery.ts). Used by the character-stream devices (RDM6300, PN532, RAPI); Modbus devices
 * use ModbusBus.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { SerialPortStream, type OpenOptions } from '@serialport/stream';
import { SerialPort } from 'serialport';
import type { Clock, TimerId } from '../clock.js';
import { HalError } from '../errors.js';
import type { FaultLatch } from '../FaultLatch.js';
import { PortRecovery } from './PortRecovery.js';

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
  /**
   * The serialport binding that opens the path (default: the platform's, as `SerialPort` uses).
   * Unit tests give serialport's MockBinding (@serialport/binding-mock). Whether the path still
   * exists is then asked of the binding (`list()`), since its ports are not files.
   */
  binding?: SerialBinding;
}

/** A serialport binding (serialport's `BindingInterface`): what opens, reads and lists ports. */
export type SerialBinding = OpenOptions['binding'];

/** A character-stream driver's line options: the link's, with the baud rate defaulting per model. */
export type SerialDeviceOptions = Omit<SerialLinkOptions, 'baudRate' | 'watchIntervalMs'> & { baudRate?: number };

/** The driver's link: its line options, `defaultBaudRate` when none is given. */
export function serialLinkFor(options: SerialDeviceOptions, defaultBaudRate: number): SerialLink {
  const { id, clock, path, baudRate = defaultBaudRate, parity, stopBits, reopenIntervalMs, binding } = options;
  return new SerialLink({
    id, clock, path, baudRate, ...(parity && { parity }), ...(stopBits && { stopBits }), ...(reopenIntervalMs !== undefined && { reopenIntervalMs }), ...(binding && { binding }),
  });
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
  private readonly options: Required<Omit<SerialLinkOptions, 'binding'>> & Pick<SerialLinkOptions, 'binding'>;
  private readonly recovery: PortRecovery;
  private port: SerialPortStream | undefined;
  private watchTimer: TimerId | undefined;

  constructor(options: SerialLinkOptions) {
    super();
    this.options = { reopenIntervalMs: 2000, watchIntervalMs: 1000, parity: 'none', stopBits: 1, ...options };
    this.recovery = new PortRecovery({
      clock: this.options.clock,
      reopenIntervalMs: this.options.reopenIntervalMs,
      drop: () => {
        this.options.clock.clearTimeout(this.watchTimer);
        void this.dropPort();
      },
      reopen: () => void this.open(),
      lost: (error) => {
        this.stats.losses++;
        this.emit('lost', error);
      },
      restored: () => {
        this.stats.reopens++;
        this.emit('restored');
      },
    });
  }

  get isOpen(): boolean {
    return this.recovery.state === 'open';
  }

  /**
   * While the link is down, `faults` holds its PORT_OPEN_FAILED (never opened yet) or PORT_LOST
   * (raised once); both clear once it is open again. How a character-stream device reports its port.
   */
  reportFaultsTo(faults: FaultLatch): void {
    this.on('lost', (error) => void faults.raise(error.code, error.message));
    this.on('restored', () => {
      faults.clear('PORT_OPEN_FAILED');
      faults.clear('PORT_LOST');
    });
  }

  /** Opens the port; a failure is reported as `lost` (PORT_OPEN_FAILED) and retried. */
  async open(): Promise<void> {
    const { path, baudRate, parity, stopBits, id, binding = SerialPort.binding } = this.options;
    const port = new SerialPortStream({ binding, path, baudRate, parity, stopBits, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.recovery.lose(new HalError(this.recovery.state === 'opening' ? 'PORT_OPEN_FAILED' : 'PORT_LOST', id, (err as Error).message, { cause: err }));
      return;
    }
    if (this.recovery.state === 'closed') {
      port.close();
      return;
    }
    port.on('data', (chunk: Buffer) => {
      this.stats.bytesReceived += chunk.length;
      this.emit('data', chunk);
    });
    port.on('error', () => undefined); // followed by 'close'
    port.on('close', () => {
      if (this.port === port) this.recovery.lose(new HalError('PORT_LOST', id));
    });
    this.port = port;
    this.recovery.opened();
    this.watch();
  }

  write(bytes: Uint8Array | string): Promise<void> {
    const port = this.port;
    if (!port || !this.isOpen) return Promise.reject(new HalError('PORT_LOST', this.options.id));
    return new Promise((resolve, reject) => port.write(bytes, (err) => (err ? reject(new HalError('PORT_LOST', this.options.id, err.message)) : resolve())));
  }

  async close(): Promise<void> {
    this.recovery.close();
    this.options.clock.clearTimeout(this.watchTimer);
    await this.dropPort();
  }

  private watch(): void {
    const { clock, path, id, watchIntervalMs, binding } = this.options;
    clock.clearTimeout(this.watchTimer);
    this.watchTimer = clock.setTimeout(() => {
      if (!this.isOpen) return;
      const vanished = (): void => this.recovery.lose(new HalError('PORT_LOST', id, `${path} vanished`));
      if (!binding) return existsSync(path) ? this.watch() : vanished();
      binding.list().then(
        (ports) => {
          if (!this.isOpen) return;
          if (ports.some((p) => p.path === path)) this.watch();
          else vanished();
        },
        () => this.isOpen && this.watch(),
      );
    }, watchIntervalMs);
  }

  private async dropPort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
