/** CRC-32 against the published check values (zlib / ITU-T V.42). */
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('crc32(%j) = %s', (text, expected) => {
    expect(crc32(Buffer.from(text))).toBe(expected);
  });

  it('changes when any single bit changes', () => {
    const data = Buffer.from('{"a":1,"e":{"kind":"start"}}');
    const base = crc32(data);
    for (let i = 0; i < data.length * 8; i++) {
      const flipped = Buffer.from(data);
      flipped[i >> 3]! ^= 1 << (i & 7);
      expect(crc32(flipped)).not.toBe(base);
    }
  });
});
