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

async function pricedCharger() {
  const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60 } });
  const tariff = new CsmsTariff(f.csms, TARIFF, () => f.clock.now());
  tariff.attach();
  const display = new SimDisplay({ id: 'display:0', width: 40, height: 8 });
  const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
  const pricing = new PricingService({ agent: f.agent, display: service, clock: f.clock, log, language: 'en', currency: 'EUR' });
  service.start();
  pricing.start();
  stops.push(() => pricing.stop(), () => service.stop(), () => tariff.detach());
  await f.advance(0);
  const lines = () => display.content?.lines ?? [];
  const costLine = () => lines().find((l) => l.startsWith('Cost so far ') || l.startsWith('Total '));
  const costShown = () => Number(/([\d.]+) EUR$/.exec(costLine() ?? '')?.[1] ?? NaN);
  return { f, tariff, display, service, lines, costLine, costShown };
}

const dataTransfers = (f: Awaited<ReturnType<typeof pricedCharger>>['f'], messageId: string) =>
  f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'out' && r.kind === 'call' && r.action === 'DataTransfer' && (r.payload as { messageId?: string }).messageId === messageId);

describe('OCA California Pricing over a strict CSMS', () => {
  it("SetUserPrice after Authorize shows the driver's price; RunningCost the cost so far, rising with energy and time; FinalCost the total with the receipt QR code", async () => {
    const { f, tariff, display, service, lines, costLine, costShown } = await pricedCharger();
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

    f.sim.rfid.tap(CARD);
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
});
