/**
 * Transaction events on MQTT at the moment they happen, also while the CSMS is unreachable: a
 * session run offline shows `started` and `stopped` at once (transactionId null), and when the
 * CSMS is back a `confirmed` follow-up links the session to the transactionId the CSMS assigned.
 * Real mosquitto and the embedded strict CSMS on 127.0.0.1, in-process agent on virtual time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentFixture, CP, type AgentFixture } from './support/agentFixture.js';
import { hashIdTag } from '../agent/auth/idTagHash.js';
import { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import type { TransactionPayload } from '../agent/telemetry/topics.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { closeTelemetryTestbed, trackedRecorder } from './support/telemetryTestbed.js';
import { startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';

const CARD = '04A1B2C3D4E5F6';
const TOPIC = `test/${CP}/transaction`;
let broker: Mosquitto;
let f: AgentFixture;
let publisher: TelemetryPublisher | undefined;
const recorders: Recorder[] = [];
const others: EmbeddedCsms[] = [];

beforeEach(async () => {
  broker = await startMosquitto();
  f = await agentFixture({ ocpp: { LocalAuthorizeOffline: true } });
});

afterEach(async () => {
  const p = publisher;
  publisher = undefined;
  await closeTelemetryTestbed({ publisher: p, recorders, broker });
  for (const c of others.splice(0)) await c.stop();
});

describe('MQTT transaction events', () => {
  it('reports an offline session at once and links it to the transactionId when the CSMS returns', async () => {
    const r = await trackedRecorder(broker, recorders, TOPIC);
    publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: broker.url, reconnectMs: 200 }, prefix: 'test', clock: f.clock, intervalMs: 0 });
    publisher.start();
    const list = [{ idTag: CARD, idTagInfo: { status: 'Accepted' as const } }];
    expect(await f.csms.call(CP, 'SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList: list })).toEqual({ status: 'Accepted' });
    const port = Number(new URL(f.csms.url).port);
    await f.csms.stop();
    await f.advance(2000);
    expect(f.agent.link.isAccepted).toBe(false);

    const ev = f.sim.connectors[0]!.ev;
    ev.plugIn();
    await f.advance(1000);
    const startedAt = f.clock.now();
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    // In real time, with the CSMS still away: the start is on MQTT already.
    await r.waitFor((m) => m.length === 1, 'started while offline');
    const [started] = r.on<Extract<TransactionPayload, { event: 'started' }>>(TOPIC);
    expect(started).toEqual({ event: 'started', sessionId: expect.any(String), connectorId: 1, transactionId: null, idTagHash: hashIdTag(CARD), meterStartWh: expect.any(Number), ts: expect.any(String) });
    expect(Date.parse(started!.ts) - startedAt).toBeLessThanOrEqual(1000);

    await f.advance(600_000, 10_000);
    ev.unplug();
    await f.advance(5000);
    await r.waitFor((m) => m.length === 2, 'stopped while offline');
    const stopped = r.on<Extract<TransactionPayload, { event: 'stopped' }>>(TOPIC)[1]!;
    expect(stopped).toMatchObject({ event: 'stopped', sessionId: started!.sessionId, connectorId: 1, transactionId: null, idTagHash: hashIdTag(CARD), reason: 'EVDisconnected' });
    expect(stopped.energyWh).toBe(stopped.meterStopWh - started!.meterStartWh);
    expect(stopped.energyWh).toBeGreaterThan(1000); // ten minutes of charging
    expect(f.agent.link.isAccepted).toBe(false);

    // The CSMS comes back on the same address: the journal delivers, MQTT gets the follow-up.
    const back = new EmbeddedCsms({ now: () => f.clock.now(), pingIntervalMs: 0 });
    others.push(back);
    back.setBootPolicy({ interval: 3600 });
    await back.start({ port });
    for (let s = 0; s < 60 && !back.transactions(CP)[0]?.stop; s++) await f.advance(1000);
    const tx = back.transactions(CP)[0]!;
    expect(tx.stop).toBeDefined();
    await r.waitFor((m) => m.length === 3, 'confirmed after the CSMS returned');
    expect(r.on(TOPIC)[2]).toEqual({ event: 'confirmed', sessionId: started!.sessionId, connectorId: 1, transactionId: tx.transactionId, idTagStatus: 'Accepted', ts: expect.any(String) });
    // Times are the charger's: the start and stop carry when they happened, not when delivered.
    expect(started!.ts).toBe(tx.startTimestamp);
    expect(stopped.meterStopWh).toBe(tx.stop!.meterStop);
    expect(stopped.ts).toBe(tx.stop!.timestamp);
    expect(r.messages.every((m) => !m.retain)).toBe(true);
  });
});
