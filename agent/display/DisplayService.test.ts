/**
 * The display service on a real Agent: virtual time, simulated hardware with a simulated display,
 * the embedded strict CSMS over a real socket on 127.0.0.1 (test/support/agentFixture.ts).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import { agentFixture, cleanupAgents, CP } from '../../test/support/agentFixture.js';
import { DISPLAY_DEFAULTS, DisplayService, type DisplaySettings } from './DisplayService.js';

const CARD = '04A1B2C3D4E5F6';
const SETTINGS: DisplaySettings = {
  ...DISPLAY_DEFAULTS,
  language: 'en',
  support: { phone: '+49 30 1234567', email: 'help@charge.example' },
  qrUrl: 'https://charge.example/{chargePointId}/{connectorId}?do={action}',
};
const services: DisplayService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) s.stop();
  await cleanupAgents();
});

async function withDisplay(options: { settings?: Partial<DisplaySettings>; width?: number; height?: number; connectors?: number; fixture?: Parameters<typeof agentFixture>[0] } = {}) {
  const f = await agentFixture({ ...options.fixture, charger: { connectors: options.connectors ?? 1, ...options.fixture?.charger } });
  const display = new SimDisplay({ id: 'display:0', width: options.width ?? 40, height: options.height ?? 6 });
  const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log: pino({ level: 'silent' }), settings: { ...SETTINGS, ...options.settings } });
  services.push(service);
  service.start();
  await f.advance(0);
  return { f, display, service, lines: () => display.content?.lines ?? [], shownLines: () => display.history.map((c) => c.lines[0]) };
}

const url = (connectorId: number, action: string) => `https://charge.example/${CP}/${connectorId}?do=${action}`;

describe('DisplayService: the driver display of a running charger', () => {
  it('a whole session: how to start, vehicle connected, card checked, charging with kW/kWh/time, finished with the total, thank you, ready again', async () => {
    const { f, display, lines, shownLines } = await withDisplay();
    expect(lines()).toEqual(['Ready to charge', 'Tap card, use the app or plug in']);
    expect(display.content?.qr).toBe(url(1, 'start'));
    expect(display.content?.tone).toBe('action');

    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(lines()).toEqual(['Vehicle connected', 'Tap card or use the app to start']);

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(shownLines()).toContain('Checking your card');
    await f.advance(10 * 60_000 + 5000, 5000);
    expect(lines()[0]).toMatch(/^Charging \d+\.\d kW$/);
    expect(lines()[1]).toMatch(/^\d+\.\d\d kWh charged$/);
    expect(lines()[2]).toBe('Time 10 min');
    expect(display.content?.tone).toBe('charging');
    expect(display.content?.qr).toBeUndefined();
    const charged = Number(/^([\d.]+)/.exec(lines()[1]!)![1]);
    expect(charged).toBeGreaterThan(1);

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(lines()[0]).toBe('Charging finished');
    expect(lines()[1]).toMatch(/^\d+\.\d\d kWh in 10 min$/);
    expect(lines().at(-1)).toBe('Please unplug your vehicle');
    const [stop] = f.sent('StopTransaction');
    const start = f.sent('StartTransaction')[0]!;
    expect(lines()[1]).toBe(`${((stop!.meterStop - start.meterStart) / 1000).toFixed(2)} kWh in 10 min`);

    f.sim.connectors[0]!.ev.unplug();
    await f.advance(1000);
    expect(lines()).toEqual(['Charging finished', expect.stringMatching(/kWh in 10 min$/), 'Thank you']);
    await f.advance(SETTINGS.summaryMs, 5000);
    expect(lines()).toEqual(['Ready to charge', 'Tap card, use the app or plug in']);
  });

  it('a refused card: why, what to do instead, the pay QR code and the support contact; the start screen after a while', async () => {
    const { f, display, lines } = await withDisplay();
    f.csms.setAuthorization({ [CARD]: { status: 'Blocked' } });
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(lines()).toEqual(['Card blocked', 'Use the app or another card', 'Help: +49 30 1234567', 'help@charge.example']);
    expect(display.content?.qr).toBe(url(1, 'pay'));
    await f.advance(SETTINGS.cardNewsMs, 1000);
    expect(lines()[0]).toBe('Ready to charge');
  });

  it('a card at a connector reserved for another driver: refused at once, and the screen says why', async () => {
    const { f, lines } = await withDisplay();
    const expiryDate = new Date(f.clock.now() + 3_600_000).toISOString();
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate, idTag: 'AABBCCDD', reservationId: 3 })).toEqual({ status: 'Accepted' });
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(lines()[0]).toBe('Reserved for another driver');
    expect(f.sent('Authorize')).toEqual([]);
  });

  it('a fault: the human explanation, the support contact and the report-a-problem QR code; back to normal once it clears', async () => {
    const { f, display, lines } = await withDisplay();
    f.sim.connectors[0]!.meter.stopAnswering();
    await f.advance(30_000, 1000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(lines()).toEqual(['Meter fault', 'Energy meter not responding', 'Help: +49 30 1234567', 'help@charge.example']);
    expect(display.content).toMatchObject({ tone: 'fault', qr: url(1, 'problem') });
    f.sim.connectors[0]!.meter.answerAgain();
    await f.advance(30_000, 1000);
    expect(lines()[0]).toBe('Ready to charge');
  });

  it('paused by the vehicle (SuspendedEV) and paused by the charger (SuspendedEVSE) read differently; a session started from the app', async () => {
    const { f, lines } = await withDisplay({ fixture: { ocpp: { StopTransactionOnInvalidId: false, MaxEnergyOnInvalidId: 100 } } });
    f.csms.setAuthorization({ GOOD: 'Accepted' }); // anything else is Invalid
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    // Started from the app: a remote start, answered Invalid afterwards, so the charger withholds power after 100 Wh.
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'APP-USER' })).toEqual({ status: 'Accepted' });
    await f.advance(5000);
    f.sim.connectors[0]!.ev.suspend();
    await f.advance(5000);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEV');
    expect(lines().slice(0, 2)).toEqual(['Paused by the vehicle', 'Battery full or vehicle timer']);
    f.sim.connectors[0]!.ev.resume();
    await f.advance(120_000, 1000);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEVSE');
    expect(lines().slice(0, 2)).toEqual(['Paused: power limit', 'Resumes when the grid allows']);
    expect(lines()[2]).toMatch(/^0\.1\d kWh charged$/);
  });

  it('a warm charger says why it charges with less power, a hot one why it pauses; back to normal once it has cooled', async () => {
    const { f, lines } = await withDisplay({ fixture: { charger: { temperatureC: 30 } } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(5000);
    expect(lines()[0]).toMatch(/^Charging \d/);
    const sensor = f.sim.connectors[0]!.temperature!;
    sensor.set(72);
    await f.advance(2000);
    expect(lines().slice(0, 2)).toEqual([expect.stringMatching(/^Charging \d/), 'Less power: charger warm']);
    sensor.set(85);
    await f.advance(5000);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEVSE');
    expect(lines().slice(0, 2)).toEqual(['Paused: charger too warm', 'Resumes once it has cooled']);
    sensor.set(35);
    await f.advance(5000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(lines()).not.toContain('Less power: charger warm');
  });

  it('offline, the idle screen asks for a card only (the app cannot start a session) and carries no start QR code', async () => {
    const { f, display, lines } = await withDisplay();
    await f.csms.stop();
    await f.advance(3000);
    expect(lines()).toEqual(['Ready to charge', 'Offline: tap your card to start']);
    expect(display.content?.qr).toBeUndefined();
  });

  it('German from the configuration, English for a driver whose session says so; fitted to a 16x2 LCD in pages', async () => {
    // As evse run seeds it: display.language is the initial value of the Language key.
    const { f, service, display, lines } = await withDisplay({ settings: { language: 'de' }, width: 16, height: 2, fixture: { ocpp: { Language: 'de' } } });
    expect(lines()).toEqual(['Bereit zum Laden', 'Karte oder App']);
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(5 * 60_000, 10_000);
    service.setSessionLanguage(1, 'en-GB');
    await f.advance(0);
    const pages = new Set<string>();
    for (let i = 0; i < 4; i++) {
      for (const l of display.content!.lines) expect(l.length).toBeLessThanOrEqual(16);
      pages.add(display.content!.lines.join('|'));
      await f.advance(SETTINGS.pageMs, SETTINGS.pageMs);
    }
    expect([...pages].some((p) => /^Charging \d+\.\d kW\|/.test(p))).toBe(true);
    expect([...pages].some((p) => p.includes('Time 5 min'))).toBe(true);
    service.setSessionCost(1, { amount: 1.234, decimals: 2, currency: 'EUR' });
    const withCost: string[] = [];
    for (let i = 0; i < 4; i++) {
      withCost.push(...display.content!.lines);
      await f.advance(SETTINGS.pageMs, SETTINGS.pageMs);
    }
    expect(withCost).toContain('Cost 1.23 EUR');
  });

  it('the CSMS sets the language (Language, one of SupportedLanguages) and the price for everyone (DefaultPrice, its offline text while offline)', async () => {
    const { f, lines } = await withDisplay();
    expect(await f.csms.call(CP, 'GetConfiguration', { key: ['Language', 'SupportedLanguages'] })).toMatchObject({
      configurationKey: [
        { key: 'Language', readonly: false, value: 'en' },
        { key: 'SupportedLanguages', readonly: true, value: 'en,de' },
      ],
    });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'Language', value: 'fr' })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'Language', value: 'de' })).toEqual({ status: 'Accepted' });
    await f.advance(0);
    expect(lines()[0]).toBe('Bereit zum Laden');
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'DefaultPrice', value: '{"priceText": 0.3}' })).toEqual({ status: 'Rejected' });
    const price = JSON.stringify({ priceText: '0,39 €/kWh', priceTextOffline: 'Offline: 0,45 €/kWh', chargingPrice: { kWhPrice: 0.45 } });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'DefaultPrice', value: price })).toEqual({ status: 'Accepted' });
    await f.advance(0);
    expect(lines()[0]).toBe('Bereit zum Laden');
    expect(lines().at(-1)).toBe('0,39 €/kWh');
    await f.csms.stop();
    await f.advance(3000);
    expect(lines()[0]).toBe('Bereit zum Laden');
    expect(lines().at(-1)).toBe('Offline: 0,45 €/kWh');
  });

  it('one display for two connectors cycles their screens, each labelled with its connector', async () => {
    const { f, lines } = await withDisplay({ connectors: 2, height: 2 });
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      seen.add(lines()[0]!);
      await f.advance(SETTINGS.pageMs, SETTINGS.pageMs);
    }
    expect([...seen].sort()).toEqual(['1: Ready to charge', '2: Ready to charge']);
  });

  it('a display that fails shows the current screen again once it is back', async () => {
    const { f, display, lines } = await withDisplay();
    display.fail();
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(display.shown).toBeUndefined();
    display.repair();
    expect(display.shown?.lines).toEqual(['Vehicle connected', 'Tap card or use the app to start']);
    expect(lines()[0]).toBe('Vehicle connected');
  });
});
