import { describe, expect, it } from 'vitest';
import { HAL_ERRORS } from '../../hal/index.js';
import { CONNECTOR_STATUSES } from '../ocpp16/vocabulary.js';
import { fit } from './fitScreen.js';
import { inLanguage, labelled, money, screenFor, type ChargerView, type ConnectorView } from './screens.js';
import { CATALOGUES, LANGUAGES, resolveLanguage, type ConnectorFault, type RefusalReason } from './texts.js';
import { DISPLAY_LANGUAGES } from '../ocpp16/configurationKeys.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const charger: ChargerView = { now: NOW, online: true, readerFault: false, support: { phone: '+49 30 1234567', email: 'help@charge.example', web: 'charge.example/help' }, language: 'en' };
const base: ConnectorView = { connectorId: 1, status: 'Available', faults: [], pilot: 'A' };
const session = { startedAt: NOW - 65 * 60_000, energyWh: 12_345, powerW: 11_040 };
/** The first page of a screen on a 40x8 display (nothing shortened): what the driver reads. */
const text = (v: ConnectorView, c: ChargerView = charger): string[] => fit(screenFor(v, c).lines, { width: 40, height: 8, charset: 'unicode' })[0]!;

describe('the screen for every connector state (English, 40x8)', () => {
  it.each<[string, Partial<ConnectorView>, Partial<ChargerView>, string[], string, string | undefined]>([
    ['Available: how to start', {}, {}, ['Ready to charge', 'Tap card, use the app or plug in'], 'action', 'start'],
    ['Available offline: the app cannot start it', {}, { online: false }, ['Ready to charge', 'Offline: tap your card to start'], 'action', undefined],
    ['Available, card reader down', {}, { readerFault: true }, ['Ready to charge', 'Card reader out of order: use the app'], 'action', 'start'],
    ['Preparing, vehicle plugged in, not authorized', { status: 'Preparing', pilot: 'B' }, {}, ['Vehicle connected', 'Tap card or use the app to start'], 'action', 'start'],
    ['Preparing, authorized, nothing plugged in', { status: 'Preparing', pilot: 'A' }, {}, ['Start authorized', 'Plug in your vehicle'], 'action', undefined],
    ['Preparing, transaction starting', { status: 'Preparing', pilot: 'B', session: { ...session, energyWh: 0, powerW: 0 } }, {}, ['Starting to charge', 'Please wait'], 'info', undefined],
    ['card being checked', {}, { card: { phase: 'checking' } }, ['Checking your card', 'Please wait'], 'info', undefined],
    ['Charging before the transaction is recorded', { status: 'Charging', pilot: 'C' }, {}, ['Starting to charge', 'Please wait'], 'info', undefined],
    ['Charging: kW, kWh, time', { status: 'Charging', pilot: 'C', session }, {}, ['Charging 11.0 kW', '12.35 kWh charged', 'Time 1:05 h'], 'charging', undefined],
    ['Charging with a cost so far', { status: 'Charging', pilot: 'C', session: { ...session, cost: { amount: 4.321, decimals: 2, currency: 'EUR' } } }, {}, ['Charging 11.0 kW', '12.35 kWh charged', 'Time 1:05 h', 'Cost so far 4.32 EUR'], 'charging', undefined],
    ['Charging offline: the estimate from the default price', { status: 'Charging', pilot: 'C', session: { ...session, cost: { amount: 4.3, decimals: 2, currency: 'EUR', estimate: true } } }, {}, ['Charging 11.0 kW', '12.35 kWh charged', 'Time 1:05 h', 'Estimated cost 4.30 EUR'], 'charging', undefined],
    ['Charging with a price change announced (local time)', { status: 'Charging', pilot: 'C', session: { ...session, cost: { amount: 4, decimals: 0 }, nextPriceAt: '18:00' } }, {}, ['Charging 11.0 kW', '12.35 kWh charged', 'Time 1:05 h', 'Cost so far 4', 'New price from 18:00'], 'charging', undefined],
    ["Charging: the driver's price in the screen's language", { status: 'Charging', pilot: 'C', session, priceText: { text: '0.39 EUR/kWh', byLanguage: { de: '0,39 EUR/kWh', 'en-US': '0.39 EUR per kWh' } } }, {}, ['Charging 11.0 kW', '12.35 kWh charged', 'Time 1:05 h', '0.39 EUR per kWh'], 'charging', undefined],
    ['SuspendedEV: paused by the vehicle', { status: 'SuspendedEV', pilot: 'B', session }, {}, ['Paused by the vehicle', 'Battery full or vehicle timer', '12.35 kWh charged', 'Time 1:05 h'], 'warning', undefined],
    ['SuspendedEVSE: paused by a grid/current limit', { status: 'SuspendedEVSE', pilot: 'B', session }, {}, ['Paused: power limit', 'Resumes when the grid allows', '12.35 kWh charged', 'Time 1:05 h'], 'warning', undefined],
    ['SuspendedEVSE: paused by thermal derating', { status: 'SuspendedEVSE', pilot: 'B', session, warm: true }, {}, ['Paused: charger too warm', 'Resumes once it has cooled', '12.35 kWh charged', 'Time 1:05 h'], 'warning', undefined],
    ['Charging with less power: thermal derating', { status: 'Charging', pilot: 'C', session, warm: true }, {}, ['Charging 11.0 kW', 'Less power: charger warm', '12.35 kWh charged', 'Time 1:05 h'], 'charging', undefined],
    ['Finishing: total and unplug', { status: 'Finishing', pilot: 'B', finished: { energyWh: 20_000, durationMs: 2 * 3600_000 + 5 * 60_000, cost: { amount: 7, decimals: 2, currency: 'EUR' } } }, {}, ['Charging finished', '20.00 kWh in 2:05 h', 'Total 7.00 EUR', 'Please unplug your vehicle'], 'action', undefined],
    ['Finishing: the idle fee runs until the vehicle leaves', { status: 'Finishing', pilot: 'B', finished: { energyWh: 20_000, durationMs: 2 * 3600_000 + 5 * 60_000, cost: { amount: 7.5, decimals: 2, currency: 'EUR' }, idleFee: true } }, {}, ['Charging finished', '20.00 kWh in 2:05 h', 'Cost so far 7.50 EUR', 'Idle fee running until you unplug', 'Please unplug your vehicle'], 'action', undefined],
    ['Finishing while the stop is being recorded: the cost so far, not yet a total', { status: 'Finishing', pilot: 'B', finished: { energyWh: 20_000, durationMs: 2 * 3600_000 + 5 * 60_000, cost: { amount: 7, decimals: 2, currency: 'EUR' }, provisional: true } }, {}, ['Charging finished', '20.00 kWh in 2:05 h', 'Cost so far 7.00 EUR', 'Please unplug your vehicle'], 'action', undefined],
    ['Finishing: the estimated total of an offline session', { status: 'Finishing', pilot: 'B', finished: { energyWh: 20_000, durationMs: 2 * 3600_000 + 5 * 60_000, cost: { amount: 7, decimals: 2, currency: 'EUR', estimate: true } } }, {}, ['Charging finished', '20.00 kWh in 2:05 h', 'Estimated total 7.00 EUR', 'Please unplug your vehicle'], 'action', undefined],
    ['Available after a session: the summary', { finished: { energyWh: 1500, durationMs: 20 * 60_000 } }, {}, ['Charging finished', '1.50 kWh in 20 min', 'Thank you'], 'info', undefined],
    ['Charging, the CSMS refused the identifier (NoCredit) and MaxEnergyOnInvalidId lets it draw on: why, last', { status: 'Charging', pilot: 'C', session, refusal: 'NoCredit' }, {}, ['Charging 11.0 kW', '12.35 kWh charged', 'Time 1:05 h', 'No credit left on your account'], 'warning', undefined],
    ['SuspendedEVSE, refused NotAtThisTime', { status: 'SuspendedEVSE', pilot: 'B', session, refusal: 'NotAtThisTime' }, {}, ['Paused: power limit', 'Resumes when the grid allows', '12.35 kWh charged', 'Time 1:05 h', 'Not allowed at this time'], 'warning', undefined],
    ['Finishing after a stop because the CSMS refused the identifier (NotAtThisLocation): why instead of finished', { status: 'Finishing', pilot: 'B', finished: { energyWh: 500, durationMs: 60_000, refusal: 'NotAtThisLocation' } }, {}, ['Not allowed at this charger', '0.50 kWh in 1 min', 'Please unplug your vehicle'], 'action', undefined],
    ['Reserved', { status: 'Reserved' }, {}, ['Reserved', 'Tap the reserving card'], 'info', undefined],
    ['Unavailable: out of service with the support contact', { status: 'Unavailable' }, {}, ['Out of service', 'Please use another charger', 'Help: +49 30 1234567', 'help@charge.example', 'charge.example/help'], 'warning', 'problem'],
    ['Unavailable while a firmware update waits to restart the charger: back shortly', { status: 'Unavailable', updating: true }, {}, ['Software update pending', 'Back in a few minutes', 'Help: +49 30 1234567', 'help@charge.example', 'charge.example/help'], 'warning', undefined],
    ['Faulted: the fault explained with the support contact', { status: 'Faulted', faults: ['GROUND_FAULT'] }, {}, ['Ground fault', 'Unplug; do not touch the cable', 'Help: +49 30 1234567', 'help@charge.example', 'charge.example/help'], 'fault', 'problem'],
    ['Faulted without a device fault (pilot E/F)', { status: 'Faulted' }, {}, ['Vehicle signal fault', 'Check the cable and plug in again', 'Help: +49 30 1234567', 'help@charge.example', 'charge.example/help'], 'fault', 'problem'],
  ])('%s', (_name, view, chargerView, lines, tone, qr) => {
    const c = { ...charger, ...chargerView };
    const v = { ...base, ...view };
    expect(text(v, c)).toEqual(lines);
    expect(screenFor(v, c).tone).toBe(tone);
    expect(screenFor(v, c).qr).toBe(qr);
  });

  it('covers every OCPP connector status', () => {
    for (const status of CONNECTOR_STATUSES) expect(text({ ...base, status, ...(status.startsWith('Suspended') || status === 'Charging' ? { session } : {}) }).length).toBeGreaterThan(1);
  });

  it('without a support contact configured, fault screens carry none', () => {
    expect(text({ ...base, status: 'Faulted', faults: ['OVER_CURRENT'] }, { ...charger, support: {} })).toEqual(['Overcurrent', 'The vehicle drew too much current']);
  });
});

