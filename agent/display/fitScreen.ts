/**
 * Fits a screen's text to a display: each line of the screen offers variants from the fullest to
 * the shortest; the layout keeps the fullest text that fits the display's height, wrapping at spaces,
 * and pages what does not fit even in its shortest form. Nothing is cut off: a word longer than the
 * width (a URL, an e-mail address) is carried over in pieces, and a word that fits the width (every
 * number shown: "12.34", "1:05") is never split.
 */

/** One line of a screen, in variants from the fullest to the shortest. */
export interface ScreenLine {
  readonly variants: readonly string[];
}

const TRANSLITERATION: Readonly<Record<string, string>> = {
  ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss', '€': 'EUR', '£': 'GBP', '…': '...', '–': '-', '—': '-',
  '‘': "'", '’': "'", '‚': "'", '“': '"', '”': '"', '„': '"', '«': '"', '»': '"', ' ': ' ',
};

/** The text as a display with `charset` can show it: for `ascii`, umlauts spelled out (ä → ae), accents dropped, the rest `?`. */
export function toCharset(text: string, charset: 'ascii' | 'unicode'): string {
  if (charset === 'unicode') return text;
  return [...text]
    .map((c) => TRANSLITERATION[c] ?? c)
    .join('')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

/** Wraps at spaces into lines of at most `width` characters; a word longer than the width is carried over in pieces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line && line.length + 1 + word.length <= width) {
      line += ` ${word}`;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The pages of a screen on a `width` × `height` display: one page when the lines fit in some choice
 * of variants (fullest kept where possible: the tallest line is shortened first, the later one on a
 * tie), else spread over pages, each line in its fullest variant of the fewest display lines, none
 * split unless taller than a page.
 */
export function layout(lines: readonly ScreenLine[], width: number, height: number): string[][] {
  const usable = lines.filter((l) => l.variants.length > 0);
  const choice = usable.map(() => 0);
  const wrapped = (i: number): string[] => wrap(usable[i]!.variants[choice[i]!]!, width);
  const heights = usable.map((_, i) => wrapped(i).length);
  const total = (): number => heights.reduce((a, b) => a + b, 0);
  while (total() > height) {
    let best = -1;
    for (let i = 0; i < usable.length; i++) {
      if (choice[i]! >= usable[i]!.variants.length - 1) continue;
      if (best < 0 || heights[i]! >= heights[best]!) best = i;
    }
    if (best < 0) break;
    choice[best]!++;
    heights[best] = wrapped(best).length;
  }
  if (total() > height) {
    // Pages: each line in its fullest variant among those taking the fewest display lines.
    usable.forEach((l, i) => {
      const sizes = l.variants.map((v) => wrap(v, width).length);
      choice[i] = sizes.indexOf(Math.min(...sizes));
    });
  }
  const blocks = usable.map((_, i) => wrapped(i)).filter((b) => b.length > 0);
  const pages: string[][] = [];
  let page: string[] = [];
  for (const block of blocks) {
    if (page.length + block.length > height && page.length > 0) {
      pages.push(page);
      page = [];
    }
    for (let k = 0; k < block.length; k += height) {
      const part = block.slice(k, k + height);
      if (page.length + part.length > height) {
        pages.push(page);
        page = [];
      }
      page.push(...part);
    }
  }
  if (page.length > 0 || pages.length === 0) pages.push(page);
  return pages;
}

/** The pages of `lines` on a display: spelled in its charset, then laid out ({@link layout}). */
export function fit(lines: readonly ScreenLine[], display: { readonly width: number; readonly height: number; readonly charset: 'ascii' | 'unicode' }): string[][] {
  return layout(lines.map((l) => ({ variants: l.variants.map((v) => toCharset(v, display.charset)) })), display.width, display.height);
}
