/**
 * One way into a session: a card at the reader, a CSMS RemoteStartTransaction, an MQTT
 * start_session and the fleet control API start a session on the same connector in the same
 * situation. Real parts throughout: an in-process agent on virtual time against the embedded strict
 * CSMS, a real mosquitto for MQTT, the fleet control command runner on the same agent.
 */
import { describe, expect, it } from 'vitest';
import type { CommandReplyPayload } from '../agent/telemetry/topics.js';
import { runChargerCommand } from '../scenarios/fleet/controlCharger.js';
import { agentFixture, cleanupAgents, CP, type AgentFixture } from './support/agentFixture.js';
import { useMqttCommands } from './support/mqttCommands.js';

const MEMBER = 'AB12CD34';
const mqtt = useMqttCommands(cleanupAgents);

/** MQTT start_session through a TelemetryPublisher with commands on, once its subscription is in place. */
async function mqttStart(f: AgentFixture, idTag: string): Promise<CommandReplyPayload> {
  return (await mqtt.commands(f)).send('start_session', { idTag });
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
