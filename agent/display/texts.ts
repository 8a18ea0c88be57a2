/**
 * What the display says, per language: a catalogue of messages, each a list of variants from the
 * fullest to the shortest (the layout picks the longest that fits: ./fitScreen.ts), with
 * `{placeholders}` filled in by ./screens.ts. English and German; a language without a catalogue
 * falls back to the configured one, then to English.
 */
import { DE } from './texts.de.js';
import { EN } from './texts.en.js';

export type { Catalogue, ConnectorFault, FaultText, RefusalReason, Variants } from './catalogue.js';
export { refusalOf } from './catalogue.js';
import type { Catalogue, Variants } from './catalogue.js';

export const CATALOGUES = { en: EN, de: DE } as const satisfies Readonly<Record<string, Catalogue>>;
export type Language = keyof typeof CATALOGUES;
export const LANGUAGES: readonly Language[] = Object.keys(CATALOGUES) as Language[];

/**
 * The language to speak: the first of `wanted` (a session's, then the configured one) with a
 * catalogue, by its primary subtag (`de-AT` → `de`), else English.
 */
export function resolveLanguage(...wanted: readonly (string | undefined)[]): Language {
  for (const w of wanted) {
    const primary = w?.toLowerCase().split(/[-_]/)[0];
    if (primary && Object.hasOwn(CATALOGUES, primary)) return primary as Language;
  }
  return 'en';
}

/** The variants with `{name}` replaced by `values[name]`. */
export function fill(variants: Variants, values: Readonly<Record<string, string>> = {}): string[] {
  return variants.map((v) => v.replace(/\{(\w+)\}/g, (all, name: string) => values[name] ?? all));
}

/** A number in the language's notation with `digits` decimals (7.4 / 7,4), never grouped (a display has no room for 1,234). */
export function formatNumber(value: number, digits: number, language: Language): string {
  return new Intl.NumberFormat(language, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(value);
}

/** A duration as `12 min` or `1:05 h`. */
export function formatDuration(ms: number, language: Language): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const c = CATALOGUES[language];
  if (minutes < 60) return c.minutes.replace('{m}', String(minutes));
  return c.hoursMinutes.replace('{h}', String(Math.floor(minutes / 60))).replace('{mm}', String(minutes % 60).padStart(2, '0'));
}
