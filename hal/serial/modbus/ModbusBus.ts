/**
 * One RS-485 bus (one serial port) with one Modbus RTU client (modbus-serial) on it. Every device
 * on the bus sends its requests through here, so requests are serialized: a request is written
 * only after the previous one was answered or timed out.
 *
 * A port that closes or vanishes (USB adapter pulled), or a request that finds it no longer open,
 * makes the bus `lost`: it emits `lost`, rejects requests with PORT_LOST, and tries to reopen the
 * same path every `reopenIntervalMs` of clock time; once open again it emits `restored`
 * (PortRecovery.ts). Devices retain/release the bus; it closes
 * when the last one releases it.
 */
import { EventEmitter } from 'node:events';
import modbusSerial from 'modbus-serial';
import type { Clock } from '../../clock.js';
import { HalError } from '../../errors.js';
import { PortRecovery, type PortState } from '../PortRecovery.js';

export interface ModbusBusOptions {
  /** Port path, e.g. `/dev/ttyUSB0`; used in errors as `modbus:<path>`. */
  path: string;
  clock: Clock;
  /** Default 9600 (the SDM630/SDM120 factory setting; check the meter's menu). */
  baudRate?: number;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  /** How long a device may take to answer one request, ms (default 500; a request may set its own). */
  responseTimeoutMs?: number;
  /** Clock time between attempts to reopen a lost port, ms (default 2000). */
  reopenIntervalMs?: number;
}

export type ModbusBusState = PortState;

export interface ModbusBusEvents {
  lost: [error: HalError];
  restored: [];
}

/** Why one request failed. `timeout` and `crc` are line problems, `exception` is the slave's answer. */
export class ModbusRequestError extends Error {
  constructor(readonly kind: 'timeout' | 'crc' | 'exception' | 'port' | 'other', message: string) {
    super(message);
    this.name = 'ModbusRequestError';
  }
}

// modbus-serial is CommonJS whose types say `export default`: under NodeNext the default import is
// the module object in the types but the class at run time. The class also carries `.default` = itself.
const ModbusRTU = modbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

/** A serialized Modbus RTU client on one port; see the module comment for the lifecycle. */
export class ModbusBus extends EventEmitter<ModbusBusEvents> {
  readonly id: string;
  /** Request outcomes since start. */
  readonly stats = { requests: 0, answered: 0, timeouts: 0, crcErrors: 0, exceptions: 0, reopens: 0 };
  private readonly options: Required<ModbusBusOptions>;
  private readonly recovery: PortRecovery;
  private client: Client | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private users = 0;
  private opening: Promise<void>;

  constructor(options: ModbusBusOptions) {
    super();
    this.options = { baudRate: 9600, parity: 'none', stopBits: 1, responseTimeoutMs: 500, reopenIntervalMs: 2000, ...options };
    this.id = `modbus:${options.path}`;
    this.recovery = new PortRecovery({
      clock: this.options.clock,
      reopenIntervalMs: this.options.reopenIntervalMs,
      drop: () => void this.dropClient(),
      reopen: () => (this.opening = this.open()),
      lost: (error) => this.emit('lost', error),
      restored: () => {
        this.stats.reopens++;
        this.emit('restored');
      },
    });
    this.opening = this.open();
  }

  get state(): ModbusBusState {
    return this.recovery.state;
  }

  /** Resolves once the first open attempt has finished (opened, or lost and retrying). */
  ready(): Promise<void> {
    return this.opening;
  }

  /** Resolves when no request is queued or in flight. */
  async whenIdle(): Promise<void> {
    while (this.inFlight > 0) await this.tail.catch(() => undefined);
  }

  retain(): this {
    this.users++;
    return this;
  }

  /** Drops one user; the port closes when none is left. */
  async release(): Promise<void> {
    if (this.users > 0) this.users--;
    if (this.users === 0) await this.close();
  }

  async close(): Promise<void> {
    if (this.recovery.state === 'closed') return;
    this.recovery.close();
    await this.whenIdle();
    await this.dropClient();
  }

