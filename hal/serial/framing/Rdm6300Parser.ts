/**
 * RDM6300-style 125 kHz reader frames: STX, 10 ASCII hex (version byte + 4-byte tag), 2 ASCII
 * hex XOR checksum over the 5 decoded bytes, ETX. Pure: bytes in, frames and errors out.
 * Debouncing the repeats of a held card is the driver's job.
 */
import { emptyStats, type ParserStats } from './ParserStats.js';

const STX = 0x02;
const ETX = 0x03;
/** STX + 10 data + 2 checksum + ETX. */
export const RDM6300_FRAME_LENGTH = 14;

export type Rdm6300Result =
  | { type: 'tag'; /** 10 upper-case hex characters: version byte + 4-byte tag. */ uid: string }
  | { type: 'error'; reason: 'checksum' | 'characters' | 'length' };

const HEX = /^[0-9A-Fa-f]{12}$/;

/** Incremental RDM6300 frame parser; feed it whatever chunks the port delivers. */
export class Rdm6300Parser {
  readonly stats: ParserStats = emptyStats();
  private buffer: number[] = [];

  push(chunk: Uint8Array): Rdm6300Result[] {
    const out: Rdm6300Result[] = [];
    this.stats.bytes += chunk.length;
    for (const byte of chunk) {
      if (this.buffer.length === 0) {
        if (byte === STX) this.buffer.push(byte);
        else this.stats.discardedBytes++;
        continue;
      }
      if (byte === STX) {
        // A new frame starts before the old one ended: the old one was truncated.
        this.reject(out, 'length');
        this.buffer.push(byte);
        continue;
      }
      this.buffer.push(byte);
      if (byte === ETX) {
        out.push(this.decode());
        this.buffer = [];
      } else if (this.buffer.length >= RDM6300_FRAME_LENGTH) {
        this.reject(out, 'length');
      }
    }
    return out;
  }

  private reject(out: Rdm6300Result[], reason: 'length'): void {
    this.stats.errors++;
    this.buffer = [];
    out.push({ type: 'error', reason });
  }

  private decode(): Rdm6300Result {
    const body = this.buffer.slice(1, -1);
    if (body.length !== 12) return this.error('length');
    const text = String.fromCharCode(...body);
    if (!HEX.test(text)) return this.error('characters');
    let xor = 0;
    for (let i = 0; i < 10; i += 2) xor ^= parseInt(text.slice(i, i + 2), 16);
    if (xor !== parseInt(text.slice(10, 12), 16)) return this.error('checksum');
    this.stats.frames++;
    return { type: 'tag', uid: text.slice(0, 10).toUpperCase() };
  }

  private error(reason: 'checksum' | 'characters' | 'length'): Rdm6300Result {
    this.stats.errors++;
    return { type: 'error', reason };
  }
}
