/**
 * An OpenEVSE controller on the device end of a pty, answering RAPI commands. Written without the
 * driver's encoder/parser: its own checksum code and line splitting. Test support (real I/O).
 *
 * Understands `$GS`, `$GC`, `$GP` (temperatures), `$SC amps [V]`, `$FE`, `$FS`, `$FD`, and with a clock the heartbeat
 * supervision `$SY`/`$GY` (arm, pulse, acknowledge; a late pulse lowers `amps` to the fallback);
 * sends `$AT` on every state change. Checks each command's XOR (`^xk`) or sum (`*ck`) checksum and
 * echoes its `:ss` sequence id.
 *
 * Its 16x2 LCD, as the RAPI document and firmware describe it: `$FP x y text` prints at column x of
 * row y (tokens after the third are joined with single spaces again; 0xEF prints as a space),
 * `$FB n` sets the backlight, `$F0 0|1` stops or resumes the board's own status screen, which it
 * otherwise redraws on row 0 at every state change. Like the firmware, a command line of more than
 * 31 characters before its CR overflows the 32-byte buffer and is dropped without an answer, and a
 * line of more than 10 tokens is refused.
 */
import { SerialPort } from 'serialport';
import type { Clock, TimerId } from '../../clock.js';

const hex = (n: number): string => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');

/** XOR of every character code. */
function xor8(s: string): number {
  return [...s].reduce((x, c) => x ^ c.charCodeAt(0), 0);
}

/** 8-bit sum of every character code. */
function sum8(s: string): number {
  return [...s].reduce((x, c) => (x + c.charCodeAt(0)) & 0xff, 0);
}

/** What the board's own status screen says per EVSE state (row 0). */
const STATE_NAMES: Readonly<Record<number, string>> = { 1: 'Ready', 2: 'Connected', 3: 'Charging', 4: 'Vent Required', 0xfe: 'Sleeping', 0xff: 'Disabled' };

/** The firmware's lowest current capacity: a fallback below it is raised to it. */
const MIN_AMPS = 6;

export interface RapiResponderOptions {
  hardwareMaxA?: number;
  /** Runs the heartbeat supervision; without one the board answers `$SY`/`$GY` with `$NK` (not compiled in). */
  clock?: Clock;
  /** The board boots enabled (the firmware's own auto-start) and with the vehicle asking for power (state 03). */
  autoStartCharging?: boolean;
  /** Firmware with `$F0` (switch its own screen updates off); default true. Without it `$F0` gets `$NK`. */
  lcdUpdateCommand?: boolean;
  /** Firmware with `$GP` (v1.0.3+); default true. Without it `$GP` gets `$NK`. */
  temperatureCommand?: boolean;
}

/** What `$GP` reports for a sensor that is not fitted (RAPI document), tenths of °C. */
export const GP_NOT_FITTED = -2560;

