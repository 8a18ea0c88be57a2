/**
 * One way into a session: a card at the reader, a CSMS RemoteStartTransaction, an MQTT
 * start_session and the fleet control API start a session on the same connector in the same
 * situation. Real parts throughout: an in-process agent on virtual time against the embedded strict
 * CSMS, a real mosquitto for MQTT, the fleet control command runner on the same agent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import type { CommandReplyPayload } from '../agent/telemetry/topics.js';
import { runChargerCommand } from '../scenarios/fleet/controlCharger.js';
import { agentFixture, cleanupAgents, CP, type AgentFixture } from './support/agentFixture.js';
import { record, startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';

const MEMBER = 'AB12CD34';
const BASE = `test/${CP}`;
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
  await cleanupAgents();
});

/** MQTT start_session through a TelemetryPublisher with commands on, once its subscription is in place. */
async function mqttStart(f: AgentFixture, idTag: string): Promise<CommandReplyPayload> {
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
  await r.client.publishAsync(`${BASE}/cmd/start_session`, JSON.stringify({ idTag }), { qos: 1 });
  while (r.on(topic).length === 0) {
    if (performance.now() > deadline + 5000) throw new Error('no start_session reply');
    await f.settle();
    await new Promise((res) => setTimeout(res, 10));
  }
  return r.on<CommandReplyPayload>(topic)[0]!;
}

type Way = 'card' | 'ocpp' | 'mqtt' | 'fleet';
const WAYS: Way[] = ['card', 'ocpp', 'mqtt', 'fleet'];

/**
 * Starts a session for `idTag` the given way. The fleet API names its connector: it is asked for
 * the connector the other ways choose, which must then be usable for this idTag.
 */
async function startBy(way: Way, f: AgentFixture, idTag: string, fleetConnector: number): Promise<void> {
  switch (way) {
    case 'card':
      f.sim.rfid.tap(idTag);
      break;
    case 'ocpp':
      expect(await f.csms.call(CP, 'RemoteStartTransaction', { idTag })).toEqual({ status: 'Accepted' });
      break;
    case 'mqtt':
      expect(await mqttStart(f, idTag)).toEqual({ ok: true, connector: fleetConnector });
      break;
    case 'fleet': {
      const m = { id: CP, agent: f.agent, sim: f.sim, behaviour: undefined };
      const result = await runChargerCommand(m, { closed: new Set() }, { type: 'startTransaction', id: CP, connector: fleetConnector, idTag });
      expect(result).toMatchObject({ status: 202 });
      break;
    }
  }
  await f.advance(2000);
}

describe('every way into a session chooses the same connector', () => {
  it.each(WAYS)('%s: the connector reserved for the idTag’s group (parentIdTag), not the one where a cable waits', async (way) => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    f.csms.setAuthorization({ [MEMBER]: { status: 'Accepted', parentIdTag: 'FLEET' } });
    const expiryDate = new Date(f.clock.now() + 3_600_000).toISOString();
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate, idTag: 'OWNER', parentIdTag: 'FLEET', reservationId: 5 })).toEqual({ status: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Reserved', 'Preparing']);

    await startBy(way, f, MEMBER, 1);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: MEMBER, reservationId: 5 })]);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Charging', 'Preparing']);
  });

  it.each(WAYS)('%s: where a cable waits rather than a free connector; never one reserved for someone else', async (way) => {
    const f = await agentFixture({ charger: { connectors: 3 } });
    f.csms.setAuthorization({ [MEMBER]: { status: 'Accepted' } });
    const expiryDate = new Date(f.clock.now() + 3_600_000).toISOString();
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate, idTag: 'OWNER', parentIdTag: 'FLEET', reservationId: 6 })).toEqual({ status: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.connectors[2]!.ev.plugIn();
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Reserved', 'Available', 'Preparing']);

    await startBy(way, f, MEMBER, 3);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 3, idTag: MEMBER })]);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Reserved', 'Available', 'Charging']);
  });
});
