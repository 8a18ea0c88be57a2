/**
 * PN532 HSU (UART) frames: `00 | 00 FF | LEN | LCS | TFI | data | DCS | 00`, the extended form
 * `00 | 00 FF | FF FF | LENm LENl | LCS | TFI | data | DCS | 00`, ACK `00 00 FF 00 FF 00` and
 * NACK `00 00 FF FF 00 00`. LEN counts TFI + data; LEN + LCS ≡ 0 and TFI + data + DCS ≡ 0 (mod 256).
 * Pure: {@link encodePn532Frame} for the host side, {@link Pn532Parser} for what the chip sends.
 */
import { emptyStats, type ParserStats } from './ParserStats.js';

export const PN532_HOST_TO_CHIP = 0xd4;
export const PN532_CHIP_TO_HOST = 0xd5;
/** TFI of the chip's "application level error" frame (`00 00 FF 01 FF 7F 81 00`). */
export const PN532_ERROR_TFI = 0x7f;
export const PN532_ACK = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const PN532_NACK = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);

export type Pn532Result =
  | { type: 'ack' }
  | { type: 'nack' }
  | { type: 'frame'; tfi: number; /** Command code and parameters after the TFI. */ data: Uint8Array }
  | { type: 'error'; reason: 'length-checksum' | 'data-checksum' };

/** Encodes a normal (LEN ≤ 254) or extended information frame. */
export function encodePn532Frame(tfi: number, data: Uint8Array | readonly number[]): Uint8Array {
  const body = [tfi, ...data];
  const len = body.length;
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  const dcs = (0x100 - sum) & 0xff;
  const header = len <= 0xfe
    ? [0x00, 0x00, 0xff, len, (0x100 - len) & 0xff]
    : [0x00, 0x00, 0xff, 0xff, 0xff, len >> 8, len & 0xff, (0x100 - ((len >> 8) + (len & 0xff))) & 0xff];
  return Uint8Array.from([...header, ...body, dcs, 0x00]);
}

/** Incremental parser for the chip → host direction; resynchronises on the next `00 FF`. */
export class Pn532Parser {
  readonly stats: ParserStats = emptyStats();
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): Pn532Result[] {
    this.stats.bytes += chunk.length;
    const merged = new Uint8Array(this.buffer.length + chunk.length);
    merged.set(this.buffer);
    merged.set(chunk, this.buffer.length);
    const out: Pn532Result[] = [];
    let pos = 0;
    for (;;) {
      const start = findStartCode(merged, pos);
      if (start < 0) {
        // Keep a trailing 00: it may be the first half of a start code.
        const keep = merged.length > pos && merged[merged.length - 1] === 0x00 ? 1 : 0;
        this.discard(merged, pos, merged.length - keep);
        pos = merged.length - keep;
        break;
      }
      this.discard(merged, pos, start);
      const step = this.parseAt(merged, start, out);
      if (step === 0) {
        pos = start;
        break;
      }
      pos = start + step;
    }
    this.buffer = merged.slice(pos);
    return out;
  }

  private discard(b: Uint8Array, from: number, to: number): void {
    // Preamble and postamble zeros are framing, not noise.
    for (let i = from; i < to; i++) if (b[i] !== 0x00) this.stats.discardedBytes++;
  }

  /** Parses a frame whose start code is at `s`; returns bytes consumed, or 0 if incomplete. */
  private parseAt(b: Uint8Array, s: number, out: Pn532Result[]): number {
    const at = (i: number): number | undefined => b[s + i];
    const l0 = at(2);
    const l1 = at(3);
    if (l0 === undefined || l1 === undefined) return 0;
    if (l0 === 0x00 && l1 === 0xff) return this.emit(out, { type: 'ack' }, 4, b, s);
    if (l0 === 0xff && l1 === 0x00) return this.emit(out, { type: 'nack' }, 4, b, s);
    let len: number;
    let headerLength: number;
    if (l0 === 0xff && l1 === 0xff) {
      const hi = at(4);
      const lo = at(5);
      const lcs = at(6);
      if (hi === undefined || lo === undefined || lcs === undefined) return 0;
      if (((hi + lo + lcs) & 0xff) !== 0) return this.fail(out, 'length-checksum');
      len = (hi << 8) | lo;
      headerLength = 7;
    } else {
      if (((l0 + l1) & 0xff) !== 0) return this.fail(out, 'length-checksum');
      len = l0;
      headerLength = 4;
    }
    if (len === 0) return this.fail(out, 'length-checksum');
    const end = s + headerLength + len + 1; // + DCS
    if (b.length < end) return 0;
    const body = b.subarray(s + headerLength, s + headerLength + len);
    let sum = b[end - 1]!;
    for (const x of body) sum = (sum + x) & 0xff;
    if (sum !== 0) return this.fail(out, 'data-checksum');
    return this.emit(out, { type: 'frame', tfi: body[0]!, data: body.slice(1) }, headerLength + len + 1, b, s);
  }

  private emit(out: Pn532Result[], result: Pn532Result, length: number, b: Uint8Array, s: number): number {
    this.stats.frames++;
    out.push(result);
    return b[s + length] === 0x00 ? length + 1 : length; // postamble, when it has arrived
  }

  /** A corrupt header or body: count it and resume the search after this start code. */
  private fail(out: Pn532Result[], reason: 'length-checksum' | 'data-checksum'): number {
    this.stats.errors++;
    out.push({ type: 'error', reason });
    return 2;
  }
}

function findStartCode(b: Uint8Array, from: number): number {
  for (let i = from; i + 1 < b.length; i++) if (b[i] === 0x00 && b[i + 1] === 0xff) return i;
  return -1;
}
