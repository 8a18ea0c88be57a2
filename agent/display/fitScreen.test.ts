import { describe, expect, it } from 'vitest';
import { fit, layout, toCharset, wrap } from './fitScreen.js';

describe('fitting text to a display', () => {
  it.each([
    ['short text stays on one line', 'Ready', 16, ['Ready']],
    ['wraps at spaces', 'Tap card or use app', 16, ['Tap card or use', 'app']],
    ['a number that fits the width is never split', 'Charged 1234.56 kWh', 10, ['Charged', '1234.56', 'kWh']],
    ['a word longer than the width is carried over in pieces, nothing dropped', 'help@charge.example.com', 16, ['help@charge.exam', 'ple.com']],
    ['runs of spaces collapse', '  a   b ', 16, ['a b']],
  ])('wrap: %s', (_name, text, width, expected) => {
    expect(wrap(text, width)).toEqual(expected);
  });

  it('keeps the fullest variants that fit; shortens the tallest line first', () => {
    const lines = [{ variants: ['Vehicle connected', 'EV connected'] }, { variants: ['Tap card or use the app to start', 'Tap card or use app', 'Card or app'] }];
    expect(layout(lines, 20, 4)).toEqual([['Vehicle connected', 'Tap card or use the', 'app to start']]);
    expect(layout(lines, 16, 2)).toEqual([['EV connected', 'Card or app']]);
    expect(layout(lines, 40, 2)).toEqual([['Vehicle connected', 'Tap card or use the app to start']]);
  });

  it('pages what does not fit even in its shortest form, each line in its fullest variant of the fewest display lines', () => {
    const lines = [{ variants: ['Charging 11.0 kW', '11.0 kW'] }, { variants: ['12.34 kWh charged', '12.34 kWh'] }, { variants: ['Time 1:05 h', '1:05 h'] }];
    expect(layout(lines, 16, 2)).toEqual([['Charging 11.0 kW', '12.34 kWh'], ['Time 1:05 h']]);
  });

  it('a single line taller than a page is split over pages, never cut', () => {
    expect(layout([{ variants: ['one two three four five six'] }], 8, 2)).toEqual([['one two', 'three'], ['four', 'five six']]);
  });

  it('an empty screen is one empty page', () => {
    expect(layout([], 16, 2)).toEqual([[]]);
  });

  it.each([
    ['German umlauts are spelled out', 'Fahrzeug anschließen, Gebühr', 'Fahrzeug anschliessen, Gebuehr'],
    ['accents are dropped', 'Café, crème', 'Cafe, creme'],
    ['currency signs become codes', '0,30 €/kWh', '0,30 EUR/kWh'],
    ['what has no ASCII form becomes ?', 'Ⓟ ok', '? ok'],
  ])('ASCII displays: %s', (_name, text, expected) => {
    expect(toCharset(text, 'ascii')).toBe(expected);
    expect(toCharset(text, 'unicode')).toBe(text);
  });

  it('fits after spelling: a German line that grows by its umlauts still fits the width', () => {
    const pages = fit([{ variants: ['Bitte Fahrzeug anschließen', 'Fahrzeug anschließen', 'Einstecken'] }], { width: 16, height: 1, charset: 'ascii' });
    expect(pages).toEqual([['Einstecken']]);
  });
});
