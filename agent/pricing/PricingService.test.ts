/**
 * Prices and costs end to end: the embedded strict CSMS with a tariff (scenarios/csms/CsmsTariff.ts)
 * sends the OCA California Pricing DataTransfers over a real socket on 127.0.0.1; an in-process
 * Agent on virtual time shows them on a simulated display.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import { CsmsTariff, priceTextOf, type Tariff } from '../../scenarios/csms/CsmsTariff.js';
import { EmbeddedCsms } from '../../scenarios/csms/EmbeddedCsms.js';
import { agentFixture, cleanupAgents, CP } from '../../test/support/agentFixture.js';
import { until } from '../../test/support/until.js';
import { DISPLAY_DEFAULTS, DisplayService } from '../display/DisplayService.js';
import { COST_VENDOR_ID } from './costMessages.js';
import { PricingService } from './PricingService.js';

const log = pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' });
const CARD = '04A1B2C3D4E5F6';
const TARIFF: Tariff = { currency: 'EUR', flatFee: 1, kWhPrice: 0.4, hourPrice: 0.6, idle: { graceMinutes: 10, hourPrice: 6 }, receiptUrl: 'https://charge.example/receipt/{transactionId}' };
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s();
  await cleanupAgents();
});

async function pricedCharger(ocpp: Record<string, string | number | boolean> = {}, tariffOf: Tariff = TARIFF) {
  const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60, ...ocpp }, readonlyOcpp: { CustomDisplayCostAndPrice: true, CustomMultiLanguageMessages: true } });
  const tariff = new CsmsTariff(f.csms, tariffOf, () => f.clock.now());
  tariff.attach();
  const display = new SimDisplay({ id: 'display:0', width: 40, height: 8 });
  const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
  const pricing = new PricingService({ agent: f.agent, display: service, clock: f.clock, log, currency: 'EUR' });
  service.start();
  pricing.start();
  stops.push(() => pricing.stop(), () => service.stop(), () => tariff.detach());
  await f.advance(0);
  const lines = () => display.content?.lines ?? [];
  const costLine = () => lines().find((l) => l.startsWith('Cost so far ') || l.startsWith('Total '));
  const costShown = () => Number(/([\d.]+) EUR$/.exec(costLine() ?? '')?.[1] ?? NaN);
  const finalCosts = (): { transactionId: number; cost: number; priceText: string }[] =>
    f.csms
      .traffic((r) => r.chargePointId === CP && r.direction === 'out' && r.kind === 'call' && r.action === 'DataTransfer' && (r.payload as { messageId?: string }).messageId === 'FinalCost')
      .map((r) => JSON.parse((r.payload as { data: string }).data) as { transactionId: number; cost: number; priceText: string });
  return { f, tariff, display, service, pricing, lines, costLine, costShown, finalCosts };
}

const dataTransfers = (f: Awaited<ReturnType<typeof pricedCharger>>['f'], messageId: string) =>
  f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'out' && r.kind === 'call' && r.action === 'DataTransfer' && (r.payload as { messageId?: string }).messageId === messageId);

describe('OCA California Pricing over a strict CSMS', () => {
  it("SetUserPrice after Authorize shows the driver's price; RunningCost the cost so far, rising with energy and time; FinalCost the total with the receipt QR code", async () => {
    const { f, tariff, display, service, pricing, lines, costLine, costShown } = await pricedCharger();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    await until('the SetUserPrice and the first RunningCost', () => dataTransfers(f, 'RunningCost').length >= 1 && costLine() !== undefined, 5000);
    expect(dataTransfers(f, 'SetUserPrice')).toHaveLength(1);
    expect(service.screenOf(1)!.lines.map((l) => l.variants[0])).toContain(priceTextOf(TARIFF));
    expect(costLine()).toBe('Cost so far 1.00 EUR'); // the flat fee, nothing used yet

    // Between RunningCost messages the charger adds what was used: the cost rises with every reading.
    const seen: number[] = [];
    for (let minute = 0; minute < 30; minute += 5) {
      await f.advance(5 * 60_000, 10_000);
      await f.settle();
      seen.push(costShown());
    }
    expect(seen, JSON.stringify(seen)).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)!).toBeGreaterThan(3);
    const txId = f.csms.transactions(CP)[0]!.transactionId;
    // The CSMS's cost at its last meter value, and the charger's own estimate since, agree closely.
    await until('the RunningCost of the last MeterValues', () => Math.abs(costShown() - tariff.costOf(txId)!) < 0.2, 5000);
    expect(dataTransfers(f, 'RunningCost').length).toBeGreaterThan(20);
    // The dashboard's cost of the running transaction is the one on the display: it rises live too.
    expect(pricing.costOf(txId)).toEqual({ amount: expect.closeTo(costShown(), 2), currency: 'EUR' });

    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    f.sim.connectors[0]!.ev.unplug(); // the tariff has an idle fee: the FinalCost comes once the vehicle left
    await f.advance(2000);
    await until('the FinalCost', () => dataTransfers(f, 'FinalCost').length === 1 && lines()[0] === 'Charging finished' && display.content?.qr !== undefined, 5000);
    const final = JSON.parse((dataTransfers(f, 'FinalCost')[0]!.payload as { data: string }).data) as { cost: number; priceText: string };
    expect(costLine()).toBe(`Total ${final.cost.toFixed(2)} EUR`);
    expect(lines()).toContain(final.priceText);
    expect(display.content?.qr).toBe(`https://charge.example/receipt/${txId}`);
    const answers = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'result' && r.action === 'DataTransfer');
    const calls = new Map(f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'out' && r.kind === 'call').map((r) => [r.messageId, r.payload as { messageId: string; data: string }]));
    const refused = answers.filter((r) => (r.payload as { status: string }).status !== 'Accepted').map((r) => calls.get(r.messageId));
    expect(refused).toEqual([]);
  });

  it('triggerMeterValue: a meter value when the session used the energy, when the power crosses the level and when the connector enters a listed status', async () => {
    const { f, tariff } = await pricedCharger();
    tariff.detach(); // the CSMS below sends its own RunningCost
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    const txId = f.csms.transactions(CP)[0]!.transactionId;
    const triggered = () => f.sent('MeterValues').filter((m) => m.meterValue.some((v) => v.sampledValue.some((s) => s.context === 'Trigger')));
    const rc = { transactionId: txId, timestamp: new Date(f.clock.now()).toISOString(), meterValue: 0, cost: 0, state: 'Charging', chargingPrice: { kWhPrice: 0.3 } };
    const send = (extra: object) => f.csms.call(CP, 'DataTransfer', { vendorId: COST_VENDOR_ID, messageId: 'RunningCost', data: JSON.stringify({ ...rc, ...extra }) });
    expect(await send({ triggerMeterValue: { atEnergykWh: 1, atPowerkW: 1, atCPStatus: ['SuspendedEV'] } })).toEqual({ status: 'Accepted' });
    await f.advance(10 * 60_000, 10_000); // ≈ 22 kW: 1 kWh within minutes
    expect(triggered()).toHaveLength(1);
    f.sim.connectors[0]!.ev.suspend(); // SuspendedEV, and the power falls below 1 kW
    await f.advance(30_000, 1000);
    expect(triggered()).toHaveLength(3);
  });

  it('ConnectorUnplugged: when the vehicle leaves after the transaction, after its StopTransaction, with the time of the unplug', async () => {
    const { f } = await pricedCharger();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(60_000, 10_000);
    f.sim.rfid.tap(CARD); // stopped at the charger; the vehicle stays (idle fee after stop)
    await f.advance(20 * 60_000, 60_000);
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
    expect(f.sent('DataTransfer')).toEqual([]);
    const unpluggedAt = f.clock.now();
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(2000);
    const [unplugged] = f.sent('DataTransfer');
    expect(unplugged).toMatchObject({ vendorId: COST_VENDOR_ID, messageId: 'ConnectorUnplugged' });
    expect(JSON.parse(unplugged!.data!)).toEqual({ transactionId: 1, timestamp: new Date(unpluggedAt).toISOString() });
    const order = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call' && (r.action === 'StopTransaction' || r.action === 'DataTransfer')).map((r) => r.action);
    expect(order).toEqual(['StopTransaction', 'DataTransfer']);
    expect(f.agent.undelivered).toBe(0);
  });

  it('ConnectorUnplugged while the CSMS is unreachable is journaled and delivered after the reconnect, behind the StopTransaction', async () => {
    const { f } = await pricedCharger();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(60_000, 10_000);
    const port = Number(new URL(f.agent.options.csms.url).port);
    await f.csms.stop();
    await until('the link to notice', () => !f.agent.link.isAccepted, 5000);
    f.sim.rfid.tap(CARD);
    await f.advance(5 * 60_000, 60_000);
    const unpluggedAt = f.clock.now();
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(2000);
    expect(f.agent.undelivered).toBe(2); // StopTransaction and ConnectorUnplugged, journaled
    const back = new EmbeddedCsms({ now: () => f.clock.now(), logger: log, pingIntervalMs: 0 });
    await back.start({ port });
    stops.push(() => void back.stop());
    await until('the charger to deliver after reconnecting', () => f.agent.undelivered === 0 && back.isConnected(CP), 15_000, 20, () => f.advance(1000));
    const delivered = back.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call' && (r.action === 'StopTransaction' || r.action === 'DataTransfer'));
    expect(delivered.map((r) => r.action)).toEqual(['StopTransaction', 'DataTransfer']);
    expect(JSON.parse((delivered[1]!.payload as { data: string }).data)).toEqual({ transactionId: 1, timestamp: new Date(unpluggedAt).toISOString() });
    expect(back.violations(CP).filter((v) => v.by === 'chargePoint')).toEqual([]);
  });

  it('refuses a RunningCost for a transaction not running here, a FinalCost for one it never had, and malformed data', async () => {
    const { f } = await pricedCharger();
    const send = (messageId: string, data: unknown) => f.csms.call(CP, 'DataTransfer', { vendorId: COST_VENDOR_ID, messageId, data: typeof data === 'string' ? data : JSON.stringify(data) });
    expect(await send('RunningCost', { transactionId: 999, timestamp: new Date(f.clock.now()).toISOString(), meterValue: 0, cost: 1, state: 'Charging', chargingPrice: { kWhPrice: 0.3 } })).toEqual({ status: 'Rejected' });
    expect(await send('FinalCost', { transactionId: 999, cost: 1, priceText: 'x' })).toEqual({ status: 'Rejected' });
    expect(await send('RunningCost', { transactionId: 1, state: 'Sleeping' })).toEqual({ status: 'Rejected' });
    expect(await send('SetUserPrice', 'not json')).toEqual({ status: 'Rejected' });
    expect(await send('SetUserPrice', { idToken: CARD, priceText: '0.30 EUR/kWh' })).toEqual({ status: 'Accepted' });
    expect((await send('Unknown', '{}')).status).toBe('UnknownMessageId');
  });

  it('idle fee after the stop: the cost goes on rising on the display while the vehicle stays; ConnectorUnplugged ends it and the FinalCost includes it', async () => {
    const { f, tariff, lines, costLine, costShown, finalCosts } = await pricedCharger({}, { currency: 'EUR', flatFee: 1, kWhPrice: 0.4, hourPrice: 0, idle: { graceMinutes: 10, hourPrice: 6 } });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(30 * 60_000, 10_000);
    const txId = f.csms.transactions(CP)[0]!.transactionId;
    await until('the cost of the last MeterValues', () => Math.abs(costShown() - tariff.costOf(txId)!) < 0.05, 5000);
    f.sim.rfid.tap(CARD); // stopped at the charger; the vehicle stays
    await f.advance(2000);
    await f.settle();
    expect(finalCosts()).toEqual([]); // no FinalCost while the vehicle is there
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
    await until('the idle fee screen', () => lines().includes('Idle fee running until you unplug'), 5000);
    expect(costLine()).toMatch(/^Cost so far [\d.]+ EUR$/);
    const atStop = costShown();
    await f.advance(9 * 60_000, 60_000); // within the grace: nothing added
    expect(costShown()).toBeCloseTo(atStop, 2);
    await f.advance(31 * 60_000, 60_000); // 30 min beyond the grace at 6 EUR/h
    await f.settle();
    expect(costShown()).toBeCloseTo(atStop + 3, 1);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(2000);
    await until('the FinalCost after ConnectorUnplugged', () => finalCosts().length === 1 && /^Total /.test(costLine() ?? ''), 5000);
    const [final] = finalCosts();
    expect(final!.cost).toBeCloseTo(atStop + 3, 1);
    expect(costLine()).toBe(`Total ${final!.cost.toFixed(2)} EUR`);
    expect(lines()).not.toContain('Idle fee running until you unplug');
    const order = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call' && (r.action === 'StopTransaction' || r.action === 'DataTransfer')).map((r) => r.action);
    expect(order).toEqual(['StopTransaction', 'DataTransfer']);
    const unpluggedAnswer = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'out' && r.kind === 'result' && r.action === 'DataTransfer');
    expect(unpluggedAnswer.map((r) => r.payload)).toEqual([{ status: 'Accepted' }]);
  });

  it('offline: the cost is estimated from DefaultPrice.chargingPrice and shown as an estimate; the FinalCost after the reconnect replaces it', async () => {
    const price = JSON.stringify({ priceText: '0.50 EUR/kWh', priceTextOffline: 'Offline: 0.50 EUR/kWh', chargingPrice: { kWhPrice: 0.5, flatFee: 1 } });
    const noIdle: Tariff = { currency: 'EUR', flatFee: 1, kWhPrice: 0.5, hourPrice: 0 };
    const { f, lines, costLine, service } = await pricedCharger({ DefaultPrice: price, AllowOfflineTxForUnknownId: true }, noIdle);
    const port = Number(new URL(f.agent.options.csms.url).port);
    await f.csms.stop();
    await until('the link to notice', () => !f.agent.link.isAccepted, 5000);
    await f.advance(0);
    expect(service.screenOf(1)!.lines.map((l) => l.variants[0])).toContain('Offline: 0.50 EUR/kWh'); // the default price, offline
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    await until('the estimate', () => /^Estimated cost [\d.]+ EUR$/.test(costLine() ?? '') || lines().some((l) => l.startsWith('Estimated cost ')), 5000);
    await f.advance(30 * 60_000, 10_000);
    const estimateLine = lines().find((l) => l.startsWith('Estimated cost '))!;
    const energyKWh = (f.sim.connectors[0]!.meter.lastReading!.energyWh - f.agent.transactions.get(1)!.meterStartWh) / 1000;
    expect(Number(/([\d.]+) EUR$/.exec(estimateLine)![1])).toBeCloseTo(1 + energyKWh * 0.5, 1);
    expect(energyKWh).toBeGreaterThan(1);
    f.sim.connectors[0]!.ev.unplug(); // the unplug ends it: no idle time
    await f.advance(2000);
    await until('the estimated total', () => lines().some((l) => /^Estimated total [\d.]+ EUR$/.test(l)), 5000);
    const estimatedTotal = Number(/([\d.]+) EUR$/.exec(lines().find((l) => l.startsWith('Estimated total '))!)![1]);

    const back = new EmbeddedCsms({ now: () => f.clock.now(), logger: log, pingIntervalMs: 0 });
    const tariff = new CsmsTariff(back, noIdle, () => f.clock.now());
    tariff.attach();
    await back.start({ port });
    stops.push(() => void back.stop(), () => tariff.detach());
    await until('the journal delivered and the FinalCost shown', () => f.agent.undelivered === 0 && /^Total [\d.]+ EUR$/.test(costLine() ?? ''), 15_000, 20, () => f.advance(1000));
    const final = JSON.parse((back.traffic((r) => r.direction === 'out' && r.kind === 'call' && r.action === 'DataTransfer' && (r.payload as { messageId: string }).messageId === 'FinalCost')[0]!.payload as { data: string }).data) as { cost: number };
    expect(costLine()).toBe(`Total ${final.cost.toFixed(2)} EUR`);
    expect(final.cost).toBeCloseTo(estimatedTotal, 1);
    expect(lines().some((l) => l.startsWith('Estimated'))).toBe(false);
  });

  it("multi-language texts in the driver's language; DefaultPriceText per language; price changes at the local time (TimeOffset and its transition)", async () => {
    const { f, tariff, service } = await pricedCharger();
    tariff.detach();
    const shown = () => service.screenOf(1)!.lines.map((l) => l.variants[0]);
    const change = (key: string, value: string) => f.csms.call(CP, 'ChangeConfiguration', { key, value });
    expect(await f.csms.call(CP, 'GetConfiguration', { key: ['CustomMultiLanguageMessages', 'DefaultPriceText,de', 'TimeOffset'] })).toMatchObject({
      configurationKey: [
        { key: 'CustomMultiLanguageMessages', readonly: true, value: 'true' },
        { key: 'DefaultPriceText,de', readonly: false, value: '' },
        { key: 'TimeOffset', readonly: false, value: '+00:00' },
      ],
    });
    expect(await change('DefaultPriceText,de', '{"priceTextOffline": "x"}')).toEqual({ status: 'Rejected' });
    expect(await change('DefaultPriceText,fr', '{"priceText": "0,39 EUR/kWh"}')).toEqual({ status: 'NotSupported' });
    expect(await change('TimeOffset', 'PST')).toEqual({ status: 'Rejected' });
    expect(await change('NextTimeOffsetTransitionDateTime', 'next sunday')).toEqual({ status: 'Rejected' });
    expect(await change('DefaultPrice', JSON.stringify({ priceText: '0.39 EUR/kWh' }))).toEqual({ status: 'Accepted' });
    expect(await change('DefaultPriceText,de', JSON.stringify({ priceText: '0,39 EUR/kWh (de)', priceTextOffline: 'Offline 0,45 EUR/kWh' }))).toEqual({ status: 'Accepted' });
    expect(shown()).toContain('0.39 EUR/kWh');
    expect(await change('Language', 'de')).toEqual({ status: 'Accepted' });
    expect(shown()).toContain('0,39 EUR/kWh (de)');
    expect(await change('Language', 'en')).toEqual({ status: 'Accepted' });

    // SetUserPrice with priceTextExtra: the driver (German, the CSMS told) reads the German one on an English charger.
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    service.setSessionLanguage(1, 'de');
    const send = (messageId: string, data: object) => f.csms.call(CP, 'DataTransfer', { vendorId: COST_VENDOR_ID, messageId, data: JSON.stringify(data) });
    const extra = [{ format: 'UTF8', language: 'de', content: '0,30 EUR/kWh, keine Standgebühr' }, { format: 'UTF8', language: 'nl', content: '€0,30/kWh' }];
    expect(await send('SetUserPrice', { idToken: CARD, priceText: '0.30 EUR/kWh, no idle fee', priceTextExtra: extra })).toEqual({ status: 'Accepted' });
    expect(shown()).toContain('0,30 EUR/kWh, keine Standgebühr');
    service.setSessionLanguage(1, undefined);
    expect(shown()).toContain('0.30 EUR/kWh, no idle fee');

    // The price changes at 16:00 UTC: 08:00 in California (-08:00), 09:00 after the switch to summer time (-07:00).
    const txId = f.csms.transactions(CP)[0]!.transactionId;
    const atTime = new Date(f.clock.now() + 3600_000).toISOString();
    const local = (offsetHours: number) => new Date(Date.parse(atTime) + offsetHours * 3600_000).toISOString().slice(11, 16);
    const rc = { transactionId: txId, timestamp: new Date(f.clock.now()).toISOString(), meterValue: 0, cost: 0, state: 'Charging', chargingPrice: { kWhPrice: 0.3 }, nextPeriod: { atTime, chargingPrice: { kWhPrice: 0.2 } } };
    expect(await change('TimeOffset', '-08:00')).toEqual({ status: 'Accepted' });
    expect(await send('RunningCost', rc)).toEqual({ status: 'Accepted' });
    expect(shown()).toContain(`New price from ${local(-8)}`);
    expect(await change('NextTimeOffsetTransitionDateTime', new Date(f.clock.now() + 60_000).toISOString())).toEqual({ status: 'Accepted' });
    expect(await change('TimeOffsetNextTransition', '-07:00')).toEqual({ status: 'Accepted' });
    expect(await send('RunningCost', rc)).toEqual({ status: 'Accepted' });
    expect(shown()).toContain(`New price from ${local(-7)}`);
  });
});
