import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { issuesOf } from '../../test/support/settingsIssues.js';
import { parseSettings } from './settings.js';

function withDisplay(display: Record<string, unknown>, hal?: Record<string, unknown>): Record<string, unknown> {
  const tree = YAML.parse(readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  tree.chargePoint!.firmwareVersion = '1.2.3';
  tree.display = { ...tree.display, ...display };
  if (hal) tree.hal = { ...tree.hal, ...hal };
  return tree;
}

describe('display settings', () => {
  it('the defaults: no display, English, no support contact, no QR codes', () => {
    expect(parseSettings(withDisplay({})).display).toEqual({ type: 'none', width: 20, height: 4, language: 'en', support: {}, qrUrl: '', pageMs: 4000, currency: '' });
  });

  it('takes a full configuration; empty contact fields (blank variables) mean not set', () => {
    const d = parseSettings(withDisplay({ type: 'console', language: 'de', support: { phone: '+49 30 1234567', email: '', web: 'charge.example/help' }, qrUrl: 'https://charge.example/{chargePointId}/{connectorId}?do={action}' })).display;
    expect(d).toMatchObject({ type: 'console', language: 'de', support: { phone: '+49 30 1234567', web: 'charge.example/help' } });
    expect(d.support.email).toBeUndefined();
  });

  it.each([
    ['an unknown type', { type: 'oled' }, 'display.type', /^expected "none", "sim", "console", "rapi" .*, got "oled"$/],
    ['a language without texts', { language: 'fr' }, 'display.language', /^expected a language with texts: en, de, got "fr"$/],
    ['a display too narrow', { width: 8 }, 'display.width', /^expected an integer from 16 to 80 .*, got 8$/],
    ['a malformed e-mail address', { support: { email: 'help at example' } }, 'display.support.email', /^expected an e-mail address .*, got "help at example"$/],
    ['an unknown key in support', { support: { fax: '123' } }, 'display.support.fax', /^unknown key$/],
    ['an unknown placeholder in the QR URL', { qrUrl: 'https://x.example/{station}/{connectorId}' }, 'display.qrUrl', /^expected only the placeholders \{chargePointId\}, \{connectorId\}, \{action\} \(unknown: \{station\}\), got ".*"$/],
    ['a QR URL that is not http(s)', { qrUrl: 'ftp://x.example/{connectorId}' }, 'display.qrUrl', /^expected an http:\/\/ or https:\/\/ URL template, or empty .*/],
    ['a page time too short', { pageMs: 10 }, 'display.pageMs', /^expected an integer from 1000 to 60000 .*, got 10$/],
    ['a currency with a space', { currency: 'E U R' }, 'display.currency', /^expected a currency of at most 8 characters .*, got "E U R"$/],
    ['the OpenEVSE LCD on a simulated charger', { type: 'rapi' }, 'display.type', /^expected "rapi" only with hal.driver "serial" .*, got "rapi"$/],
  ])('refuses %s, naming the key', (_name, display, path, message) => {
    expect(issuesOf(withDisplay(display))).toEqual([{ path, message: expect.stringMatching(message) }]);
  });
});
