/**
 * The driver's language from the CSMS (OCPP 2.0.1 IdTokenInfo.language1 with the card's
 * authorization) over a strict 2.0.1 CSMS: the session's screens speak it on an English charger;
 * a driver without one reads the charger's language.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import { agent201Fixture, cleanupAgents201 } from '../../test/support/agent201Fixture.js';
import { DISPLAY_DEFAULTS, DisplayService } from './DisplayService.js';

const log = pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' });
const GERMAN = '04A1B2C3D4E5F6';
const OTHER = '04FFEEDDCCBBAA';
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s();
  await cleanupAgents201();
});

describe("the driver's language from the CSMS (2.0.1 IdTokenInfo.language1)", () => {
  it("a German driver's session speaks German on an English charger; the next driver without a language reads English", async () => {
    const f = await agent201Fixture({
      connectors: 1,
      csms: { answers: { Authorize: (p) => ({ idTokenInfo: { status: 'Accepted', ...((p.idToken as { idToken: string }).idToken === GERMAN && { language1: 'de-DE' }) } }) } },
    });
    const display = new SimDisplay({ id: 'display:0', width: 40, height: 8 });
    const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
    service.start();
    stops.push(() => service.stop());
    const session = async (card: string): Promise<string[]> => {
      f.sim.connectors[0]!.ev.plugIn();
      await f.advance(1000);
      f.sim.rfid.tap(card);
      await f.advance(5000);
      await f.settle();
      const shown = [...(display.content?.lines ?? [])];
      f.sim.connectors[0]!.ev.unplug();
      await f.advance(2 * DISPLAY_DEFAULTS.summaryMs, 5000);
      return shown;
    };
    expect(await session(GERMAN)).toEqual(expect.arrayContaining([expect.stringMatching(/^Lädt mit \d+,\d kW$/), expect.stringMatching(/kWh geladen$/)]));
    expect(await session(OTHER)).toEqual(expect.arrayContaining([expect.stringMatching(/^Charging \d+\.\d kW$/)]));
    expect(display.content?.lines[0]).toBe('Ready to charge');
  });

  it('a transaction begun at the plug-in (TxStartPoint EVConnected) speaks the language of the driver whose card authorizes it', async () => {
    const f = await agent201Fixture({
      connectors: 1,
      ocpp: { TxStartPoint: 'EVConnected' },
      csms: { answers: { Authorize: () => ({ idTokenInfo: { status: 'Accepted', language1: 'de-DE' } }) } },
    });
    const display = new SimDisplay({ id: 'display:0', width: 40, height: 8 });
    const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
    service.start();
    stops.push(() => service.stop());
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    await f.waitForSent('TransactionEvent');
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ eventType: 'Started', triggerReason: 'CablePluggedIn' });
    expect(f.sent('TransactionEvent')[0]!.idToken).toBeUndefined();
    await f.settle();
    // Nobody has said who they are yet: the charger's language.
    expect(display.content?.lines.join('\n')).not.toMatch(/Karte|Lädt/);
    f.sim.rfid.tap(GERMAN);
    await f.advance(5000);
    await f.waitForSent('TransactionEvent', 3);
    await f.settle();
    expect(f.sent('TransactionEvent')[1]).toMatchObject({ eventType: 'Updated', triggerReason: 'Authorized', idToken: { idToken: GERMAN } });
    expect(display.content?.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^Lädt mit \d+,\d kW$/)]));
  });
});