describe('every fault and refusal has a human explanation in every language', () => {
  const faults = [...Object.keys(HAL_ERRORS), 'PILOT_ERROR', 'VENTILATION_REFUSED'] as ConnectorFault[];
  it.each(LANGUAGES.flatMap((lang) => faults.map((fault) => [lang, fault] as const)))('%s: %s', (lang, fault) => {
    const s = screenFor({ ...base, status: 'Faulted', faults: [fault] }, { ...charger, language: lang });
    const t = CATALOGUES[lang].faults[fault];
    expect(s.lines[0]!.variants).toEqual(t.title);
    expect(s.lines[1]!.variants).toEqual(t.explanation);
    expect(s.lines.length).toBe(5); // title, explanation, phone, e-mail, web
    for (const v of [...t.title, ...t.explanation]) expect(v.trim().length).toBeGreaterThan(0);
    // The shortest form fits a 16-character LCD row.
    expect(Math.min(...t.title.map((v) => v.length))).toBeLessThanOrEqual(16);
    expect(Math.min(...t.explanation.map((v) => v.length))).toBeLessThanOrEqual(16);
  });

  const reasons: RefusalReason[] = ['Blocked', 'Expired', 'Invalid', 'ConcurrentTx', 'NoCredit', 'NotAtThisLocation', 'NotAtThisTime', 'NotAllowedTypeEVSE', 'Unknown', 'OfflineUnknown', 'NoConnector', 'Reserved'];
  it.each(LANGUAGES.flatMap((lang) => reasons.map((reason) => [lang, reason] as const)))('card refused, %s: %s', (lang, reason) => {
    const s = screenFor(base, { ...charger, language: lang, card: { phase: 'refused', reason } });
    expect(s.lines[0]!.variants).toEqual(CATALOGUES[lang].refused[reason]);
    expect(s.qr).toBe('pay');
    expect(s.tone).toBe('warning');
  });

  it('SupportedLanguages (the OCPP key) are exactly the languages with texts', () => {
    expect([...DISPLAY_LANGUAGES]).toEqual([...LANGUAGES]);
  });

  it('English and German name the same messages (no key missing in one)', () => {
    expect(Object.keys(CATALOGUES.de).sort()).toEqual(Object.keys(CATALOGUES.en).sort());
    expect(Object.keys(CATALOGUES.de.faults).sort()).toEqual(Object.keys(CATALOGUES.en.faults).sort());
  });
});