  /**
   * Function 04: `count` input registers from `address` of slave `unit`, as raw big-endian bytes.
   * `timeoutMs` (here and below): how long this request may wait for its answer (default: the bus's).
   */
  readInputRegisters(unit: number, address: number, count: number, timeoutMs?: number): Promise<Buffer> {
    return this.enqueue(unit, timeoutMs, (c, next) => c.writeFC4(unit, address, count, (err: unknown, res?: { buffer: Buffer }) => next(err, res?.buffer)));
  }

  /** Function 01 (coils) or 02 (discrete inputs). */
  readBits(unit: number, fc: 1 | 2, address: number, count: number, timeoutMs?: number): Promise<boolean[]> {
    return this.enqueue(unit, timeoutMs, (c, next) => {
      const done = (err: unknown, res?: { data: boolean[] }): void => next(err, res?.data.slice(0, count));
      if (fc === 1) c.writeFC1(unit, address, count, done);
      else c.writeFC2(unit, address, count, done);
    });
  }

  /** Function 05: switch one coil. */
  writeCoil(unit: number, address: number, on: boolean, timeoutMs?: number): Promise<void> {
    return this.enqueue(unit, timeoutMs, (c, next) => c.writeFC5(unit, address, on, (err: unknown) => next(err, undefined)));
  }

  private enqueue<T>(unit: number, timeoutMs: number | undefined, send: (c: Client, next: (err: unknown, value: T | undefined) => void) => void): Promise<T> {
    this.inFlight++;
    const run = async (): Promise<T> => {
      await this.opening;
      const client = this.client;
      if (this.recovery.state === 'closed') throw new HalError('DEVICE_CLOSED', this.id);
      if (this.recovery.state !== 'open' || !client) throw new HalError('PORT_LOST', this.id, `unit ${unit}`);
      this.stats.requests++;
      // Requests are serialized, so the client's one timeout can be set for each in turn.
      client.setTimeout(timeoutMs ?? this.options.responseTimeoutMs);
      return new Promise<T>((resolve, reject) => {
        send(client, (err, value) => {
          if (!err) return resolve(value as T);
          const failure = this.classify(err);
          if (failure.kind !== 'port') return reject(failure);
          // The port went away under this request (adapter pulled): the bus is lost now, whether
          // or not the port's 'close' has arrived, so no device counts this as a missed answer.
          if (this.client === client) this.recovery.lose(new HalError('PORT_LOST', this.id, failure.message));
          reject(new HalError('PORT_LOST', this.id, `unit ${unit}: ${failure.message}`));
        });
      });
    };
    const result = this.tail.then(run, run);
    this.tail = result.then(
      () => void this.inFlight--,
      () => void this.inFlight--,
    );
    return result.then(
      (value) => {
        this.stats.answered++;
        return value;
      },
    );
  }

  private classify(err: unknown): ModbusRequestError {
    const e = err as { name?: string; message?: string; modbusCode?: number };
    const message = e.message ?? String(err);
    if (e.name === 'TransactionTimedOutError' || /timed out/i.test(message)) {
      this.stats.timeouts++;
      return new ModbusRequestError('timeout', message);
    }
    if (/CRC/i.test(message)) {
      this.stats.crcErrors++;
      return new ModbusRequestError('crc', message);
    }
    if (e.modbusCode !== undefined) {
      this.stats.exceptions++;
      return new ModbusRequestError('exception', message);
    }
    if (/Port Not Open/i.test(message)) return new ModbusRequestError('port', message);
    return new ModbusRequestError('other', message);
  }

  private async open(): Promise<void> {
    const { path, baudRate, parity, stopBits, responseTimeoutMs } = this.options;
    const client = new ModbusRTU();
    client.on('error', () => undefined); // reported through 'close' and request failures
    try {
      await client.connectRTUBuffered(path, { baudRate, parity, stopBits, dataBits: 8 });
    } catch (err) {
      this.recovery.lose(new HalError('PORT_OPEN_FAILED', this.id, (err as Error).message, { cause: err }));
      return;
    }
    if (this.recovery.state === 'closed') {
      client.close();
      return;
    }
    client.setTimeout(responseTimeoutMs);
    client.on('close', () => {
      if (this.client === client) this.recovery.lose(new HalError('PORT_LOST', this.id));
    });
    this.client = client;
    this.recovery.opened();
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    (client as unknown as EventEmitter).removeAllListeners('close');
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
