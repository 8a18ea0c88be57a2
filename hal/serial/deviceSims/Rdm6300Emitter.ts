/**
 * The device side of an RDM6300 125 kHz reader: writes 14-byte frames onto the pty. Checksums
 * are computed here, independently of the driver's parser. Test support (real I/O).
 */
import { SerialPort } from 'serialport';

export class Rdm6300Emitter {
  /** Bytes written so far (a harness compares it with what the driver has received). */
  bytesSent = 0;
  private port: SerialPort | undefined;

  constructor(private readonly path: string) {}

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 9600, autoOpen: false });
    port.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
  }

  /** One frame for a 5-byte EM4100 id given as 10 hex characters. */
  static frame(id: string): Buffer {
    if (!/^[0-9A-Fa-f]{10}$/.test(id)) throw new RangeError(`an EM4100 id is 5 bytes = 10 hex characters (got "${id}")`);
    let check = 0;
    for (const byte of Buffer.from(id, 'hex')) check ^= byte;
    const text = id.toUpperCase() + check.toString(16).toUpperCase().padStart(2, '0');
    return Buffer.from([0x02, ...Buffer.from(text, 'ascii'), 0x03]);
  }

  /** The reader sees card `id` once (it repeats this while the card is held). */
  sendCard(id: string): Promise<void> {
    return this.write(Rdm6300Emitter.frame(id));
  }

  /** A frame spoiled on the air: right shape, wrong checksum. */
  sendGarbage(): Promise<void> {
    const frame = Rdm6300Emitter.frame('0F0019F9D8');
    frame[11] = frame[11] === 0x30 ? 0x31 : 0x30;
    return this.write(frame);
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    this.bytesSent += bytes.length;
    return new Promise((resolve) => port.write(Buffer.from(bytes), () => port.drain(() => resolve())));
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
