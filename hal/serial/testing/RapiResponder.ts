/**
 * An OpenEVSE controller on the device end of a pty, answering RAPI commands. Written without the
 * driver's encoder/parser: its own checksum code and line splitting. Test support (real I/O).
 *
 * Understands `$GS`, `$GC`, `$SC amps [V]`, `$FE`, `$FS`, `$FD`; sends `$AT` on every state change.
 * Checks each command's XOR (`^xk`) or sum (`*ck`) checksum and echoes its `:ss` sequence id.
 */
import { SerialPort } from 'serialport';

const hex = (n: number): string => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');

/** XOR of every character code. */
function xor8(s: string): number {
  return [...s].reduce((x, c) => x ^ c.charCodeAt(0), 0);
}

/** 8-bit sum of every character code. */
function sum8(s: string): number {
  return [...s].reduce((x, c) => (x + c.charCodeAt(0)) & 0xff, 0);
}

export class RapiResponder {
  /** EVSE_STATE_xxx of the controller (01 A … FE sleeping, FF disabled, 05–0E errors). */
  evseState = 0xfe;
  /** Pilot reading, EVSE_STATE_xxx: 01–04 for A–D, 00 unreadable. */
  pilotState = 0x01;
  amps = 16;
  readonly hardwareMaxA: number;
  /** `answer`, or `silent`: read commands but never reply. */
  mode: 'answer' | 'silent' = 'answer';
  /** Every command line received (without checksum), and lines rejected for their checksum. */
  readonly received: string[] = [];
  readonly stats = { badChecksum: 0, bytesSent: 0 };
  private port: SerialPort | undefined;
  private partial = '';
  private error: number | undefined;
  private enabled: 'enabled' | 'sleeping' | 'disabled' = 'sleeping';
  private relayClosed = false;
  private stuck = false;
  private welded = false;
  private latched: number | undefined;

  constructor(private readonly path: string, options: { hardwareMaxA?: number } = {}) {
    this.hardwareMaxA = options.hardwareMaxA ?? 32;
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 115200, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.receive(chunk.toString('latin1')));
    port.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Vehicle side: the pilot reading changes (E = 00, unreadable). F cannot come from a vehicle. */
  setVehicle(state: 'A' | 'B' | 'C' | 'D' | 'E'): Promise<void> {
    this.pilotState = { A: 1, B: 2, C: 3, D: 4, E: 0 }[state];
    return this.update();
  }

  /** The controller enters an error state (05–0E), or leaves it with `undefined`. */
  setError(code: number | undefined): Promise<void> {
    this.error = code;
    return this.update();
  }

  /** Raw bytes onto the line (noise). */
  inject(text: string): Promise<void> {
    return this.write(text);
  }

  /** Device side: the relay contacts weld (a closed relay stays closed: state 08 once told to open). */
  weld(): Promise<void> {
    this.welded = true;
    return this.update();
  }

  /** Device side: the relay no longer closes (state 0E when it should close). */
  stick(): Promise<void> {
    this.stuck = true;
    return this.update();
  }

  /** Device side: defects fixed and the board's latched relay fault reset. */
  repair(): Promise<void> {
    this.stuck = this.welded = false;
    this.latched = undefined;
    this.relayClosed = false;
    return this.update();
  }

  /** EVSE state from the inputs; also moves the (simulated) relay. Fault states latch like the firmware's. */
  private computeState(): number {
    if (this.error !== undefined) return this.error;
    const wantsPower = this.enabled === 'enabled' && (this.pilotState === 3 || this.pilotState === 4);
    if (wantsPower && this.stuck) this.latched = 0x0e;
    if (!wantsPower && this.welded && this.relayClosed) this.latched = 0x08;
    if (this.latched !== undefined) return this.latched;
    this.relayClosed = wantsPower;
    if (this.enabled === 'sleeping') return 0xfe;
    if (this.enabled === 'disabled') return 0xff;
    return this.pilotState >= 1 && this.pilotState <= 4 ? this.pilotState : 0x01;
  }

  private async update(): Promise<void> {
    this.evseState = this.computeState();
    // The firmware sends $AT on EVSE state changes; this responder also sends it on pilot changes.
    await this.send(`$AT ${hex(this.evseState)} ${hex(this.pilotState)} ${this.amps} 0000`);
  }

  private async send(body: string): Promise<void> {
    await this.write(`${body}^${hex(xor8(body))}\r`);
  }

  private write(text: string): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    this.stats.bytesSent += Buffer.byteLength(text, 'latin1');
    return new Promise((resolve) => port.write(text, 'latin1', () => port.drain(() => resolve())));
  }

  private receive(text: string): void {
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        const line = this.partial;
        this.partial = '';
        if (line.startsWith('$')) void this.command(line);
      } else this.partial = ch === '$' ? '$' : this.partial + ch;
    }
  }

  private async command(line: string): Promise<void> {
    let body = line;
    const m = /([\^*])([0-9A-Fa-f]{2})$/.exec(line);
    if (m) {
      body = line.slice(0, m.index);
      const want = parseInt(m[2]!, 16);
      if ((m[1] === '^' ? xor8(body) : sum8(body)) !== want) {
        this.stats.badChecksum++;
        return;
      }
    }
    this.received.push(body);
    if (this.mode === 'silent') return;
    const words = body.slice(1).split(' ').filter(Boolean);
    const seqWord = words.at(-1)?.startsWith(':') ? words.pop() : undefined;
    const [cmd, ...args] = words;
    const reply = (ok: boolean, ...params: (string | number)[]): Promise<void> =>
      this.send([ok ? '$OK' : '$NK', ...params, ...(seqWord ? [seqWord] : [])].join(' '));
    switch (cmd) {
      case 'GS':
        return reply(true, hex(this.evseState), 0, hex(this.pilotState), '0000');
      case 'GC':
        return reply(true, 6, this.hardwareMaxA, this.amps, this.hardwareMaxA);
      case 'SC': {
        const want = Number(args[0]);
        const set = Math.max(6, Math.min(this.hardwareMaxA, Math.floor(want)));
        this.amps = set;
        return reply(set === want, set);
      }
      case 'FE':
      case 'FS':
      case 'FD':
        this.enabled = cmd === 'FE' ? 'enabled' : cmd === 'FS' ? 'sleeping' : 'disabled';
        await reply(true);
        if (this.computeState() !== this.evseState) await this.update();
        return;
      default:
        return reply(false);
    }
  }
}
