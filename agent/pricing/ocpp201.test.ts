/**
 * The display and pricing services' OCPP 2.0.1 face over a strict ocpp-rpc 2.0.1 CSMS on 127.0.0.1
 * (test/support/agent201Fixture.ts): display messages (O01–O05: Set/Get/ClearDisplayMessage,
 * NotifyDisplayMessages pages) and tariff and cost (I01–I05: personalMessage, totalCost with the
 * California Pricing customData, CostUpdated, the fallback messages), shown on a simulated display.
 * Here rather than in agent/ocpp/v201, as agent/ocpp may not import agent/display or agent/pricing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../test/support/agent201Fixture.js';
import { agentFixture, cleanupAgents, CP } from '../../test/support/agentFixture.js';
import { CsmsTariff, priceTextOf, type Tariff } from '../../scenarios/csms/CsmsTariff.js';
import { until } from '../../test/support/until.js';
import { DISPLAY_DEFAULTS, DisplayService } from '../display/DisplayService.js';
import { OperatorMessages } from '../display/OperatorMessages.js';
import type { GetVariableDataType, MessageInfoType, NotifyDisplayMessagesRequest } from '../ocpp201/messages.js';
import { PricingService } from './PricingService.js';

const log = pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' });
const CARD = '04A1B2C3D4E5F6';
const SECOND = 1000;
const stops: (() => void)[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s();
  await cleanupAgents201();
  await cleanupAgents();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

type Answers = NonNullable<NonNullable<Parameters<typeof agent201Fixture>[0]>['csms']>['answers'];

/** A 2.0.1 charger with one connector, a 40x8 display, operator messages and (unless `pricing` is false) the pricing service. */
async function charger(opts: { answers?: Answers; pricing?: boolean; messagesFile?: string; ocpp?: Record<string, string> } = {}) {
  const f = await agent201Fixture({ connectors: 1, ocpp: { MeterValueSampleInterval: 60, ...opts.ocpp }, ...(opts.answers && { csms: { answers: opts.answers } }) });
  const display = new SimDisplay({ id: 'display:0', width: 40, height: 8 });
  const messages = opts.messagesFile ? await OperatorMessages.open(opts.messagesFile, log) : OperatorMessages.inMemory(log);
  const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log, messages, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
  service.start();
  stops.push(() => service.stop());
  if (opts.pricing !== false) {
    const pricing = new PricingService({ agent: f.agent, display: service, clock: f.clock, log, currency: 'EUR' });
    pricing.start();
    stops.push(() => pricing.stop());
  }
  await f.advance(0);
  const lines = () => display.content?.lines ?? [];
  /** Every line shown while the display pages through its slides for `ms`. */
  const seen = async (ms = 3 * DISPLAY_DEFAULTS.pageMs): Promise<string[]> => {
    const from = display.history.length;
    await f.advance(ms, SECOND);
    return display.history.slice(Math.max(0, from - 1)).flatMap((c) => c.lines);
  };
  return { f, display, messages, service, lines, seen };
}

const message = (id: number, content: string, extra: Partial<MessageInfoType> = {}): MessageInfoType => ({ id, priority: 'NormalCycle', message: { format: 'UTF8', language: 'en', content }, ...extra });

async function startSession(f: Agent201Fixture): Promise<string> {
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap(CARD);
  await f.advance(SECOND);
  await f.waitForSent('TransactionEvent');
  return f.sent('TransactionEvent')[0]!.transactionInfo.transactionId;
}

const variable = async (f: Agent201Fixture, component: string, name: string, instance?: string) =>
  (await f.call('GetVariables', { getVariableData: [{ component: { name: component }, variable: { name, ...(instance && { instance }) } }] })).getVariableResult[0]!;

