/**
 * OpenEVSE RAPI lines: `$cc p1 p2[ :ss]^xk\r`, where `xk` is the XOR of every character before
 * `^` (two hex digits; legacy `*ck` is the 8-bit sum) and `:ss` an optional sequence id the
 * controller echoes. Replies `$OK …` / `$NK …`; asynchronous `$AT` (state transition), `$AB`
 * (boot), `$WF` (wifi mode request). Pure: {@link encodeRapiCommand} and {@link RapiParser}.
 */
import { emptyStats, type ParserStats } from './ParserStats.js';

export interface RapiLine {
  /** Two-letter command or reply kind without `$`: `OK`, `NK`, `AT`, `AB`, `GS` … */
  command: string;
  params: string[];
  /** Sequence id when the line carried `:ss`. */
  seq?: number;
  checksum: 'xor' | 'sum' | 'none';
}

export type RapiResult = { type: 'line'; line: RapiLine } | { type: 'error'; reason: 'checksum' | 'syntax'; text: string };

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

function xorOf(text: string): number {
  let x = 0;
  for (let i = 0; i < text.length; i++) x ^= text.charCodeAt(i);
  return x;
}

function sumOf(text: string): number {
  let s = 0;
  for (let i = 0; i < text.length; i++) s = (s + text.charCodeAt(i)) & 0xff;
  return s;
}

/** `$SC 16 :2A^4F\r`: one command line with XOR checksum and optional sequence id (0..255). */
export function encodeRapiCommand(command: string, params: readonly (string | number)[] = [], seq?: number): string {
  if (!/^[A-Z0-9]{2}$/.test(command)) throw new RangeError(`RAPI command must be two characters (got "${command}")`);
  let text = `$${command}`;
  for (const p of params) text += ` ${p}`;
  if (seq !== undefined) text += ` :${hex2(seq)}`;
  return `${text}^${hex2(xorOf(text))}\r`;
}

/** Decodes one line (without its terminator). */
export function parseRapiLine(raw: string): RapiResult {
  const text = raw.trim();
  const fail = (reason: 'checksum' | 'syntax'): RapiResult => ({ type: 'error', reason, text });
  if (!text.startsWith('$')) return fail('syntax');
  let body = text;
  let checksum: RapiLine['checksum'] = 'none';
  const mark = /[\^*]([0-9A-Fa-f]{2})$/.exec(text);
  if (mark) {
    body = text.slice(0, mark.index);
    const expected = parseInt(mark[1]!, 16);
    checksum = text[mark.index] === '^' ? 'xor' : 'sum';
    if ((checksum === 'xor' ? xorOf(body) : sumOf(body)) !== expected) return fail('checksum');
  } else if (/[\^*]/.test(text)) return fail('syntax');
  const tokens = body.slice(1).split(' ').filter((t) => t.length > 0);
  const command = tokens.shift();
  if (!command || !/^[A-Z0-9]{2}$/.test(command)) return fail('syntax');
  const line: RapiLine = { command, params: tokens, checksum };
  const last = tokens.at(-1);
  if (last && /^:[0-9A-Fa-f]{2}$/.test(last)) {
    line.seq = parseInt(last.slice(1), 16);
    tokens.pop();
  }
  return { type: 'line', line };
}

/** Splits the byte stream into lines (CR or LF), skips noise before `$`, counts errors. */
export class RapiParser {
  readonly stats: ParserStats = emptyStats();
  private partial = '';
  /** A line longer than this without a terminator is noise (the longest reply, `$OK` + LCD text, is < 80). */
  private static readonly MAX_LINE = 128;

  push(chunk: Uint8Array | string): RapiResult[] {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    this.stats.bytes += text.length;
    const out: RapiResult[] = [];
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        this.finish(out);
      } else if (ch === '$') {
        if (this.partial.length > 0) {
          // A new line starts before the old one ended: the old one was cut off.
          this.stats.errors++;
          out.push({ type: 'error', reason: 'syntax', text: this.partial });
        }
        this.partial = '$';
      } else if (this.partial.length === 0) {
        this.stats.discardedBytes++;
      } else if (this.partial.length >= RapiParser.MAX_LINE) {
        this.partial = '';
        this.stats.errors++;
        out.push({ type: 'error', reason: 'syntax', text: 'line too long' });
      } else {
        this.partial += ch;
      }
    }
    return out;
  }

  private finish(out: RapiResult[]): void {
    if (this.partial.length === 0) return;
    const result = parseRapiLine(this.partial);
    this.partial = '';
    if (result.type === 'line') this.stats.frames++;
    else this.stats.errors++;
    out.push(result);
  }
}
