/**
 * MQTT start_session on a charger speaking OCPP 2.0.1: the identifier goes to the strict 2.0.1 CSMS
 * with the kind the command states, Local when it states none (not as an ISO14443 card). Real parts:
 * an in-process 2.0.1 agent on virtual time against the strict 2.0.1 stub CSMS, a real mosquitto.
 */
import { describe, expect, it } from 'vitest';
import type { CommandReplyPayload } from '../agent/telemetry/topics.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from './support/agent201Fixture.js';
import { useMqttCommands } from './support/mqttCommands.js';

const mqtt = useMqttCommands(cleanupAgents201);

/** Sends start_session commands through a TelemetryPublisher (commands on) once its subscription is in place; returns the replies. */
async function mqttStarts(f: Agent201Fixture, bodies: object[]): Promise<CommandReplyPayload[]> {
  const channel = await mqtt.commands(f);
  const replies: CommandReplyPayload[] = [];
  for (const body of bodies) replies.push(await channel.send('start_session', body));
  return replies;
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
