import { describe, expect, it } from 'vitest';
import { Rdm6300Parser } from './Rdm6300Parser.js';

// Real frames: checksums computed by hand (XOR of the five data bytes), written out literally.
const frame = (text: string): Buffer => Buffer.concat([Buffer.from([0x02]), Buffer.from(text, 'ascii'), Buffer.from([0x03])]);
const CARD_A = frame('0F0019F9D837'); // 0F^00^19^F9^D8 = 37
const CARD_B = frame('1E009A4D3CF5');

describe('Rdm6300Parser', () => {
  it('decodes a whole frame to the 10-character uid', () => {
    const p = new Rdm6300Parser();
    expect(p.push(CARD_A)).toEqual([{ type: 'tag', uid: '0F0019F9D8' }]);
    expect(p.stats).toEqual({ bytes: 14, frames: 1, errors: 0, discardedBytes: 0 });
  });

  it('accepts lower-case hex and reports upper case', () => {
    expect(new Rdm6300Parser().push(frame('1e009a4d3cf5'))).toEqual([{ type: 'tag', uid: '1E009A4D3C' }]);
  });

  it('reassembles a frame delivered one byte at a time', () => {
    const p = new Rdm6300Parser();
    const out = [...CARD_B].flatMap((b) => p.push(Uint8Array.of(b)));
    expect(out).toEqual([{ type: 'tag', uid: '1E009A4D3C' }]);
  });

  it('decodes back-to-back repeats of a held card as separate frames', () => {
    const p = new Rdm6300Parser();
    expect(p.push(Buffer.concat([CARD_A, CARD_A, CARD_A])).map((r) => r.type)).toEqual(['tag', 'tag', 'tag']);
  });

  it('skips noise between frames and counts it', () => {
    const p = new Rdm6300Parser();
    const out = p.push(Buffer.concat([Buffer.from([0xff, 0x00, 0x41]), CARD_A, Buffer.from([0x0d, 0x0a]), CARD_B]));
    expect(out.map((r) => (r.type === 'tag' ? r.uid : r.reason))).toEqual(['0F0019F9D8', '1E009A4D3C']);
    expect(p.stats.discardedBytes).toBe(5);
    expect(p.stats.errors).toBe(0);
  });

  it('rejects a wrong checksum and recovers on the next frame', () => {
    const p = new Rdm6300Parser();
    expect(p.push(frame('0F0019F9D838'))).toEqual([{ type: 'error', reason: 'checksum' }]);
    expect(p.push(CARD_A)).toEqual([{ type: 'tag', uid: '0F0019F9D8' }]);
    expect(p.stats).toMatchObject({ frames: 1, errors: 1 });
  });

  it('rejects non-hex characters and a short frame', () => {
    const p = new Rdm6300Parser();
    expect(p.push(frame('0F0019F9D8ZZ'))).toEqual([{ type: 'error', reason: 'characters' }]);
    expect(p.push(frame('0F0019F9D8'))).toEqual([{ type: 'error', reason: 'length' }]);
    expect(p.stats.errors).toBe(2);
  });

  it('resynchronises on an STX inside a truncated frame', () => {
    const p = new Rdm6300Parser();
    const truncated = CARD_B.subarray(0, 7);
    const out = p.push(Buffer.concat([truncated, CARD_A]));
    expect(out).toEqual([{ type: 'error', reason: 'length' }, { type: 'tag', uid: '0F0019F9D8' }]);
  });

  it('gives up on a frame whose ETX never comes and resynchronises', () => {
    const p = new Rdm6300Parser();
    const runaway = Buffer.concat([Buffer.from([0x02]), Buffer.from('0F0019F9D83741', 'ascii')]);
    const out = p.push(Buffer.concat([runaway, CARD_B]));
    expect(out[0]).toEqual({ type: 'error', reason: 'length' });
    expect(out.at(-1)).toEqual({ type: 'tag', uid: '1E009A4D3C' });
  });
});
