import { describe, expect, it } from 'vitest';
import { localClock, offsetAt, offsetMinutes } from './timeOffset.js';

describe('the local time shown to the driver (OCA TimeOffset keys)', () => {
  it.each([
    ['+01:00', 60],
    ['-08:00', -480],
    ['+05:30', 330],
    ['+00:00', 0],
    ['', 0],
  ])('%s is %i minutes', (offset, minutes) => {
    expect(offsetMinutes(offset)).toBe(minutes);
  });

  const keys = { timeOffset: '+01:00', transitionAt: '2026-03-29T01:00:00Z', nextOffset: '+02:00' };
  it('switches to TimeOffsetNextTransition at NextTimeOffsetTransitionDateTime', () => {
    expect(offsetAt(Date.parse('2026-03-29T00:59:59Z'), keys)).toBe(60);
    expect(offsetAt(Date.parse('2026-03-29T01:00:00Z'), keys)).toBe(120);
    expect(localClock(Date.parse('2026-03-29T00:30:00Z'), keys)).toBe('01:30');
    expect(localClock(Date.parse('2026-03-29T01:30:00Z'), keys)).toBe('03:30');
  });

  it('without a transition the offset stays; it wraps past midnight', () => {
    expect(localClock(Date.parse('2026-11-01T23:30:00Z'), { timeOffset: '+01:00', transitionAt: '', nextOffset: '' })).toBe('00:30');
    expect(localClock(Date.parse('2026-11-01T03:00:00Z'), { timeOffset: '-08:00', transitionAt: '', nextOffset: '-07:00' })).toBe('19:00');
  });
});
