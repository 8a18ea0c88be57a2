/**
 * What the display says, per language: a catalogue of messages, each a list of variants from the
 * fullest to the shortest (the layout picks the longest that fits: ./fitScreen.ts), with
 * `{placeholders}` filled in by ./screens.ts. English and German; a language without a catalogue
 * falls back to the configured one, then to English.
 */
import type { HalErrorCode } from '../../hal/index.js';
import { DE } from './texts.de.js';
import { EN } from './texts.en.js';

/** Variants of one message, fullest first. */
export type Variants = readonly string[];

/** Why a card was refused (an idTagInfo status, or no decision possible offline). */
export type RefusalReason = 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx' | 'OfflineUnknown' | 'NoConnector';

/** A fault title and its explanation for the driver. */
export interface FaultText {
  readonly title: Variants;
  readonly explanation: Variants;
}

/** Faults that are not HAL errors: a pilot in E/F without a device fault, state D without ventilation. */
export type ConnectorFault = HalErrorCode | 'PILOT_ERROR' | 'VENTILATION_REFUSED';

export interface Catalogue {
  readonly ready: Variants;
  readonly startHint: Variants;
  readonly startHintOffline: Variants;
  readonly startHintNoReader: Variants;
  readonly evConnected: Variants;
  readonly startHintPlugged: Variants;
  readonly cardAccepted: Variants;
  readonly plugIn: Variants;
  readonly starting: Variants;
  readonly checkingCard: Variants;
  readonly pleaseWait: Variants;
  readonly refused: Readonly<Record<RefusalReason, Variants>>;
  readonly refusedHint: Variants;
  /** {power} */
  readonly charging: Variants;
  /** {energy} */
  readonly energy: Variants;
  /** {time} */
  readonly elapsed: Variants;
  /** {cost} */
  readonly costSoFar: Variants;
  readonly pausedByVehicle: Variants;
  readonly pausedByVehicleHint: Variants;
  readonly pausedByLimit: Variants;
  readonly pausedByLimitHint: Variants;
  readonly finished: Variants;
  /** {energy} {time} */
  readonly finishedEnergy: Variants;
  /** {cost} */
  readonly total: Variants;
  readonly unplug: Variants;
  readonly thanks: Variants;
  readonly reserved: Variants;
  readonly reservedHint: Variants;
  readonly unavailable: Variants;
  readonly unavailableHint: Variants;
  readonly faults: Readonly<Record<ConnectorFault, FaultText>>;
  /** {phone} */
  readonly phone: Variants;
  /** {email} */
  readonly email: Variants;
  /** {web} */
  readonly web: Variants;
  /** Prefix of the first line on a display shared by connectors: {n} */
  readonly connectorPrefix: Variants;
  /** Minutes only, {m}; hours and minutes, {h} {mm}. */
  readonly minutes: string;
  readonly hoursMinutes: string;
}

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