/** The firmware's command buffer (ESRAPI_BUFLEN): at most 31 characters before the CR. */
const RAPI_BUFFER = 32;
/** ESRAPI_MAX_ARGS: tokens per command, the command itself included. */
const RAPI_MAX_TOKENS = 10;
const LCD_WIDTH = 16;

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
  readonly stats = { badChecksum: 0, bytesSent: 0, dropped: 0, overflows: 0 };
  /** The LCD's two rows of 16 characters, its backlight colour (`$FB`), and whether the board draws its own status on it. */
  readonly lcd = { rows: [' '.repeat(LCD_WIDTH), ' '.repeat(LCD_WIDTH)], backlight: 7, ownScreen: true };
  /**
   * The board's three temperature sensors as `$GP` reports them (DS3231 RTC, MCP9808 ambient,
   * TMP007 infrared), tenths of °C; {@link GP_NOT_FITTED} for one not fitted (the default: none).
   */
  temperatures: [number, number, number] = [GP_NOT_FITTED, GP_NOT_FITTED, GP_NOT_FITTED];
  private readonly lcdUpdateCommand: boolean;
  private readonly temperatureCommand: boolean;
  private overflowing = false;
  private port: SerialPort | undefined;
  private partial = '';
  private error: number | undefined;
  private enabled: 'enabled' | 'sleeping' | 'disabled' = 'sleeping';
  private relayClosed = false;
  private stuck = false;
  private welded = false;
  private latched: number | undefined;
  private repliesToDrop = 0;
  /** Lines held back to go out in one write (see {@link afterReply}). */
  private batch: string[] | undefined;
  private readonly afterReplies = new Map<string, () => Promise<void>>();
  /** Heartbeat supervision: seconds (0 off), fallback amps, 0 never missed / 1 missed, acked / 2 missed, not acked. */
  readonly supervision = { intervalS: 0, fallbackA: 0, trigger: 0 };
  private readonly clock: Clock | undefined;
  private supervisionTimer: TimerId | undefined;

  constructor(private readonly path: string, options: RapiResponderOptions = {}) {
    this.hardwareMaxA = options.hardwareMaxA ?? 32;
    this.clock = options.clock;
    this.lcdUpdateCommand = options.lcdUpdateCommand ?? true;
    this.temperatureCommand = options.temperatureCommand ?? true;
    if (options.autoStartCharging) {
      this.enabled = 'enabled';
      this.pilotState = 3;
      this.evseState = this.computeState();
    }
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 115200, autoOpen: false });
    port.on('data', (chunk: Buffer) => this.receive(chunk.toString('latin1')));
    port.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
  }

  /** The board is switched off: its supervision timer ends too (`close()` alone is the adapter pulled). */
  powerOff(): Promise<void> {
    this.clock?.clearTimeout(this.supervisionTimer);
    this.supervisionTimer = undefined;
    this.supervision.intervalS = 0;
    return this.close();
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

  /**
   * Once, right after answering the next `command`, runs `change` (e.g. the vehicle unplugs), and
   * sends the reply and the `$AT` it causes in one write: the board's state changed while its
   * answer was on the wire, so both lines reach the driver back to back.
   */
  afterReply(command: string, change: () => Promise<void>): void {
    this.afterReplies.set(command, change);
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

  /** Device side: the board enables itself (its own auto-start, a reset, a front-panel button). */
  autoStart(): Promise<void> {
    this.enabled = 'enabled';
    return this.update();
  }

  /**
   * The next `count` replies are lost on the line (the commands themselves are executed), like an
   * adapter that drops bytes while the board boots.
   */
  dropReplies(count: number): void {
    this.repliesToDrop = count;
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

  /** The board reboots: sends `$AB`, its LCD shows its own start screen again. */
  async reboot(): Promise<void> {
    this.lcd.rows = ['OpenEVSE'.padEnd(LCD_WIDTH), 'Ver. 8.2.3'.padEnd(LCD_WIDTH)];
    this.lcd.ownScreen = true;
    this.lcd.backlight = 7;
    await this.send('$AB 00 8.2.3');
  }

  private print(x: number, y: number, text: string): void {
    const row = this.lcd.rows[y];
    if (row === undefined || x >= LCD_WIDTH) return;
    const chars = [...row];
    [...text].forEach((c, i) => {
      if (x + i < LCD_WIDTH) chars[x + i] = c === '\u00ef' ? ' ' : c;
    });
    this.lcd.rows[y] = chars.join('');
  }

  private async update(): Promise<void> {
    this.evseState = this.computeState();
    if (this.lcd.ownScreen) this.print(0, 0, (STATE_NAMES[this.evseState] ?? 'Error').padEnd(LCD_WIDTH));
    // The firmware sends $AT on EVSE state changes; this responder also sends it on pilot changes.
    await this.send(`$AT ${hex(this.evseState)} ${hex(this.pilotState)} ${this.amps} 0000`);
  }

  private async send(body: string): Promise<void> {
    const line = `${body}^${hex(xor8(body))}\r`;
    if (this.batch) this.batch.push(line);
    else await this.write(line);
  }

  private write(text: string): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    this.stats.bytesSent += Buffer.byteLength(text, 'latin1');
    return new Promise((resolve) => port.write(text, 'latin1', () => port.drain(() => resolve())));
  }

  private receive(text: string): void {
    for (const ch of text) {
      if (ch === '$') {
        this.partial = '$';
        this.overflowing = false;
      } else if (this.overflowing) continue;
      else if (this.partial.startsWith('$') && this.partial.length >= RAPI_BUFFER) {
        // The firmware's buffer is full: it forgets the line and waits for the next '$'.
        this.partial = '';
        this.overflowing = true;
        this.stats.overflows++;
      } else if (ch === '\r' || ch === '\n') {
        const line = this.partial;
        this.partial = '';
        if (line.startsWith('$')) void this.command(line);
      } else this.partial += ch;
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
    const reply = (ok: boolean, ...params: (string | number)[]): Promise<void> => {
      if (this.repliesToDrop > 0) {
        this.repliesToDrop--;
        this.stats.dropped++;
        return Promise.resolve();
      }
      return this.send([ok ? '$OK' : '$NK', ...params, ...(seqWord ? [seqWord] : [])].join(' '));
    };
    const change = cmd === undefined ? undefined : this.afterReplies.get(cmd);
    if (!change) return this.execute(cmd, args, reply);
    this.afterReplies.delete(cmd!);
    this.batch = [];
    await this.execute(cmd, args, reply);
    await change();
    const lines = this.batch.join('');
    this.batch = undefined;
    await this.write(lines);
  }

  private async execute(cmd: string | undefined, args: string[], reply: (ok: boolean, ...params: (string | number)[]) => Promise<void>): Promise<void> {
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
      case 'SY':
        return this.clock ? this.heartbeat(args, reply) : reply(false);
      case 'FP': {
        if (args.length + 1 > RAPI_MAX_TOKENS || args.length < 3) return reply(false);
        this.print(Number(args[0]), Number(args[1]), args.slice(2).join(' '));
        return reply(true);
      }
      case 'FB':
        this.lcd.backlight = Number(args[0]);
        return reply(true);
      case 'F0':
        if (!this.lcdUpdateCommand) return reply(false);
        this.lcd.ownScreen = args[0] !== '0';
        return reply(true);
      case 'GP':
        return this.temperatureCommand ? reply(true, ...this.temperatures) : reply(false);
      case 'GY':
        return this.clock ? reply(true, this.supervision.intervalS, this.supervision.fallbackA, this.supervision.trigger) : reply(false);
      default:
        return reply(false);
    }
  }

  /** `$SY s a` arms (clears the trigger, keeps the current), `$SY` pulses, `$SY 165` acknowledges. */
  private heartbeat(args: string[], reply: (ok: boolean, ...params: (string | number)[]) => Promise<void>): Promise<void> {
    const hs = this.supervision;
    if (args.length >= 2) {
      hs.intervalS = Number(args[0]);
      hs.fallbackA = Number(args[1]);
      hs.trigger = 0;
      this.restartSupervision();
      return reply(true, hs.intervalS, hs.fallbackA, hs.trigger);
    }
    if (args.length === 1) {
      if (Number(args[0]) !== 0xa5) return reply(false);
      if (hs.trigger === 2) {
        this.amps = this.hardwareMaxA; // the firmware restores its maximum, not the earlier offer
        hs.trigger = 1;
      }
      return reply(true);
    }
    this.restartSupervision();
    return reply(hs.trigger !== 2);
  }

  private restartSupervision(): void {
    const clock = this.clock!;
    clock.clearTimeout(this.supervisionTimer);
    this.supervisionTimer = undefined;
    if (this.supervision.intervalS === 0) return;
    this.supervisionTimer = clock.setTimeout(() => {
      const hs = this.supervision;
      if (hs.fallbackA < this.amps) this.amps = Math.max(MIN_AMPS, hs.fallbackA);
      hs.trigger = 2;
      this.restartSupervision();
    }, this.supervision.intervalS * 1000);
  }
}
