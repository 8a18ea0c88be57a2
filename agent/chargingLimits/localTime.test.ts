/** Wall-clock conversions around Europe/Berlin's 2026 daylight-saving changes (29 March, 25 October). */
import { describe, expect, it } from 'vitest';
import { fromWall, isTimeZone, offsetAt, toWall } from './localTime.js';

const BERLIN = 'Europe/Berlin';
const H = 3_600_000;
const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('localTime', () => {
  it('knows IANA names and UTC, and refuses anything else', () => {
    expect(isTimeZone(BERLIN)).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/St_Johns')).toBe(true);
    expect(isTimeZone('Europe/Berlinn')).toBe(false);
    expect(isTimeZone('CET+1')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(' Europe/Berlin')).toBe(false);
  });

  it('reads the offset in winter, in summer and at the jumps', () => {
    expect(offsetAt(Date.parse('2026-01-15T12:00:00Z'), BERLIN)).toBe(H);
    expect(offsetAt(Date.parse('2026-07-15T12:00:00Z'), BERLIN)).toBe(2 * H);
    expect(offsetAt(Date.parse('2026-03-29T00:59:59Z'), BERLIN)).toBe(H);
    expect(offsetAt(Date.parse('2026-03-29T01:00:00Z'), BERLIN)).toBe(2 * H);
    expect(offsetAt(Date.parse('2026-10-25T00:59:59Z'), BERLIN)).toBe(2 * H);
    expect(offsetAt(Date.parse('2026-10-25T01:00:00Z'), BERLIN)).toBe(H);
    expect(offsetAt(Date.parse('2026-07-15T12:00:00Z'), 'America/St_Johns')).toBe(-2.5 * H);
  });

  it('turns local times back into instants, both ways round', () => {
    for (const iso of ['2026-01-15T18:00:00', '2026-03-28T18:00:00', '2026-03-29T18:00:00', '2026-10-25T06:00:00']) {
      expect(toWall(fromWall(wall(iso), BERLIN), BERLIN)).toBe(wall(iso));
    }
    expect(fromWall(wall('2026-03-29T18:00:00'), BERLIN)).toBe(Date.parse('2026-03-29T16:00:00Z'));
  });

  it('a skipped local time (spring forward) is the instant the clocks jump', () => {
    expect(fromWall(wall('2026-03-29T02:00:00'), BERLIN)).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(fromWall(wall('2026-03-29T02:30:00'), BERLIN)).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(fromWall(wall('2026-03-29T03:00:00'), BERLIN)).toBe(Date.parse('2026-03-29T01:00:00Z'));
    expect(fromWall(wall('2026-03-29T01:59:00'), BERLIN)).toBe(Date.parse('2026-03-29T00:59:00Z'));
  });

  it('a repeated local time (fall back) is its first occurrence', () => {
    expect(fromWall(wall('2026-10-25T02:30:00'), BERLIN)).toBe(Date.parse('2026-10-25T00:30:00Z'));
    expect(fromWall(wall('2026-10-25T03:00:00'), BERLIN)).toBe(Date.parse('2026-10-25T02:00:00Z'));
  });
});
