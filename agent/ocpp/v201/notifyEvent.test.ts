/**
 * Hardware faults on an OCPP 2.0.1 station over a strict 2.0.1 CSMS: the connector is reported
 * Faulted (StatusNotification) and the problem itself as a NotifyEvent of the failing component —
 * when it appears and when it clears.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201 } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('NotifyEvent', () => {
  it('a meter that stops answering: Faulted, a Problem event naming the fault, and a cleared event when it answers again', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { MeterValueSampleInterval: 60 } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');

    f.sim.connectors[0]!.meter.stopAnswering();
    await f.advance(2 * MINUTE, 10 * SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    await f.waitForSent('NotifyEvent');
    expect(f.sent('StatusNotification').at(-1)!.connectorStatus).toBe('Faulted');
    const [raised] = f.sent('NotifyEvent');
    expect(raised!.eventData).toEqual([
      expect.objectContaining({
        trigger: 'Alerting',
        actualValue: 'true',
        techCode: 'PowerMeterFailure',
        techInfo: expect.stringMatching(/.+/),
        component: { name: 'FiscalMetering', evse: { id: 1 } }, // the failing device's own component
        variable: { name: 'Problem' },
        eventNotificationType: 'HardWiredNotification',
      }),
    ]);
    expect(raised!.eventData[0]!.cleared).toBeUndefined();

    f.sim.connectors[0]!.meter.answerAgain();
    await f.advance(2 * MINUTE, 10 * SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    await f.waitForSent('NotifyEvent', 2);
    const cleared = f.sent('NotifyEvent')[1]!.eventData[0]!;
    expect(cleared).toMatchObject({ actualValue: 'false', cleared: true, techCode: 'PowerMeterFailure', component: { name: 'FiscalMetering', evse: { id: 1 } } });
    expect(cleared.eventId).toBe(raised!.eventData[0]!.eventId + 1);
    expect(f.sent('StatusNotification').at(-1)!.connectorStatus).toBe('Occupied');
  });

  it('a contactor that does not close: the Problem event names the PowerContactor of that EVSE', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    f.sim.connectors[1]!.relay.stick();
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(5 * SECOND);
    await f.waitForSent('NotifyEvent');
    expect(f.sent('NotifyEvent')[0]!.eventData[0]).toMatchObject({ techCode: 'PowerSwitchFailure', component: { name: 'PowerContactor', evse: { id: 2 } }, variable: { name: 'Problem' } });
  });

  it('a fault that ends a session tells its problem once, though the connector passes through Finishing at the same instant', async () => {
    const f = await agent201Fixture({ connectors: 1, tamperSwitch: true });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');

    f.sim.tamper!.open(); // the session ends (Finishing) and the connector goes Faulted
    await f.advance(10 * SECOND, SECOND);
    await f.waitForSent('NotifyEvent');
    await f.advance(10 * SECOND, SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    const problems = f.sent('NotifyEvent').flatMap((n) => n.eventData).filter((e) => e.variable.name === 'Problem');
    expect(problems.map((e) => e.actualValue)).toEqual(['true']); // not raised, cleared and raised again
    expect(problems[0]).toMatchObject({ techCode: 'OtherError', component: { evse: { id: 1 } } });
  });
});
