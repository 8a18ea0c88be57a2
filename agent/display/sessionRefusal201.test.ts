/**
 * A running 2.0.1 session whose TransactionEvent answer refuses its idToken with a status 1.6 lacks
 * (E05: any status but Accepted): StopTxOnInvalidId ends it (Deauthorized / DeAuthorized), else
 * MaxEnergyOnInvalidId holds it (SuspendedEVSE); the driver display says the specific reason in its
 * language. Over the strict 2.0.1 CSMS, with the display service on a simulated display.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import { DISPLAY_DEFAULTS, DisplayService } from './DisplayService.js';
import type { TransactionEventRequest } from '../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../test/support/agent201Fixture.js';

const services: DisplayService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) s.stop();
  await cleanupAgents201();
});

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';

/** The CSMS accepts the card (Authorize) but its Started TransactionEvent answer says `status`. */
const refusingStart = (status: string) => ({
  TransactionEvent: (params: unknown) => ((params as TransactionEventRequest).eventType === 'Started' ? { idTokenInfo: { status } } : {}),
});

function withDisplay(f: Agent201Fixture): { lines: () => readonly string[] } {
  const display = new SimDisplay({ id: 'display:0', width: 40, height: 6 });
  const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log: pino({ level: 'silent' }), settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
  services.push(service);
  service.start();
  return { lines: () => display.content?.lines ?? [] };
}

async function startByCard(f: Agent201Fixture): Promise<void> {
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap(CARD);
  await f.advance(SECOND);
  await f.waitForSent('TransactionEvent');
  await f.advance(SECOND);
}

describe('a 2.0.1 session refused by its TransactionEvent answer', () => {
  it.each([
    ['NoCredit', 'No credit left on your account'],
    ['NotAtThisLocation', 'Not allowed at this charger'],
    ['NotAtThisTime', 'Not allowed at this time'],
  ])('%s with StopTxOnInvalidId: the transaction ends Deauthorized and the display says why (%s)', async (status, text) => {
    const f = await agent201Fixture({ connectors: 1, csms: { answers: refusingStart(status) } });
    const { lines } = withDisplay(f);
    await startByCard(f);
    await f.waitForSent('TransactionEvent', 2);
    const ended = f.sent('TransactionEvent').find((e) => e.eventType === 'Ended');
    expect(ended).toMatchObject({ triggerReason: 'Deauthorized', transactionInfo: { stoppedReason: 'DeAuthorized' } });
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
    expect(lines()[0]).toBe(text);
    expect(lines().at(-1)).toBe('Please unplug your vehicle');
    // The cache keeps the status as said.
    expect(f.agent.authCache.get(CARD, 'ISO14443')?.status).toBe(status);
  });

  it('without StopTxOnInvalidId and no energy allowed, the EVSE withholds power (SuspendedEVSE) and says why, in German', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { StopTransactionOnInvalidId: false, MaxEnergyOnInvalidId: 0, Language: 'de' }, csms: { answers: refusingStart('NotAtThisTime') } });
    const { lines } = withDisplay(f);
    await startByCard(f);
    await f.advance(5 * SECOND, SECOND);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEVSE');
    expect(f.sent('TransactionEvent').map((e) => e.eventType)).not.toContain('Ended');
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sent('TransactionEvent')[1]).toMatchObject({ eventType: 'Updated', triggerReason: 'ChargingStateChanged', transactionInfo: { chargingState: 'SuspendedEVSE' } });
    expect(lines()).toContain('Zu dieser Zeit nicht erlaubt');
  });

  it('Accepted: nothing of the kind (the session charges, the screen shows no refusal)', async () => {
    const f = await agent201Fixture({ connectors: 1, csms: { answers: refusingStart('Accepted') } });
    const { lines } = withDisplay(f);
    await startByCard(f);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(lines()[0]).toMatch(/^Charging /);
    expect(lines().join(' ')).not.toMatch(/not allowed|credit/i);
  });
});
