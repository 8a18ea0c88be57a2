/**
 * A Modbus RTU slave on the device end of a pty, written independently of the drivers (its own
 * CRC table and framing, no modbus-serial), serving several unit addresses like devices sharing
 * one RS-485 bus. Supports functions 01, 02 (bits), 04 (input registers) and 05 (write coil).
 * Test support: it runs on real I/O; what the registers contain is up to each {@link ModbusUnit}.
 */
import { SerialPort } from 'serialport';

/** What one slave address answers. Absent functions answer exception 01 (illegal function). */
export interface ModbusUnit {
  /** `answer` normally; `silent` never replies; `bad-crc` replies with a corrupted CRC. */
  mode?: 'answer' | 'silent' | 'bad-crc';
  /** This many next replies go out with a corrupted CRC (then normal answers resume). */
  corruptReplies?: number;
  inputRegisters?(address: number, count: number): number[];
  coils?(address: number, count: number): boolean[];
  discreteInputs?(address: number, count: number): boolean[];
  writeCoil?(address: number, on: boolean): void;
}

const CRC_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Modbus CRC-16 (poly 0xA001 reflected, init 0xFFFF), table driven. */
export function modbusCrc(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

function withCrc(body: number[]): Buffer {
  const crc = modbusCrc(Uint8Array.from(body));
  return Buffer.from([...body, crc & 0xff, crc >> 8]);
}

function packBits(bits: boolean[]): number[] {
  const out = new Array<number>(Math.ceil(bits.length / 8)).fill(0);
  bits.forEach((on, i) => {
    if (on) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

export class ModbusSlaveSim {
  readonly units = new Map<number, ModbusUnit>();
  /** Requests answered, requests dropped for a bad CRC, and bytes skipped while resynchronising. */
  readonly stats = { requests: 0, replies: 0, badRequests: 0 };
  private port: SerialPort | undefined;
  private buffer = Buffer.alloc(0);

  constructor(private readonly path: string, private readonly baudRate = 9600) {}

  /** Opens (or, after a replug, reopens) the device end of the pty. */
  async open(): Promise<void> {
    this.buffer = Buffer.alloc(0);
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', () => undefined); // an unplugged pty: the test replugs and reopens
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
  }

  /** Writes raw bytes onto the bus (line noise, a foreign device talking). */
  inject(bytes: Uint8Array): Promise<void> {
    return this.write(Buffer.from(bytes));
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.write(bytes, () => port.drain(() => resolve())));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    // Every supported request is 8 bytes; resynchronise byte by byte on a bad CRC.
    while (this.buffer.length >= 8) {
      const frame = this.buffer.subarray(0, 8);
      const crc = frame[6]! | (frame[7]! << 8);
      if (modbusCrc(frame.subarray(0, 6)) !== crc) {
        this.stats.badRequests++;
        this.buffer = this.buffer.subarray(1);
        continue;
      }
      this.buffer = this.buffer.subarray(8);
      this.stats.requests++;
      const reply = this.handle(frame);
      if (reply) {
        this.stats.replies++;
        void this.write(reply);
      }
    }
  }

  private handle(frame: Buffer): Buffer | undefined {
    const unitId = frame[0]!;
    const fc = frame[1]!;
    const address = frame.readUInt16BE(2);
    const value = frame.readUInt16BE(4);
    const unit = this.units.get(unitId);
    if (!unit || unit.mode === 'silent') return undefined;
    let body: number[] | undefined;
    if (fc === 0x04 && unit.inputRegisters) {
      const words = unit.inputRegisters(address, value);
      body = [unitId, fc, words.length * 2, ...words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff])];
    } else if ((fc === 0x01 && unit.coils) || (fc === 0x02 && unit.discreteInputs)) {
      const bits = fc === 0x01 ? unit.coils!(address, value) : unit.discreteInputs!(address, value);
      const packed = packBits(bits);
      body = [unitId, fc, packed.length, ...packed];
    } else if (fc === 0x05 && unit.writeCoil) {
      unit.writeCoil(address, value === 0xff00);
      body = [...frame.subarray(0, 6)];
    } else {
      body = [unitId, fc | 0x80, 0x01];
    }
    const reply = withCrc(body);
    if (unit.mode === 'bad-crc' || (unit.corruptReplies ?? 0) > 0) {
      if (unit.corruptReplies) unit.corruptReplies--;
      reply[reply.length - 1]! ^= 0x5a;
    }
    return reply;
  }
}
