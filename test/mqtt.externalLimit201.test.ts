/**
 * MQTT set_current_limit on a charger speaking OCPP 2.0.1: the local energy manager's limit is the
 * station's external constraint, told to the strict 2.0.1 CSMS with NotifyChargingLimit (source EMS)
 * and ClearedChargingLimit, and during a transaction a TransactionEvent ChargingRateChanged. Real
 * parts: an in-process 2.0.1 agent on virtual time against the strict 2.0.1 stub CSMS, a real mosquitto.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import type { CommandReplyPayload } from '../agent/telemetry/topics.js';
import { agent201Fixture, cleanupAgents201, CP201, type Agent201Fixture } from './support/agent201Fixture.js';
import { record, startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';

const BASE = `test/${CP201}`;
let broker: Mosquitto;
let publisher: TelemetryPublisher | undefined;
let recorder: Recorder | undefined;

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});
afterEach(async () => {
  const p = publisher;
  publisher = undefined;
  if (p) await Promise.race([p.stop(), new Promise((r) => setTimeout(r, 3000))]);
  p?.client.end(true);
  await recorder?.end();
  recorder = undefined;
  await cleanupAgents201();
});

/** A TelemetryPublisher with commands on, once its subscription is in place; `limit` sends set_current_limit and waits for its reply. */
async function mqttCommands(f: Agent201Fixture): Promise<{ limit(body: object): Promise<CommandReplyPayload> }> {
  const r = (recorder = await record(broker.url, 'test/#'));
  publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: broker.url, reconnectMs: 200 }, prefix: 'test', clock: f.clock, intervalMs: 0, commands: true });
  publisher.start();
  const deadline = performance.now() + 5000;
  while (r.on(`${BASE}/cmd/probe/result`).length === 0) {
    if (performance.now() > deadline) throw new Error('command subscription not confirmed');
    await r.client.publishAsync(`${BASE}/cmd/probe`, '{}', { qos: 1 });
    await new Promise((res) => setTimeout(res, 50));
  }
  const topic = `${BASE}/cmd/set_current_limit/result`;
  return {
    async limit(body) {
      const before = r.on(topic).length;
      await r.client.publishAsync(`${BASE}/cmd/set_current_limit`, JSON.stringify(body), { qos: 1 });
      const until = performance.now() + 5000;
      while (r.on(topic).length <= before) {
        if (performance.now() > until) throw new Error('no set_current_limit reply');
        await f.settle();
        await new Promise((res) => setTimeout(res, 10));
      }
      return r.on<CommandReplyPayload>(topic)[before]!;
    },
  };
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
