import { describe, expect, it } from 'vitest';
import { encodeRapiCommand, parseRapiLine, RapiParser } from './RapiLine.js';

// Checksums written out (RAPI docs show `$GS^30`, `$FE^27`); the rest computed by hand.
describe('encodeRapiCommand', () => {
  it('appends the XOR checksum and the CR terminator', () => {
    expect(encodeRapiCommand('GS')).toBe('$GS^30\r');
    expect(encodeRapiCommand('FE')).toBe('$FE^27\r');
  });

  it('puts the sequence id before the checksum', () => {
    expect(encodeRapiCommand('SC', [16], 0x2a)).toBe('$SC 16 :2A^7A\r');
  });

  it('refuses a malformed command', () => {
    expect(() => encodeRapiCommand('gs')).toThrow(RangeError);
  });
});

describe('parseRapiLine', () => {
  it('decodes $OK with parameters, $NK, $AT and $AB', () => {
    expect(parseRapiLine('$OK 03 28 03 0200^28')).toEqual({ type: 'line', line: { command: 'OK', params: ['03', '28', '03', '0200'], checksum: 'xor' } });
    expect(parseRapiLine('$NK^21')).toEqual({ type: 'line', line: { command: 'NK', params: [], checksum: 'xor' } });
    expect(parseRapiLine('$AT 03 02 32 0200^33')).toMatchObject({ line: { command: 'AT', params: ['03', '02', '32', '0200'] } });
    expect(parseRapiLine('$AB 00 7.1.3^12')).toMatchObject({ line: { command: 'AB', params: ['00', '7.1.3'] } });
  });

  it('separates the echoed sequence id', () => {
    expect(parseRapiLine('$OK :2A^49')).toEqual({ type: 'line', line: { command: 'OK', params: [], seq: 0x2a, checksum: 'xor' } });
  });

  it('accepts the legacy 8-bit sum and lines without a checksum', () => {
    expect(parseRapiLine('$GS*BE')).toMatchObject({ line: { command: 'GS', checksum: 'sum' } });
    expect(parseRapiLine('$OK 16000 240000')).toMatchObject({ line: { params: ['16000', '240000'], checksum: 'none' } });
  });

  it('rejects a wrong checksum and malformed lines', () => {
    expect(parseRapiLine('$OK 03 28 03 0200^29')).toMatchObject({ type: 'error', reason: 'checksum' });
    expect(parseRapiLine('OK^00')).toMatchObject({ type: 'error', reason: 'syntax' });
    expect(parseRapiLine('$O^ZZ')).toMatchObject({ type: 'error', reason: 'syntax' });
  });
});

describe('RapiParser', () => {
  it('splits on CR, reassembles fragments and skips noise', () => {
    const p = new RapiParser();
    const chunks = ['\x00\xff$OK 03 2', '8 03 0200^28\r$A', 'T 03 02 32 0200^33\r\n'];
    const out = chunks.flatMap((c) => p.push(Buffer.from(c, 'latin1')));
    expect(out.map((r) => (r.type === 'line' ? r.line.command : r.reason))).toEqual(['OK', 'AT']);
    expect(p.stats).toMatchObject({ frames: 2, errors: 0, discardedBytes: 2 });
  });

  it('counts a corrupted line and recovers on the next one', () => {
    const p = new RapiParser();
    const out = p.push('$OK 03 28 0X 0200^28\r$NK^21\r');
    expect(out.map((r) => r.type)).toEqual(['error', 'line']);
    expect(p.stats.errors).toBe(1);
  });

  it('treats a line cut off by a new $ as an error and keeps the new line', () => {
    const p = new RapiParser();
    const out = p.push('$OK 03 2$AB 00 7.1.3^12\r');
    expect(out.map((r) => r.type)).toEqual(['error', 'line']);
  });

  it('drops a runaway line without a terminator', () => {
    const p = new RapiParser();
    expect(p.push(`$OK ${'x'.repeat(200)}`)).toEqual([{ type: 'error', reason: 'syntax', text: 'line too long' }]);
    expect(p.push('$NK^21\r')).toMatchObject([{ type: 'line' }]);
  });
});
