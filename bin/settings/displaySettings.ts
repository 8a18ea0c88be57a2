/**
 * The `display:` part of the settings (docs/display.md): which display faces the driver, its
 * language, the support contact and the QR URL template. Its schema and words, and the checks a
 * schema cannot make (placeholders of the URL template, a RAPI display without a RAPI board).
 */
import { LANGUAGES } from '../../agent/display/texts.js';
import { describe, integer, section, text, type ExpectedTable, type Schema, type SettingsIssue } from './settingsSchema.js';

export const DISPLAY_TYPES = ['none', 'sim', 'console', 'rapi'] as const;
export type DisplayType = (typeof DISPLAY_TYPES)[number];

/** The placeholders a QR URL template may use. */
export const QR_PLACEHOLDERS = ['chargePointId', 'connectorId', 'action'] as const;

export interface DisplaySettingsInput {
  /** `none`, `sim` (recorded only), `console` (drawn on standard output), `rapi` (the LCD of each connector's OpenEVSE board). */
  readonly type: DisplayType;
  /** Size of a `sim` or `console` display (an OpenEVSE LCD is 16x2). */
  readonly width: number;
  readonly height: number;
  readonly language: string;
  readonly support: { readonly phone?: string; readonly email?: string; readonly web?: string };
  /** URL template of the QR codes; empty: none. */
  readonly qrUrl: string;
  readonly pageMs: number;
  /** Shown after cost values (prices and costs from the CSMS); empty: none. */
  readonly currency: string;
}

export const DISPLAY_SCHEMA: Schema = section({
  type: { type: 'string', enum: DISPLAY_TYPES },
  width: integer(16, 80),
  height: integer(1, 24),
  language: { type: 'string', enum: LANGUAGES },
  support: section({ phone: text(40), email: { type: 'string', pattern: '^[^\\s@]+@[^\\s@]+$', maxLength: 254 }, web: text(200) }, ['phone', 'email', 'web']),
  qrUrl: { type: 'string', maxLength: 512 },
  pageMs: integer(1000, 60_000),
  currency: { type: 'string', maxLength: 8, pattern: '^\\S*$' },
});

export const DISPLAY_EXPECTED: ExpectedTable = {
  display: 'expected a section (display: type, width, height, language, support, qrUrl, pageMs, currency)',
  'display.type': `expected ${DISPLAY_TYPES.map((t) => `"${t}"`).join(', ')} (none: no display; sim: recorded only; console: drawn on standard output; rapi: the OpenEVSE LCD)`,
  'display.width': 'expected an integer from 16 to 80 (characters per line of a sim or console display)',
  'display.height': 'expected an integer from 1 to 24 (lines of a sim or console display)',
  'display.language': `expected a language with texts: ${LANGUAGES.join(', ')}`,
  'display.support': 'expected a section (support: phone, email, web; each optional)',
  'display.support.phone': 'expected a phone number of 1 to 40 characters',
  'display.support.email': 'expected an e-mail address (name@domain)',
  'display.support.web': 'expected a web address of 1 to 200 characters',
  'display.qrUrl': 'expected an http(s) URL template of at most 512 characters, or empty (no QR codes)',
  'display.pageMs': 'expected an integer from 1000 to 60000 (ms each page or message is shown)',
  'display.currency': 'expected a currency of at most 8 characters without spaces (e.g. EUR), or empty',
};

/** Empty strings (e.g. blank template variables) mean "not set". */
export const DISPLAY_EMPTY_MEANS_UNSET = ['display.support.phone', 'display.support.email', 'display.support.web'];

/** The checks the schema cannot make; `halDriver` is `hal.driver`. */
export function checkDisplay(display: DisplaySettingsInput, halDriver: string): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  if (display.type === 'rapi' && halDriver !== 'serial') issues.push(describe('display.type', 'expected "rapi" only with hal.driver "serial" (it is the LCD of the OpenEVSE boards)', display.type));
  const url = display.qrUrl;
  if (url !== '') {
    const unknown = [...url.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!).filter((p) => !(QR_PLACEHOLDERS as readonly string[]).includes(p));
    const probe = url.replace(/\{[^}]*\}/g, 'x');
    if (unknown.length > 0) issues.push(describe('display.qrUrl', `expected only the placeholders ${QR_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')} (unknown: ${unknown.map((p) => `{${p}}`).join(', ')})`, url));
    else if (!URL.canParse(probe) || !/^https?:$/.test(new URL(probe).protocol)) issues.push(describe('display.qrUrl', 'expected an http:// or https:// URL template, or empty (no QR codes)', url));
  }
  return issues;
}
