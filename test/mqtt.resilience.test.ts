/**
 * Telemetry when the broker goes away: the agent keeps charging and talking OCPP, telemetry waits
 * in a bounded queue (oldest dropped, counted) and goes out after the reconnect; retained state is
 * restored on a broker that lost it; the Last Will marks the charger offline when the connection
 * dies without a DISCONNECT.
 *
 * Reconnects that must not race a test subscriber are triggered by hand (`client.reconnect()`,
 * with mqtt.js's own retry set to a minute); the automatic one is tested where order does not matter.
 */
import type { Socket } from 'node:net';
import { connect } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { CP, startSession } from './support/agentFixture.js';
import { telemetryClientOptions } from '../agent/telemetry/mqttClient.js';
import type { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import { TelemetryTopics, type MeterPayload, type StatusPayload } from '../agent/telemetry/topics.js';
import { telemetryTestbed } from './support/telemetryTestbed.js';
import { until as pollUntil } from './support/until.js';

const BASE = `test/${CP}`;
const tb = telemetryTestbed({ reconnectMs: 60_000 });

/** Polls `cond` every 10 ms for at most `ms` of real time. */
const until = (cond: () => boolean, what: string, ms = 5000): Promise<void> => pollUntil(what, cond, ms, 10);

/** Takes the broker down mid-session, runs the rest of the session (unplug) in the outage. */
async function sessionWithOutage(p: TelemetryPublisher): Promise<void> {
  await until(() => p.stats.connected, 'publisher connected');
  await startSession(tb.f);
  await tb.f.advance(10_000);
  await tb.broker.stop();
  await until(() => !p.stats.connected, 'publisher noticed the broker is gone');
  await tb.f.advance(60_000);
  tb.f.sim.connectors[0]!.ev.unplug();
  await tb.f.advance(5000);
  // OCPP and charging never noticed.
  expect(tb.f.sent('StopTransaction')).toHaveLength(1);
  expect(tb.f.agent.connectors[0]!.status).toBe('Available');
}

describe('MQTT telemetry when the broker goes away', () => {
  it('buffers during a broker restart and delivers in order afterwards, then restores retained state', async () => {
    const p = tb.startPublisher();
    await sessionWithOutage(p);
    const queued = p.stats.queued;
    expect(queued).toBeGreaterThan(8); // 6 meter samples + 6 counters + status, pilot, transaction events
    expect(p.stats.dropped).toBe(0);

    await tb.broker.restart(); // no persistence: retained state is gone
    const r = await tb.recorder();
    p.client.reconnect();
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/transaction`) && m.some((x) => x.topic === `${BASE}/online`), 'queued messages and state');
    await until(() => p.stats.queued === 0, 'queue drained');

    // The outage's meter samples arrive in order, and the stop that happened offline is reported.
    const samples = r.on<MeterPayload>(`${BASE}/connector/1/meter`).map((m) => Date.parse(m.ts));
    expect(samples.length).toBeGreaterThanOrEqual(6);
    expect([...samples].sort((a, b) => a - b)).toEqual(samples);
    expect(r.on(`${BASE}/transaction`)).toContainEqual(expect.objectContaining({ event: 'stopped', connectorId: 1 }));
    expect(r.on<StatusPayload>(`${BASE}/connector/1/status`).at(-1)!.status).toBe('Available');

    // A late subscriber finds the whole retained state again, current.
    const late = await tb.recorder();
    await late.waitFor((m) => ['online', 'info', 'ocpp', 'connector/1/status', 'connector/1/pilot', 'connector/1/meter'].every((t) => m.some((x) => x.topic === `${BASE}/${t}`)), 'retained state after restart');
    expect(late.on(`${BASE}/online`)).toEqual([expect.objectContaining({ online: true })]);
    expect(late.on(`${BASE}/connector/1/status`)).toEqual([expect.objectContaining({ status: 'Available' })]);
    expect(late.on(`${BASE}/connector/1/pilot`)).toEqual([expect.objectContaining({ state: 'A' })]);
  });

  it('drops the oldest messages beyond the queue bound and counts them', async () => {
    const p = tb.startPublisher({ queueLimit: 5 });
    await sessionWithOutage(p);
    expect(p.stats.queued).toBe(5);
    const dropped = p.stats.dropped;
    expect(dropped).toBeGreaterThan(3);

    await tb.broker.restart();
    const r = await tb.recorder();
    p.client.reconnect();
    await until(() => p.stats.queued === 0 && p.stats.connected, 'queue drained');
    // The next counters message reports the drops.
    await tb.f.advance(10_000);
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/telemetry` && (x.json as { dropped: number }).dropped === dropped), 'drop counter published');
    // The newest outage messages survived: the offline stop is there; the first outage samples are not.
    expect(r.on(`${BASE}/transaction`)).toContainEqual(expect.objectContaining({ event: 'stopped' }));
    const firstOutageSampleTs = Date.parse(tb.f.sent('StartTransaction')[0]!.timestamp) + 20_000;
    const outageSamples = r.on<MeterPayload>(`${BASE}/connector/1/meter`).filter((m) => Date.parse(m.ts) <= firstOutageSampleTs + 1000 && m.powerW > 0);
    expect(outageSamples).toEqual([]);
  });

  it('reconnects by itself after a broker restart and republishes the retained state', async () => {
    const p = tb.startPublisher({ mqtt: { url: tb.broker.url, reconnectMs: 100 } });
    await startSession(tb.f);
    await until(() => p.stats.connected && p.stats.published > 5, 'published');
    await tb.broker.restart();
    await until(() => !p.stats.connected, 'disconnect noticed', 2000).catch(() => undefined);
    await until(() => p.stats.connected, 'reconnected');
    const late = await tb.recorder();
    await late.waitFor((m) => m.some((x) => x.topic === `${BASE}/connector/1/status`) && m.some((x) => x.topic === `${BASE}/online`), 'retained state');
    // QoS 1 is at least once: a status still unacknowledged when the broker went down is sent again
    // by the client beside the republished retained state, so a subscriber may see the same current
    // message twice; never an old one.
    const statuses = late.on<StatusPayload>(`${BASE}/connector/1/status`);
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses.map((s) => s.status))).toEqual(new Set(['Charging']));
    expect(new Set(late.on<{ online: boolean }>(`${BASE}/online`).map((o) => o.online))).toEqual(new Set([true]));
  });

  it('runs a whole session with the broker unreachable from the start, then delivers', async () => {
    await tb.broker.stop();
    const p = tb.startPublisher();
    await startSession(tb.f);
    await tb.f.advance(30_000);
    expect(tb.f.sent('StartTransaction')).toHaveLength(1);
    expect(p.stats.connected).toBe(false);
    expect(p.stats.queued).toBeGreaterThan(5);
    await tb.broker.restart();
    const r = await tb.recorder();
    p.client.reconnect();
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/transaction`), 'transaction started after connect');
    expect(r.on(`${BASE}/transaction`)[0]).toMatchObject({ event: 'started', connectorId: 1 });
  });

  it('the Last Will marks the charger offline (retained) when the connection dies uncleanly', async () => {
    const topics = new TelemetryTopics('test', CP);
    // The owner creates the client (as bin/ may): it carries the Will from telemetryClientOptions.
    const client = connect(tb.broker.url, telemetryClientOptions({ url: tb.broker.url, reconnectMs: 60_000 }, topics, CP));
    const p = tb.startPublisher({ mqtt: client });
    const r = await tb.recorder(`${BASE}/online`);
    await r.waitFor((m) => m.some((x) => (x.json as { online: boolean }).online), 'online');

    // An unclean death: the TCP socket goes away without an MQTT DISCONNECT, as on a crash or power loss.
    (client.stream as Socket).destroy();
    await r.waitFor((m) => m.some((x) => (x.json as { online: boolean }).online === false), 'the Will');
    expect(r.on(`${BASE}/online`).at(-1)).toEqual({ online: false, reason: 'connection lost' });
    const late = await tb.recorder(`${BASE}/online`);
    await late.waitFor((m) => m.length > 0, 'retained Will');
    expect(late.messages[0]).toMatchObject({ retain: true, json: { online: false, reason: 'connection lost' } });

    // Back: online again; a clean stop says why it went away.
    client.reconnect();
    await r.waitFor((m) => (m.at(-1)?.json as { online: boolean }).online === true, 'online again');
    await p.stop();
    tb.publisher = undefined;
    await r.waitFor((m) => (m.at(-1)?.json as { reason?: string }).reason === 'shutdown', 'shutdown marker');
    expect(r.on(`${BASE}/online`).at(-1)).toMatchObject({ online: false, reason: 'shutdown' });
    client.end(true);
  });
});
