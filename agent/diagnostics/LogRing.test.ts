import { describe, expect, it } from 'vitest';
import { LogRing } from './LogRing.js';

describe('LogRing', () => {
  it('keeps whole lines, newest last, and drops the oldest beyond its byte bound', () => {
    const ring = new LogRing(30);
    ring.write('aaaaaaaaa\nbbbbbbbbb\n');
    ring.write('ccccccccc\n');
    expect(ring.snapshot()).toEqual(['aaaaaaaaa', 'bbbbbbbbb', 'ccccccccc']);
    ring.write('ddddddddd\n');
    expect(ring.snapshot()).toEqual(['bbbbbbbbb', 'ccccccccc', 'ddddddddd']);
  });

  it('stays bounded over many lines', () => {
    const ring = new LogRing(1000);
    for (let i = 0; i < 10_000; i++) ring.write(`{"time":${i},"msg":"line ${i}"}\n`);
    const lines = ring.snapshot();
    expect(lines.join('\n').length).toBeLessThanOrEqual(1000);
    expect(lines.at(-1)).toBe('{"time":9999,"msg":"line 9999"}');
  });
});