describe('fitting every screen to every display', () => {
  const views: ConnectorView[] = [
    base,
    { ...base, status: 'Preparing', pilot: 'B' },
    { ...base, status: 'Charging', pilot: 'C', session: { ...session, energyWh: 123_456.7, powerW: 22_080, cost: { amount: 1234.56, decimals: 2, currency: 'EUR', estimate: true }, nextPriceAt: '23:30' } },
    { ...base, status: 'SuspendedEVSE', pilot: 'B', session },
    { ...base, status: 'Finishing', finished: { energyWh: 99_999, durationMs: 11 * 3600_000, cost: { amount: 123.45, decimals: 2, currency: 'EUR' }, idleFee: true } },
    { ...base, status: 'Finishing', finished: { energyWh: 99_999, durationMs: 11 * 3600_000, cost: { amount: 123.45, decimals: 2, currency: 'EUR', estimate: true } } },
    ...Object.keys(HAL_ERRORS).map((f) => ({ ...base, status: 'Faulted' as const, faults: [f as ConnectorFault] })),
  ];
  const displays = [
    { width: 16, height: 2, charset: 'ascii' as const },
    { width: 20, height: 4, charset: 'ascii' as const },
    { width: 20, height: 4, charset: 'unicode' as const },
    { width: 40, height: 8, charset: 'unicode' as const },
  ];
  it.each(LANGUAGES.flatMap((lang) => displays.map((d) => [lang, d] as const)))('%s on %o: every line fits, ASCII displays get ASCII, numbers stay whole', (lang, d) => {
    for (const v of views) {
      const screen = labelled(screenFor(v, { ...charger, language: lang }), 2);
      const pages = fit(screen.lines, d);
      for (const page of pages) {
        expect(page.length).toBeLessThanOrEqual(d.height);
        for (const l of page) {
          expect(l.length).toBeLessThanOrEqual(d.width);
          if (d.charset === 'ascii') expect(l).toMatch(/^[\x20-\x7e]*$/);
        }
      }
      const shown = pages.flat().join(' ');
      for (const number of ['123,46', '123.46', '22,1', '22.1', '1234,56', '99,999', '100,00', '100.00'].filter((n) => screen.lines.some((l) => l.variants.some((x) => x.includes(n))))) {
        expect(shown).toContain(number);
      }
    }
  });
});

