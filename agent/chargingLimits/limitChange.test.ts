import { describe, expect, it } from 'vitest';
import { significantChange } from './limitChange.js';

describe('significantChange (LimitChangeSignificance)', () => {
  it('is a change of more than the fraction of the value before, either way', () => {
    expect(significantChange(32, 30, 0.1)).toBe(false); // 6 %
    expect(significantChange(32, 28.8, 0.1)).toBe(false); // exactly 10 %: not more
    expect(significantChange(32, 28, 0.1)).toBe(true);
    expect(significantChange(16, 18, 0.1)).toBe(true); // up 12.5 %
    expect(significantChange(16, 16, 0)).toBe(false);
    expect(significantChange(16, 16.5, 0)).toBe(true);
  });

  it('from 0 any rise counts; an unreadable significance counts as 0', () => {
    expect(significantChange(0, 6, 1)).toBe(true);
    expect(significantChange(0, 0, 0.1)).toBe(false);
    expect(significantChange(16, 15, Number('x'))).toBe(true);
  });
});
