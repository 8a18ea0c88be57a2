/**
 * A PN532 on the device end of a pty (HSU, 115200 baud), written without the driver's frame code:
 * it reads host frames (skipping wake-up 55/00 bytes), checks LCS/DCS, ACKs each good command and
 * answers SAMConfiguration, RFConfiguration, GetFirmwareVersion and InListPassiveTarget.
 * Test support (real I/O).
 */
import { SerialPort } from 'serialport';

/** One information frame chip → host: 00 00 FF LEN LCS D5 data DCS 00. */
function frame(data: number[]): number[] {
  const body = [0xd5, ...data];
  const sum = body.reduce((a, b) => (a + b) & 0xff, 0);
  return [0x00, 0x00, 0xff, body.length, (256 - body.length) & 0xff, ...body, (256 - sum) & 0xff, 0x00];
}

const ACK = [0x00, 0x00, 0xff, 0x00, 0xff, 0x00];

export class Pn532Sim {
  /** `answer`, or `silent`: never ACK nor answer. */
  mode: 'answer' | 'silent' = 'answer';
  /** Command codes received with good checksums; frames dropped for a bad LCS/DCS. */
  readonly commands: number[] = [];
  readonly stats = { badFrames: 0, bytesSent: 0 };
  private port: SerialPort | undefined;
  private buf: number[] = [];
  private held: string | undefined;
  private tap: string | undefined;

  constructor(private readonly path: string) {}

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 115200, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    port.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** A card (hex uid) is in the field for the next InListPassiveTarget only. */
  presentCard(uid: string): void {
    this.tap = uid;
  }

  /** A card lies in the field until {@link removeCard}. */
  holdCard(uid: string): void {
    this.held = uid;
  }

  removeCard(): void {
    this.held = undefined;
  }

  /** One frame with a wrong data checksum. */
  sendGarbage(): Promise<void> {
    const bad = frame([0x4b, 0x01, 0x01, 0x00, 0x04, 0x08, 0x04, 0xde, 0xad, 0xbe, 0xef]);
    bad[bad.length - 2] = (bad[bad.length - 2]! + 1) & 0xff;
    return this.write(bad);
  }

  private write(bytes: number[]): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    this.stats.bytesSent += bytes.length;
    return new Promise((resolve) => port.write(Buffer.from(bytes), () => port.drain(() => resolve())));
  }

  private receive(chunk: Buffer): void {
    this.buf.push(...chunk);
    for (;;) {
      let s = -1;
      for (let i = 0; i + 1 < this.buf.length; i++) if (this.buf[i] === 0x00 && this.buf[i + 1] === 0xff) { s = i; break; }
      if (s < 0) { this.buf = this.buf.slice(-1); return; }
      const len = this.buf[s + 2];
      const lcs = this.buf[s + 3];
      if (len === undefined || lcs === undefined) { this.buf = this.buf.slice(s); return; }
      if (((len + lcs) & 0xff) !== 0 || len === 0) { this.stats.badFrames++; this.buf = this.buf.slice(s + 2); continue; }
      if (this.buf.length < s + 4 + len + 1) { this.buf = this.buf.slice(s); return; }
      const body = this.buf.slice(s + 4, s + 4 + len);
      const dcs = this.buf[s + 4 + len]!;
      this.buf = this.buf.slice(s + 5 + len);
      if ((body.reduce((a, b) => a + b, dcs) & 0xff) !== 0 || body[0] !== 0xd4) { this.stats.badFrames++; continue; }
      void this.handle(body[1]!);
    }
  }

  private async handle(code: number): Promise<void> {
    this.commands.push(code);
    if (this.mode === 'silent') return;
    await this.write(ACK);
    switch (code) {
      case 0x02: return this.write(frame([0x03, 0x32, 0x01, 0x06, 0x07]));
      case 0x14: return this.write(frame([0x15]));
      case 0x32: return this.write(frame([0x33]));
      case 0x4a: {
        const uid = this.tap ?? this.held;
        this.tap = undefined;
        if (!uid) return this.write(frame([0x4b, 0x00]));
        const id = [...Buffer.from(uid, 'hex')];
        return this.write(frame([0x4b, 0x01, 0x01, 0x00, 0x44, 0x00, id.length, ...id]));
      }
      default: return this.write([0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00]);
    }
  }
}
