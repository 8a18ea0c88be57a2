/**
 * MQTT start_session on a charger speaking OCPP 2.0.1: the identifier goes to the strict 2.0.1 CSMS
 * with the kind the command states, Local when it states none (not as an ISO14443 card). Real parts:
 * an in-process 2.0.1 agent on virtual time against the strict 2.0.1 stub CSMS, a real mosquitto.
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

/** Sends start_session commands through a TelemetryPublisher (commands on) once its subscription is in place; returns the replies. */
async function mqttStarts(f: Agent201Fixture, bodies: object[]): Promise<CommandReplyPayload[]> {
  const r = (recorder = await record(broker.url, 'test/#'));
  publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: broker.url, reconnectMs: 200 }, prefix: 'test', clock: f.clock, intervalMs: 0, commands: true });
  publisher.start();
  const deadline = performance.now() + 5000;
  while (r.on(`${BASE}/cmd/probe/result`).length === 0) {
    if (performance.now() > deadline) throw new Error('command subscription not confirmed');
    await r.client.publishAsync(`${BASE}/cmd/probe`, '{}', { qos: 1 });
    await new Promise((res) => setTimeout(res, 50));
  }
  const topic = `${BASE}/cmd/start_session/result`;
  for (const [i, body] of bodies.entries()) {
    await r.client.publishAsync(`${BASE}/cmd/start_session`, JSON.stringify(body), { qos: 1 });
    while (r.on(topic).length <= i) {
      if (performance.now() > deadline + 5000) throw new Error('no start_session reply');
      await f.settle();
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  return r.on<CommandReplyPayload>(topic);
}

describe('MQTT start_session under OCPP 2.0.1', () => {
  it('sends the identifier as Local when the command states no kind, and as the kind it states', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(1000);
    const replies = await mqttStarts(f, [{ idTag: 'HOME-APP', connector: 1 }, { idTag: 'DE8ACC12345678', idTokenType: 'eMAID', connector: 2 }, { idTag: 'X', idTokenType: 'Card' }]);
    expect(replies).toEqual([
      { ok: true, connector: 1 },
      { ok: true, connector: 2 },
      { ok: false, error: expect.stringContaining('idTokenType must be one of') },
    ]);
    await f.advance(2000);
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sent('Authorize').map((a) => a.idToken)).toEqual([{ idToken: 'HOME-APP', type: 'Local' }, { idToken: 'DE8ACC12345678', type: 'eMAID' }]);
    expect(f.sent('TransactionEvent').map((e) => [e.eventType, e.evse?.id, e.idToken])).toEqual([
      ['Started', 1, { idToken: 'HOME-APP', type: 'Local' }],
      ['Started', 2, { idToken: 'DE8ACC12345678', type: 'eMAID' }],
    ]);
  });
});
