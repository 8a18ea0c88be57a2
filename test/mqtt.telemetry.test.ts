/**
 * Telemetry against a real mosquitto on 127.0.0.1 with an in-process agent (virtual time,
 * simulated hardware, embedded strict CSMS): a full session's topics and payloads, retained state
 * for late subscribers, the idTag never published raw.
 */
import { describe, expect, it } from 'vitest';
import { agentFixture, startSession } from './support/agentFixture.js';
import { hashIdTag } from '../agent/auth/idTagHash.js';
import type { MeterPayload, StatusPayload, TransactionPayload } from '../agent/telemetry/topics.js';
import { telemetryTestbed } from './support/telemetryTestbed.js';

const CARD = '04A1B2C3D4E5F6';
const BASE = 'test/AGENT-T1';
const tb = telemetryTestbed({ version: '9.9.9-test' });

describe('MQTT telemetry during a session', () => {
  it('publishes status, pilot, meter, transactions and the agent state under <prefix>/<id>/', async () => {
    const r = await tb.recorder();
    const p = tb.startPublisher();
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/connector/1/status`), 'initial status');

    await startSession(tb.f, CARD);
    await tb.f.advance(60_000);
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/transaction`), 'transaction started');
    tb.f.sim.connectors[0]!.ev.unplug();
    await tb.f.advance(5000);
    await r.waitFor(() => r.on<TransactionPayload>(`${BASE}/transaction`).length === 3 && r.on<StatusPayload>(`${BASE}/connector/1/status`).at(-1)?.status === 'Available', 'stop and Available');

    expect(r.on(`${BASE}/online`)).toContainEqual(expect.objectContaining({ online: true }));
    expect(r.on(`${BASE}/info`)[0]).toMatchObject({ chargePointId: 'AGENT-T1', version: '9.9.9-test', vendor: 'evse-agent', model: 'test', connectors: [1] });
    expect(r.on(`${BASE}/ocpp`).at(-1)).toMatchObject({ state: 'accepted', connected: true });

    const statuses = r.on<StatusPayload>(`${BASE}/connector/1/status`).map((s) => s.status);
    expect(statuses[0]).toBe('Available');
    expect(statuses).toEqual(expect.arrayContaining(['Preparing', 'Charging', 'Available']));
    expect(statuses.indexOf('Charging')).toBeGreaterThan(statuses.indexOf('Preparing'));
    expect(r.on<StatusPayload>(`${BASE}/connector/1/status`)[0]).toMatchObject({ connectorId: 1, errorCode: 'NoError', faults: [] });
    expect(r.on(`${BASE}/status`)[0]).toMatchObject({ connectorId: 0, status: 'Available' });

    const pilot = r.on<{ state: string; currentOfferA: number }>(`${BASE}/connector/1/pilot`);
    expect(pilot.map((s) => s.state)).toEqual(expect.arrayContaining(['A', 'B', 'C']));
    expect(pilot.find((s) => s.state === 'C')!.currentOfferA).toBeGreaterThan(0);

    const meter = r.on<MeterPayload>(`${BASE}/connector/1/meter`);
    const charging = meter.filter((m) => m.powerW > 1000);
    // 60 s of charging at 10 s intervals: at least 5 interval samples, and every field typed.
    expect(charging.length).toBeGreaterThanOrEqual(5);
    expect(charging[0]).toEqual({ energyWh: expect.any(Number), powerW: expect.any(Number), currentA: [expect.any(Number), expect.any(Number), expect.any(Number)], voltageV: [230, 230, 230], frequencyHz: 50, ts: expect.any(String) });
    expect(charging.at(-1)!.energyWh).toBeGreaterThan(charging[0]!.energyWh);

    // Online: started (no transactionId yet), confirmed by the CSMS, then stopped with the id known.
    const [started, confirmed, stopped] = r.on<TransactionPayload>(`${BASE}/transaction`);
    const startReq = tb.f.sent('StartTransaction')[0]!;
    const stopReq = tb.f.sent('StopTransaction')[0]!;
    const sessionId = expect.stringMatching(/^[0-9a-f-]{36}$/);
    expect(started).toEqual({ event: 'started', sessionId, connectorId: 1, transactionId: null, idTagHash: hashIdTag(CARD), meterStartWh: startReq.meterStart, ts: startReq.timestamp });
    expect(confirmed).toEqual({ event: 'confirmed', sessionId: started!.sessionId, connectorId: 1, transactionId: stopReq.transactionId, idTagStatus: 'Accepted', ts: expect.any(String) });
    expect(stopped).toEqual({
      event: 'stopped', sessionId: started!.sessionId, connectorId: 1, transactionId: stopReq.transactionId, idTagHash: hashIdTag(CARD),
      meterStartWh: startReq.meterStart, meterStopWh: stopReq.meterStop, energyWh: stopReq.meterStop - startReq.meterStart, reason: stopReq.reason ?? 'Local', ts: stopReq.timestamp,
    });
    expect((stopped as { energyWh: number }).energyWh).toBeGreaterThan(100);

    // The idTag never appears raw, in any topic or payload.
    expect(r.messages.length).toBeGreaterThan(20);
    expect(r.messages.filter((m) => m.raw.includes(CARD) || m.topic.includes(CARD))).toEqual([]);
    // Retained state vs QoS-1 events.
    expect(p.stats).toMatchObject({ connected: true, queued: 0, dropped: 0 });
  });

  it('salts the idTag hash when configured', async () => {
    const r = await tb.recorder();
    tb.startPublisher({ idTagSalt: 'fleet-secret' });
    await startSession(tb.f, CARD);
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/transaction`), 'transaction started');
    expect(r.on<{ idTagHash: string }>(`${BASE}/transaction`)[0]!.idTagHash).toBe(hashIdTag(CARD, 'fleet-secret'));
    expect(hashIdTag(CARD, 'fleet-secret')).not.toBe(hashIdTag(CARD));
    expect(r.messages.some((m) => m.raw.includes(CARD))).toBe(false);
  });

  it('publishes the raw idTag only when configured to', async () => {
    const r = await tb.recorder();
    tb.startPublisher({ idTag: 'raw' });
    await startSession(tb.f, CARD);
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/transaction`), 'transaction started');
    expect(r.on(`${BASE}/transaction`)[0]).toMatchObject({ event: 'started', idTag: CARD });
    expect(r.on(`${BASE}/transaction`)[0]).not.toHaveProperty('idTagHash');
  });

  it('an EVSE with a temperature sensor has its temperature in the meter topic, and a Home Assistant sensor for it', async () => {
    tb.f = await agentFixture({ charger: { temperatureC: 31.26 } }); // the testbed's charger has none
    const r = await tb.recorder('#');
    tb.startPublisher({ homeAssistant: { enabled: true, discoveryPrefix: 'ha' } });
    await tb.f.advance(10_000); // the first interval reads the meter
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/connector/1/meter`), 'meter');
    expect(r.on<MeterPayload>(`${BASE}/connector/1/meter`)[0]!.temperatureC).toBe(31.3);
    await r.waitFor((m) => m.some((x) => x.topic === 'ha/sensor/AGENT-T1_c1_temperature/config'), 'temperature sensor config');
    expect(r.on('ha/sensor/AGENT-T1_c1_temperature/config')[0]).toMatchObject({ state_topic: `${BASE}/connector/1/meter`, device_class: 'temperature', unit_of_measurement: '°C' });
    tb.f.sim.connectors[0]!.temperature!.set(58);
    await tb.f.advance(10_000);
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/connector/1/meter` && (x.json as MeterPayload).temperatureC === 58), 'the new temperature at the next interval');
  });

  it('a late subscriber gets the current state from retained topics', async () => {
    tb.startPublisher();
    await startSession(tb.f, CARD);
    await tb.f.advance(20_000);
    await waitUntil(() => tb.publisher!.stats.published > 10);

    const late = await tb.recorder();
    const stateTopics = ['online', 'info', 'ocpp', 'status', 'telemetry', 'connector/1/status', 'connector/1/pilot', 'connector/1/meter'];
    await late.waitFor((m) => stateTopics.every((t) => m.some((x) => x.topic === `${BASE}/${t}`)), 'all retained topics');
    // Each state topic's first message is its retained copy; on a busy machine a live publish still
    // on its way (the telemetry of the 20 s just run) may follow it, not retained.
    for (const t of stateTopics) expect(late.messages.find((m) => m.topic === `${BASE}/${t}`)!.retain, t).toBe(true);
    expect(late.on(`${BASE}/online`)[0]).toEqual(expect.objectContaining({ online: true }));
    expect(late.on(`${BASE}/connector/1/status`)[0]).toEqual(expect.objectContaining({ status: 'Charging' }));
    expect(late.on(`${BASE}/connector/1/pilot`)[0]).toEqual(expect.objectContaining({ state: 'C' }));
    expect(late.on<MeterPayload>(`${BASE}/connector/1/meter`)[0]!.powerW).toBeGreaterThan(1000);
    // Events are not retained.
    expect(late.messages.some((m) => m.topic === `${BASE}/transaction`)).toBe(false);
  });

  it('publishes HAL faults with their codes and the active fault list in the status', async () => {
    const r = await tb.recorder();
    tb.startPublisher();
    await startSession(tb.f, CARD);
    tb.f.sim.connectors[0]!.meter.stopAnswering();
    await tb.f.advance(20_000);
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/connector/1/fault`), 'fault event');
    expect(r.on(`${BASE}/connector/1/fault`)[0]).toMatchObject({ event: 'raised', code: 'METER_TIMEOUT', device: 'meter:1', recoverable: true, ocppErrorCode: 'PowerMeterFailure' });
    await r.waitFor(() => r.on<StatusPayload>(`${BASE}/connector/1/status`).some((s) => s.faults.includes('METER_TIMEOUT')), 'status with fault');
    tb.f.sim.connectors[0]!.meter.answerAgain();
    await tb.f.advance(20_000);
    await r.waitFor(() => r.on(`${BASE}/connector/1/fault`).some((x) => x.event === 'cleared'), 'fault cleared');
    expect(r.on(`${BASE}/connector/1/fault`).at(-1)).toMatchObject({ event: 'cleared', code: 'METER_TIMEOUT', ocppErrorCode: 'PowerMeterFailure' });
  });
});

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
