/**
 * MQTT start_session on a charger speaking OCPP 2.0.1: the identifier goes to the strict 2.0.1 CSMS
 * with the kind the command states, Local when it states none (not as an ISO14443 card). Real parts:
 * an in-process 2.0.1 agent on virtual time against the strict 2.0.1 stub CSMS, a real mosquitto.
 */
import { describe, expect, it } from 'vitest';
import type { CommandReplyPayload, TransactionPayload } from '../agent/telemetry/topics.js';
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

  it('a transaction begun at the plug-in (TxStartPoint EVConnected) is published started without a driver, then authorized with the card', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { TxStartPoint: 'EVConnected' } });
    const channel = await mqtt.commands(f);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    await f.waitForSent('TransactionEvent', 1);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(2000);
    await f.waitForSent('TransactionEvent', 2);
    const events = async (): Promise<TransactionPayload[]> => {
      const until = performance.now() + 5000;
      while (!channel.received<TransactionPayload>('transaction').some((e) => e.event === 'authorized')) {
        if (performance.now() > until) break;
        await f.settle();
        await new Promise((res) => setTimeout(res, 10));
      }
      return channel.received<TransactionPayload>('transaction');
    };
    const published = await events();
    const started = published.find((e) => e.event === 'started');
    const authorized = published.find((e) => e.event === 'authorized');
    expect(started).toMatchObject({ event: 'started', connectorId: 1 });
    // Identifiers go out hashed by default (telemetry idTags mode): none at the plug-in, the card's once authorized.
    expect(started).not.toHaveProperty('idTagHash');
    expect(started).not.toHaveProperty('idTag');
    expect(authorized).toMatchObject({ event: 'authorized', connectorId: 1, idTagHash: expect.stringMatching(/^\S+$/), sessionId: started!.sessionId });
    expect(JSON.stringify(published)).not.toContain('04A1B2C3D4E5F6');
    expect(published.indexOf(authorized!)).toBeGreaterThan(published.indexOf(started!));
  });
});