describe('display messages (OCPP 2.0.1 O)', () => {
  it('SetDisplayMessage shows the message on the driver display; GetDisplayMessages reports it in NotifyDisplayMessages pages; ClearDisplayMessage removes it', async () => {
    const { f, lines, seen } = await charger();
    expect(await f.call('SetDisplayMessage', { message: message(1, 'Free charging this weekend', { priority: 'InFront' }) })).toEqual({ status: 'Accepted' });
    await f.advance(0);
    expect(lines()).toContain('Free charging this weekend');
    expect((await variable(f, 'DisplayMessageCtrlr', 'DisplayMessages')).attributeValue).toBe('1');

    // Twelve messages: two pages, the first with tbc.
    for (let id = 2; id <= 12; id++) expect(await f.call('SetDisplayMessage', { message: message(id, `Message ${id}`, id % 2 === 0 ? { priority: 'InFront' } : {}) })).toEqual({ status: 'Accepted' });
    expect(await f.call('GetDisplayMessages', { requestId: 7 })).toEqual({ status: 'Accepted' });
    await f.waitForSent('NotifyDisplayMessages', 2);
    const pages = f.sent('NotifyDisplayMessages') as NotifyDisplayMessagesRequest[];
    expect(pages.map((p) => [p.requestId, p.tbc ?? false, p.messageInfo?.length])).toEqual([[7, true, 10], [7, false, 2]]);
    expect(pages.flatMap((p) => p.messageInfo ?? []).map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(pages[0]!.messageInfo![0]).toEqual(message(1, 'Free charging this weekend', { priority: 'InFront' }));

    // Filters: every criterion given must match; none matching: Unknown, and no report.
    expect(await f.call('GetDisplayMessages', { requestId: 8, id: [3, 4, 99], priority: 'InFront' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('NotifyDisplayMessages', 3);
    expect(f.sent('NotifyDisplayMessages').at(-1)).toEqual({ requestId: 8, messageInfo: [message(4, 'Message 4', { priority: 'InFront' })] });
    expect(await f.call('GetDisplayMessages', { requestId: 9, id: [99] })).toEqual({ status: 'Unknown' });
    expect(await f.call('GetDisplayMessages', { requestId: 10, state: 'Faulted' })).toEqual({ status: 'Unknown' });

    expect(await f.call('ClearDisplayMessage', { id: 1 })).toEqual({ status: 'Accepted' });
    expect(await f.call('ClearDisplayMessage', { id: 1 })).toEqual({ status: 'Unknown' });
    expect(await seen()).not.toContain('Free charging this weekend');
    await f.advance(SECOND);
    expect(f.csms.count('NotifyDisplayMessages')).toBe(3);
  });

  it('refuses what it cannot show: HTML, an unknown transaction, a display that is not ours, more than DisplayMessages.maxLimit; a message of its transaction shows during it and is gone after it', async () => {
    const { f, seen } = await charger();
    const html = { id: 1, priority: 'NormalCycle' as const, message: { format: 'HTML' as const, content: '<b>hi</b>' } };
    expect(await f.call('SetDisplayMessage', { message: html })).toEqual({ status: 'NotSupportedMessageFormat' });
    expect(await f.call('SetDisplayMessage', { message: message(2, 'Hi Anna', { transactionId: '17' }) })).toEqual({ status: 'UnknownTransaction' });
    expect(await f.call('SetDisplayMessage', { message: message(3, 'Elsewhere', { display: { name: 'Display', evse: { id: 2 } } }) })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownComponent' } });
    expect(await f.call('SetDisplayMessage', { message: message(3, 'At EVSE 1', { display: { name: 'Display', evse: { id: 1 } }, state: 'Charging' }) })).toEqual({ status: 'Accepted' });
    const max = await f.call('GetBaseReport', { requestId: 1, reportBase: 'FullInventory' });
    expect(max.status).toBe('Accepted');
    await f.waitForSent('NotifyReport');
    await until('the whole report', () => f.sent('NotifyReport').some((p) => !p.tbc), 5000);
    const entry = f.sent('NotifyReport').flatMap((p) => p.reportData ?? []).find((d) => d.component.name === 'DisplayMessageCtrlr' && d.variable.name === 'DisplayMessages');
    expect(entry?.variableCharacteristics).toMatchObject({ dataType: 'integer', maxLimit: 32 });
    for (let id = 100; id < 131; id++) await f.call('SetDisplayMessage', { message: message(id, `m${id}`) });
    expect(await f.call('SetDisplayMessage', { message: message(200, 'one too many') })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'OutOfStorage' } });
    expect(await f.call('SetDisplayMessage', { message: message(100, 'replaces its own id') })).toEqual({ status: 'Accepted' });
    for (let id = 100; id < 131; id++) await f.call('ClearDisplayMessage', { id });

    const transactionId = await startSession(f);
    expect(await f.call('SetDisplayMessage', { message: message(2, 'Hi Anna', { transactionId }) })).toEqual({ status: 'Accepted' });
    const during = await seen();
    expect(during).toContain('Hi Anna');
    expect(during).toContain('At EVSE 1'); // its state (Charging) now
    f.sim.rfid.tap(CARD);
    await f.advance(2 * SECOND);
    await until('the Ended event', () => f.sent('TransactionEvent').some((e) => e.eventType === 'Ended'), 5000);
    expect(await seen()).not.toContain('Hi Anna');
    expect(await f.call('GetDisplayMessages', { requestId: 2, id: [2] })).toEqual({ status: 'Unknown' });
  });

  it('persists the messages that are not bound to a transaction; DisplayMessageCtrlr says what this display can show', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-display201-'));
    dirs.push(dir);
    const file = join(dir, 'display-messages.json');
    const { f } = await charger({ messagesFile: file });
    const transactionId = await startSession(f);
    expect(await f.call('SetDisplayMessage', { message: message(1, 'Kept', { priority: 'AlwaysFront' }) })).toEqual({ status: 'Accepted' });
    expect(await f.call('SetDisplayMessage', { message: message(2, 'Only now', { transactionId }) })).toEqual({ status: 'Accepted' });
    const stored = JSON.parse(await readFile(file, 'utf8')) as { messages: MessageInfoType[] };
    expect(stored.messages.map((m) => m.id)).toEqual([1]);
    expect((await OperatorMessages.open(file, log)).all().map((m) => m.message.content)).toEqual(['Kept']);

    const values = await f.call('GetVariables', {
      getVariableData: ['Available', 'Enabled', 'SupportedFormats', 'SupportedPriorities', 'Language', 'DisplayMessages'].map((name) => ({ component: { name: 'DisplayMessageCtrlr' }, variable: { name } })) as [GetVariableDataType, ...GetVariableDataType[]],
    });
    expect(values.getVariableResult.map((r) => [r.variable.name, r.attributeStatus, r.attributeValue])).toEqual([
      ['Available', 'Accepted', 'true'],
      ['Enabled', 'Accepted', 'true'],
      ['SupportedFormats', 'Accepted', 'ASCII,UTF8,URI'],
      ['SupportedPriorities', 'Accepted', 'AlwaysFront,InFront,NormalCycle'],
      ['Language', 'Accepted', 'en'],
      ['DisplayMessages', 'Accepted', '2'],
    ]);
    // The display's language is the 1.6 Language key: a change through either is one change.
    expect((await f.call('SetVariables', { setVariableData: [{ component: { name: 'DisplayMessageCtrlr' }, variable: { name: 'Language' }, attributeValue: 'de' }] })).setVariableResult[0]!.attributeStatus).toBe('Accepted');
    expect(f.config.getString('Language')).toBe('de');
    expect((await f.call('SetVariables', { setVariableData: [{ component: { name: 'DisplayMessageCtrlr' }, variable: { name: 'Language' }, attributeValue: 'fr' }] })).setVariableResult[0]!.attributeStatus).toBe('Rejected');
  });

  it('without a display: DisplayMessageCtrlr and TariffCostCtrlr are not Available and SetDisplayMessage is Rejected', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect((await variable(f, 'DisplayMessageCtrlr', 'Available')).attributeValue).toBe('false');
    expect((await variable(f, 'TariffCostCtrlr', 'Available', 'Cost')).attributeValue).toBe('false');
    expect(await f.call('SetDisplayMessage', { message: message(1, 'Nobody reads this') })).toMatchObject({ status: 'Rejected' });
    expect(await f.call('GetDisplayMessages', { requestId: 1 })).toEqual({ status: 'Unknown' });
    expect(await f.call('CostUpdated', { totalCost: 1, transactionId: '1' })).toEqual({});
  });
});

const COSTMSG = 'org.openchargealliance.costmsg';

describe('tariff and cost (OCPP 2.0.1 I, OCA California Pricing for 2.0.1)', () => {
  it("personalMessage in the driver's language; totalCost as the running cost counted on from the costmsg customData; CostUpdated; the Ended answer's total, text and receipt", async () => {
    const started = new Map<string, number>();
    const answers: Answers = {
      Authorize: () => ({
        idTokenInfo: {
          status: 'Accepted',
          language1: 'de',
          personalMessage: { format: 'UTF8', language: 'en', content: '0.40 EUR/kWh' },
          customData: { vendorId: 'org.openchargealliance.multilanguage', personalMessageExtra: [{ format: 'UTF8', language: 'de', content: '0,40 EUR/kWh (Tarif)' }] },
        },
      }),
      TransactionEvent: (req) => {
        const { eventType, timestamp, transactionInfo } = req as { eventType: string; timestamp: string; transactionInfo: { transactionId: string } };
        if (eventType === 'Started') {
          started.set(transactionInfo.transactionId, Date.parse(timestamp));
          return { idTokenInfo: { status: 'Accepted' }, totalCost: 1, customData: { vendorId: COSTMSG, timestamp, meterValue: 0, state: 'Charging', chargingPrice: { kWhPrice: 0.4, hourPrice: 0, flatFee: 1 } } };
        }
        if (eventType === 'Ended') {
          return { totalCost: 9.87, updatedPersonalMessage: { format: 'UTF8', language: 'de', content: '24,68 kWh, 9,87 EUR' }, customData: { vendorId: COSTMSG, qrCodeText: `https://charge.example/receipt/${transactionInfo.transactionId}` } };
        }
        return {};
      },
    };
    const { f, display, lines, service } = await charger({ answers });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap(CARD);
    await f.advance(2 * SECOND);
    await f.waitForSent('TransactionEvent');
    await f.advance(SECOND);
    // The driver reads German: the German text of the tariff, German numbers.
    const screen = () => service.screenOf(1)!.lines.map((l) => l.variants[0]);
    await until('the price and the cost', () => screen().includes('0,40 EUR/kWh (Tarif)') && lines().some((l) => l.includes('1,00 EUR')), 5000);

    // Counted on from the CSMS's figures: energy × kWhPrice.
    await f.advance(10 * 60_000, 10_000);
    const cost = () => Number(/([\d,]+) EUR$/.exec(lines().find((l) => / [\d,]+ EUR$/.test(l) && !l.includes('/kWh')) ?? '')?.[1]?.replace(',', '.') ?? NaN);
    const energyKWh = (f.sim.connectors[0]!.meter.lastReading!.energyWh - f.agent.transactions.get(1)!.meterStartWh) / 1000;
    expect(cost()).toBeCloseTo(1 + energyKWh * 0.4, 1);
    expect(cost()).toBeGreaterThan(1.5);

    // CostUpdated: the CSMS's own figure (without customData: shown as it is).
    const transactionId = f.sent('TransactionEvent')[0]!.transactionInfo.transactionId;
    expect(await f.call('CostUpdated', { totalCost: 42.5, transactionId })).toEqual({});
    await f.advance(SECOND);
    expect(cost()).toBe(42.5);
    expect(await f.call('CostUpdated', { totalCost: 1, transactionId: '123' })).toEqual({});
    expect(cost()).toBe(42.5);

    f.sim.rfid.tap(CARD);
    await f.advance(2 * SECOND);
    await until('the total', () => lines().includes('Laden beendet') && lines().includes('Gesamt 9,87 EUR'), 5000);
    expect(lines()).toContain('24,68 kWh, 9,87 EUR');
    expect(display.content?.qr).toBe(`https://charge.example/receipt/${transactionId}`);
    expect(started.has(transactionId)).toBe(true);
  });

  it('the Enabled variables are honoured: TariffCostCtrlr.Enabled[Tariff] / [Cost] hide the tariff / the costs, DisplayMessageCtrlr.Enabled the messages (and refuses new ones)', async () => {
    const answers: Answers = {
      Authorize: () => ({ idTokenInfo: { status: 'Accepted', personalMessage: { format: 'UTF8', language: 'en', content: '0.40 EUR/kWh' } } }),
      TransactionEvent: (req) => ((req as { eventType: string }).eventType === 'Started' ? { idTokenInfo: { status: 'Accepted' }, totalCost: 1 } : {}),
    };
    const { f, service, lines } = await charger({ answers });
    const set = async (component: string, name: string, instance: string | undefined, attributeValue: string) =>
      (await f.call('SetVariables', { setVariableData: [{ component: { name: component }, variable: { name, ...(instance && { instance }) }, attributeValue }] })).setVariableResult[0]!.attributeStatus;
    expect(await f.call('SetDisplayMessage', { message: message(1, 'Free charging this weekend', { priority: 'AlwaysFront' }) })).toEqual({ status: 'Accepted' });
    await f.advance(0);
    expect(lines()).toContain('Free charging this weekend');
    expect(await set('DisplayMessageCtrlr', 'Enabled', undefined, 'false')).toBe('Accepted');
    await f.advance(0);
    expect(lines()).not.toContain('Free charging this weekend');
    expect(await f.call('SetDisplayMessage', { message: message(2, 'Not now') })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'Disabled' } });
    expect(await set('DisplayMessageCtrlr', 'Enabled', undefined, 'true')).toBe('Accepted');
    await f.advance(0);
    expect(lines()).toContain('Free charging this weekend');
    expect(await f.call('ClearDisplayMessage', { id: 1 })).toEqual({ status: 'Accepted' });

    await startSession(f);
    await f.advance(SECOND);
    const screen = () => service.screenOf(1)!.lines.map((l) => l.variants[0]);
    await until('the price and the cost', () => screen().includes('0.40 EUR/kWh') && screen().includes('Cost so far 1.00 EUR'), 5000);
    expect(await set('TariffCostCtrlr', 'Enabled', 'Cost', 'false')).toBe('Accepted');
    expect(screen()).not.toContain('Cost so far 1.00 EUR');
    expect(screen()).toContain('0.40 EUR/kWh');
    expect(await set('TariffCostCtrlr', 'Enabled', 'Tariff', 'false')).toBe('Accepted');
    expect(screen()).not.toContain('0.40 EUR/kWh');
    expect(f.config.getBool('CostEnabled')).toBe(false);
    expect(await set('TariffCostCtrlr', 'Enabled', 'Cost', 'true')).toBe('Accepted');
    expect(screen()).toContain('Cost so far 1.00 EUR');
  });

  it('a transaction begun at the plug-in (TxStartPoint EVConnected) shows no price until a card authorizes it, then that driver\'s price', async () => {
    const answers: Answers = {
      Authorize: () => ({ idTokenInfo: { status: 'Accepted', personalMessage: { format: 'UTF8', language: 'en', content: '0.40 EUR/kWh' } } }),
    };
    const { f, service } = await charger({ answers, ocpp: { TxStartPoint: 'EVConnected' } });
    const screen = () => service.screenOf(1)!.lines.map((l) => l.variants[0]);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ eventType: 'Started', triggerReason: 'CablePluggedIn' });
    await f.advance(SECOND);
    expect(screen()).not.toContain('0.40 EUR/kWh');
    f.sim.rfid.tap(CARD);
    await f.advance(2 * SECOND);
    await until('the price', () => screen().includes('0.40 EUR/kWh'), 5000);
    expect(f.sent('TransactionEvent')[1]).toMatchObject({ eventType: 'Updated', triggerReason: 'Authorized', idToken: { idToken: CARD } });
  });

  it('TariffCostCtrlr: Currency, the fallback messages where a tariff or a total is missing (offline), and the offline prices the charger estimates with', async () => {
    const { f, lines, seen } = await charger();
    expect((await variable(f, 'TariffCostCtrlr', 'Currency')).attributeValue).toBe('EUR');
    expect((await variable(f, 'TariffCostCtrlr', 'Enabled', 'Tariff')).attributeValue).toBe('true');
    const set = async (name: string, attributeValue: string, instance?: string) =>
      (await f.call('SetVariables', { setVariableData: [{ component: { name: 'TariffCostCtrlr' }, variable: { name, ...(instance && { instance }) }, attributeValue }] })).setVariableResult[0]!.attributeStatus;
    expect(await set('TariffFallbackMessage', '0.45 EUR/kWh')).toBe('Accepted');
    expect(await set('TariffFallbackMessage', 'Offline: 0.50 EUR/kWh', 'Offline')).toBe('Accepted');
    expect(await set('TotalCostFallbackMessage', 'Your total follows by e-mail')).toBe('Accepted');
    expect(await set('TotalCostFallbackMessage', 'x'.repeat(256))).toBe('Rejected');
    expect(await set('OfflineChargingPrice', '0.5', 'kWhPrice')).toBe('Accepted');
    expect(await set('OfflineChargingPrice', '1', 'flatFee')).toBe('Accepted');
    expect(await set('OfflineChargingPrice', 'cheap', 'hourPrice')).toBe('Rejected');
    expect(await set('Currency', 'USD')).toBe('Rejected');
    expect(await seen()).toContain('0.45 EUR/kWh');

    // While the CSMS cannot be reached: the [Offline] text.
    await f.csms.client.close({ code: 1001, force: true });
    await until('offline', () => !f.agent.link.isAccepted, 5000);
    expect(await seen(2 * DISPLAY_DEFAULTS.pageMs)).toContain('Offline: 0.50 EUR/kWh');
    await until('back online', () => f.agent.link.isAccepted, 5000, 20, () => f.advance(SECOND));

    // No cost from the CSMS: the charger's estimate from the offline prices.
    await startSession(f);
    await f.advance(SECOND);
    expect(lines()).toContain('Estimated cost 1.00 EUR');
    await f.advance(60 * SECOND, 10 * SECOND);
    // The CSMS goes away; the card stops its own session offline: no total can come now.
    await f.csms.client.close({ code: 1001, force: true });
    await until('offline', () => !f.agent.link.isAccepted, 5000);
    f.sim.rfid.tap(CARD);
    await f.advance(0);
    await until('the summary', () => lines().includes('Charging finished'), 5000);
    expect(lines()).toContain('Your total follows by e-mail');
    expect(lines().some((l) => /^Estimated total \d+\.\d\d EUR$/.test(l))).toBe(true);
  });
});

