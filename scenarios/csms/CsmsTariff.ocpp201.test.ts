/**
 * The embedded CSMS's tariff with a bare strict 2.0.1 client standing in for the station (the real
 * agent is in agent/pricing/ocpp201.test.ts): what each TransactionEvent answer bills, including the
 * idle time the station reports with chargingState (Updated, triggerReason ChargingStateChanged).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsmsTariff } from './CsmsTariff.js';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { closeAll, connectStub, type StubChargePoint } from './stubChargePoint.js';

const T0 = Date.UTC(2026, 0, 1, 8);
const MIN = 60_000;
let csms: EmbeddedCsms;
let url: string;
let now = T0;

beforeEach(async () => {
  now = T0;
  csms = new EmbeddedCsms({ now: () => now });
  ({ url } = await csms.start());
  new CsmsTariff(csms, { currency: 'EUR', flatFee: 1, kWhPrice: 0.4, hourPrice: 0, idle: { graceMinutes: 10, hourPrice: 6 }, receiptUrl: 'https://charge.example/receipt/{transactionId}' }, () => now).attach();
});

afterEach(async () => {
  await closeAll();
  await csms.stop();
});

const at = (min: number): string => new Date(T0 + min * MIN).toISOString();
const energy = (wh: number, timestamp: string, context?: string) => ({ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' }, ...(context && { context }) }] });

async function event(cp: StubChargePoint, seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', min: number, wh: number, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  now = T0 + min * MIN;
  const context = eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  return (await cp.call('TransactionEvent', {
    eventType,
    timestamp: at(min),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: 'TX-1' },
    evse: { id: 1, connectorId: 1 },
    meterValue: [energy(wh, at(min), context)],
    ...extra,
  })) as Record<string, unknown>;
}

describe("the embedded CSMS's tariff, OCPP 2.0.1", () => {
  it('bills in the TransactionEvent answers: the flat fee at Started, energy and idle time beyond the grace (chargingState SuspendedEV) at each Updated, the total in cents at Ended', async () => {
    const cp = await connectStub(url, 'CP201', { protocols: ['ocpp2.0.1'] });
    await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'test', vendorName: 'evse-agent' } });
    const authorized = (await cp.call('Authorize', { idToken: { idToken: 'CARD1', type: 'ISO14443' } })) as { idTokenInfo: { personalMessage?: { content: string } } };
    expect(authorized.idTokenInfo.personalMessage?.content).toBe('0.40 EUR/kWh, 1.00 EUR per session, idle 6.00 EUR/h after 10 min');

    const started = await event(cp, 0, 'Started', 0, 0, { idToken: { idToken: 'CARD1', type: 'ISO14443' }, transactionInfo: { transactionId: 'TX-1', chargingState: 'Charging' } });
    expect(started).toMatchObject({ idTokenInfo: { status: 'Accepted' }, totalCost: 1, updatedPersonalMessage: { format: 'UTF8', content: expect.stringContaining('0.40 EUR/kWh') } });
    expect(started.customData).toEqual({ vendorId: 'org.openchargealliance.costmsg', timestamp: at(0), meterValue: 0, state: 'Charging', chargingPrice: { kWhPrice: 0.4, hourPrice: 0, flatFee: 1 }, idlePrice: { graceMinutes: 10, hourPrice: 6 } });

    // 2 kWh, then the EV pauses: idle from minute 10.
    const paused = await event(cp, 1, 'Updated', 10, 2000, { triggerReason: 'ChargingStateChanged', transactionInfo: { transactionId: 'TX-1', chargingState: 'SuspendedEV' } });
    expect(paused).toMatchObject({ totalCost: 1.8, customData: { state: 'Idle', meterValue: 2000, idlePrice: { graceMinutes: 10 } } });
    // 30 min idle: 20 beyond the grace at 6 EUR/h.
    const resumed = await event(cp, 2, 'Updated', 40, 2000, { triggerReason: 'ChargingStateChanged', transactionInfo: { transactionId: 'TX-1', chargingState: 'Charging' } });
    expect(resumed).toMatchObject({ totalCost: 3.8, customData: { state: 'Charging' } });
    const ended = await event(cp, 3, 'Ended', 45, 3000, { transactionInfo: { transactionId: 'TX-1', stoppedReason: 'Local' } });
    expect(ended).toEqual({ totalCost: 4.2, updatedPersonalMessage: { format: 'UTF8', language: 'en', content: '3.00 kWh, 4.20 EUR' }, customData: { vendorId: 'org.openchargealliance.costmsg', qrCodeText: 'https://charge.example/receipt/TX-1' } });
    expect(csms.traffic((r) => r.action === 'DataTransfer')).toEqual([]);
    expect(csms.violations('CP201')).toEqual([]);
  });
});
