import { describe, expect, it } from 'vitest';
import { encodePn532Frame, Pn532Parser, PN532_ACK } from './Pn532Frame.js';

// Byte sequences as they appear on the wire (PN532 user manual §6.2 and captures), written out.
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ACK = hex('00 00 FF 00 FF 00');
const NACK = hex('00 00 FF FF 00 00');
const FIRMWARE = hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00'); // GetFirmwareVersion: PN532 v1.6
const TARGET_4 = hex('00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 12 34 56 78 BA 00'); // one target, uid 12345678
const TARGET_7 = hex('00 00 FF 0F F1 D5 4B 01 01 00 44 00 07 04 A2 B3 C4 D5 E6 F7 C4 00');
const SYNTAX_ERROR = hex('00 00 FF 01 FF 7F 81 00');

describe('encodePn532Frame', () => {
  it('encodes SAMConfiguration and InListPassiveTarget exactly as the manual shows', () => {
    expect(encodePn532Frame(0xd4, [0x14, 0x01, 0x14, 0x01])).toEqual(hex('00 00 FF 05 FB D4 14 01 14 01 02 00'));
    expect(encodePn532Frame(0xd4, [0x4a, 0x01, 0x00])).toEqual(hex('00 00 FF 04 FC D4 4A 01 00 E1 00'));
  });

  it('encodes an extended frame when LEN exceeds 254', () => {
    const frame = encodePn532Frame(0xd5, [0x40, 0x00, ...new Array<number>(300).fill(0)]);
    expect([...frame.subarray(0, 8)]).toEqual([0x00, 0x00, 0xff, 0xff, 0xff, 0x01, 0x2f, 0xd0]);
    expect([...frame.subarray(-2)]).toEqual([0xeb, 0x00]);
  });
});

describe('Pn532Parser', () => {
  it('recognises ACK, NACK and the application error frame', () => {
    const p = new Pn532Parser();
    expect(p.push(ACK)).toEqual([{ type: 'ack' }]);
    expect(p.push(NACK)).toEqual([{ type: 'nack' }]);
    expect(p.push(SYNTAX_ERROR)).toEqual([{ type: 'frame', tfi: 0x7f, data: new Uint8Array(0) }]);
  });

  it('decodes an ACK followed by the response in one chunk', () => {
    const out = new Pn532Parser().push(Uint8Array.from([...ACK, ...FIRMWARE]));
    expect(out).toEqual([{ type: 'ack' }, { type: 'frame', tfi: 0xd5, data: hex('03 32 01 06 07') }]);
  });

  it('reassembles frames delivered byte by byte', () => {
    const p = new Pn532Parser();
    const out = [...ACK, ...TARGET_7].flatMap((b) => p.push(Uint8Array.of(b)));
    expect(out).toEqual([{ type: 'ack' }, { type: 'frame', tfi: 0xd5, data: hex('4B 01 01 00 44 00 07 04 A2 B3 C4 D5 E6 F7') }]);
    expect(p.stats).toMatchObject({ frames: 2, errors: 0, discardedBytes: 0 });
  });

  it('decodes an extended frame', () => {
    const frame = encodePn532Frame(0xd5, [0x40, 0x00, ...new Array<number>(300).fill(7)]);
    const out = new Pn532Parser().push(frame);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: 'frame', tfi: 0xd5 });
    expect((out[0] as { data: Uint8Array }).data).toHaveLength(302);
  });

  it('skips noise before a frame and counts it (zeros are preamble, not noise)', () => {
    const p = new Pn532Parser();
    expect(p.push(Uint8Array.from([0x55, 0x55, 0x13, 0x00, 0x00, ...TARGET_4]))).toHaveLength(1);
    expect(p.stats.discardedBytes).toBe(3);
  });

  it('rejects a bad length checksum and resynchronises on the next frame', () => {
    const p = new Pn532Parser();
    const bad = Uint8Array.from(FIRMWARE);
    bad[4] = 0xfb;
    const out = p.push(Uint8Array.from([...bad, ...TARGET_4]));
    expect(out[0]).toEqual({ type: 'error', reason: 'length-checksum' });
    expect(out.at(-1)).toMatchObject({ type: 'frame', data: hex('4B 01 01 00 04 08 04 12 34 56 78') });
    expect(p.stats.errors).toBe(1);
  });

  it('rejects a bad data checksum and resynchronises', () => {
    const p = new Pn532Parser();
    const bad = Uint8Array.from(TARGET_4);
    bad[13] = 0x99; // one uid byte flipped on the line
    const out = p.push(Uint8Array.from([...bad, ...FIRMWARE]));
    expect(out[0]).toEqual({ type: 'error', reason: 'data-checksum' });
    expect(out.at(-1)).toMatchObject({ type: 'frame', data: hex('03 32 01 06 07') });
  });

  it('waits for the rest of a truncated frame, keeping a trailing 00', () => {
    const p = new Pn532Parser();
    expect(p.push(FIRMWARE.subarray(0, 1))).toEqual([]);
    expect(p.push(FIRMWARE.subarray(1, 7))).toEqual([]);
    expect(p.push(FIRMWARE.subarray(7))).toHaveLength(1);
    expect(PN532_ACK).toEqual(ACK);
  });
});
