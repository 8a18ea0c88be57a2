/**
 * MQTT set_current_limit on a charger speaking OCPP 2.0.1: the local energy manager's limit is the
 * station's external constraint, told to the strict 2.0.1 CSMS with NotifyChargingLimit (source EMS)
 * and ClearedChargingLimit, and during a transaction a TransactionEvent ChargingRateChanged. Real
 * parts: an in-process 2.0.1 agent on virtual time against the strict 2.0.1 stub CSMS, a real mosquitto.
 */
import { describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from './support/agent201Fixture.js';
import { useMqttCommands, type CommandChannel } from './support/mqttCommands.js';

const mqtt = useMqttCommands(cleanupAgents201);

/** A TelemetryPublisher with commands on, once its subscription is in place; `limit` sends set_current_limit and waits for its reply. */
async function mqttCommands(f: Agent201Fixture): Promise<{ limit(body: object): ReturnType<CommandChannel['send']> }> {
  const channel = await mqtt.commands(f);
  return { limit: (body) => channel.send('set_current_limit', body) };
}

describe('MQTT set_current_limit under OCPP 2.0.1', () => {
  it('NotifyChargingLimit (EMS) when set, TransactionEvent ChargingRateChanged for the running transaction, ClearedChargingLimit when lifted', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(1000);
    await f.waitForSent('TransactionEvent');
    const mqtt = await mqttCommands(f);

    expect(await mqtt.limit({ connector: 1, amps: 10 })).toEqual({ ok: true });
    await f.advance(1000);
    await f.waitForSent('NotifyChargingLimit');
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sim.connectors[0]!.pilot.currentOfferA).toBe(10);
    expect(f.sent('NotifyChargingLimit')[0]).toMatchObject({ chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: false }, evseId: 1, chargingSchedule: [{ chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] });
    expect(f.sent('TransactionEvent')[1]).toMatchObject({ eventType: 'Updated', triggerReason: 'ChargingRateChanged', seqNo: 1, meterValue: [{ sampledValue: [{ value: 10, measurand: 'Current.Offered' }] }] });

    // At the hardware maximum it is no limit: lifted.
    expect(await mqtt.limit({ connector: 1, amps: 32 })).toEqual({ ok: true });
    await f.advance(1000);
    await f.waitForSent('ClearedChargingLimit');
    await f.waitForSent('TransactionEvent', 3);
    expect(f.sent('ClearedChargingLimit')).toEqual([{ chargingLimitSource: 'EMS', evseId: 1 }]);
    expect(f.sent('TransactionEvent')[2]).toMatchObject({ triggerReason: 'ChargingRateChanged', seqNo: 2, meterValue: [{ sampledValue: [{ value: 32 }] }] });
    expect(f.sent('NotifyChargingLimit')).toHaveLength(1);
  });
});