describe("the embedded CSMS's tariff with a 2.0.1 charger", () => {
  it('bills the session the 2.0.1 way: the price in the Authorize answer, the cost so far in each TransactionEvent answer, the total and receipt in the Ended answer; no DataTransfer', async () => {
    const tariff: Tariff = { currency: 'EUR', flatFee: 1, kWhPrice: 0.4, hourPrice: 0.6, idle: { graceMinutes: 10, hourPrice: 6 }, receiptUrl: 'https://charge.example/receipt/{transactionId}' };
    const f = await agentFixture({ ocppVersion: '2.0.1', ocpp: { MeterValueSampleInterval: 60 } });
    const csmsTariff = new CsmsTariff(f.csms, tariff, () => f.clock.now());
    csmsTariff.attach();
    const display = new SimDisplay({ id: 'display:0', width: 40, height: 8 });
    const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
    const pricing = new PricingService({ agent: f.agent, display: service, clock: f.clock, log, currency: 'EUR' });
    service.start();
    pricing.start();
    stops.push(() => pricing.stop(), () => service.stop(), () => csmsTariff.detach());
    const lines = () => display.content?.lines ?? [];
    const costShown = () => Number(/([\d.]+) EUR$/.exec(lines().find((l) => l.startsWith('Cost so far ') || l.startsWith('Total ')) ?? '')?.[1] ?? NaN);

    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    await until('the price and the flat fee', () => service.screenOf(1)!.lines.some((l) => l.variants[0] === priceTextOf(tariff)) && costShown() === 1, 5000);
    const seen: number[] = [];
    for (let minute = 0; minute < 30; minute += 5) {
      await f.advance(5 * 60_000, 10_000);
      await f.settle();
      seen.push(costShown());
    }
    expect(seen, JSON.stringify(seen)).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)!).toBeGreaterThan(3);
    const txId = f.csms.transactions(CP)[0]!.transactionId;
    // Between the answers the station counts on from the figures in customData; the CSMS's cost agrees.
    expect(costShown()).toBeCloseTo(csmsTariff.costOf(txId)!, 0);

    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    await until('the total', () => lines()[0] === 'Charging finished' && lines().some((l) => l.startsWith('Total ')), 5000);
    const ended = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'out' && r.kind === 'result' && r.action === 'TransactionEvent').at(-1)!.payload as { totalCost: number; updatedPersonalMessage: { content: string } };
    expect(lines()).toContain(`Total ${ended.totalCost.toFixed(2)} EUR`);
    expect(lines()).toContain(ended.updatedPersonalMessage.content);
    expect(display.content?.qr).toBe(`https://charge.example/receipt/${f.csms.transactions(CP)[0]!.stationTransactionId}`);
    const authorize = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'out' && r.kind === 'result' && r.action === 'Authorize')[0]!.payload;
    expect(authorize).toMatchObject({ idTokenInfo: { status: 'Accepted', personalMessage: { format: 'UTF8', content: priceTextOf(tariff) } } });
    // Nothing of the 1.6 extension, in either direction, and the strict CSMS saw no violation.
    expect(f.csms.traffic((r) => r.chargePointId === CP && r.action === 'DataTransfer')).toEqual([]);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(5000);
    expect(f.csms.traffic((r) => r.chargePointId === CP && r.action === 'DataTransfer')).toEqual([]);
    expect(f.csms.violations(CP)).toEqual([]);
  });
});