describe('language', () => {
  it.each([
    ['the session language wins', ['de', 'en'], 'de'],
    ['a regional tag uses its language', ['de-AT', 'en'], 'de'],
    ['a session language without texts falls back to the configured one', ['fr', 'de'], 'de'],
    ['no known language: English', ['fr', 'xx'], 'en'],
    ['nothing given: English', [undefined, undefined], 'en'],
  ])('%s', (_name, wanted, expected) => {
    expect(resolveLanguage(...wanted)).toBe(expected);
  });

  it('a driver whose session language is German reads German on a charger configured in English; numbers in German notation', () => {
    expect(text({ ...base, status: 'Charging', pilot: 'C', session, language: 'de' })).toEqual(['Lädt mit 11,0 kW', '12,35 kWh geladen', 'Dauer 1:05 h']);
  });

  it('a shared display says which connector a screen is for', () => {
    expect(fit(labelled(screenFor(base, charger), 2).lines, { width: 40, height: 2, charset: 'unicode' })[0]![0]).toBe('2: Ready to charge');
  });
});

describe('costs and the CSMS texts in the screen language', () => {
  it('writes a cost with NumberOfDecimalsForCostValues decimals in the language, with the currency when known', () => {
    expect(money({ amount: 1.005, decimals: 2 }, 'en')).toBe('1.01');
    expect(money({ amount: 12.3456, decimals: 3, currency: 'EUR' }, 'de')).toBe('12,346 EUR');
    expect(money({ amount: 7, decimals: 0 }, 'en')).toBe('7');
  });

  it.each([
    ['de', 'Preis'],
    ['de-AT', 'Preis'],
    ['en', 'Price (en)'],
    ['fr', 'Price'],
  ])('picks the text for %s by its primary subtag, else the default', (lang, expected) => {
    expect(inLanguage({ text: 'Price', byLanguage: { 'de-DE': 'Preis', en: 'Price (en)' } }, lang)).toBe(expected);
  });

  it("a German driver on an English charger reads the CSMS's German text and German numbers", () => {
    const v: ConnectorView = { ...base, status: 'Charging', pilot: 'C', language: 'de', session: { ...session, cost: { amount: 4.5, decimals: 2, currency: 'EUR' } }, priceText: { text: '0.39 EUR/kWh', byLanguage: { de: '0,39 EUR/kWh' } } };
    expect(text(v)).toEqual(['Lädt mit 11,0 kW', '12,35 kWh geladen', 'Dauer 1:05 h', 'Bisher 4,50 EUR', '0,39 EUR/kWh']);
  });
});
