/**
 * set_current_limit is kept (agent/store/CurrentLimits.ts) and applied when the next publisher
 * starts, before the first session; a limit at the hardware maximum clears it; a limit that could
 * not be saved says so in the reply. Real mosquitto and the strict embedded CSMS on 127.0.0.1.
 * (`evse run` restarted as a process: test/mqtt.evseRun.settings.test.ts.)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentFixture, CP, startSession, type AgentFixture } from './support/agentFixture.js';
import { CurrentLimits } from '../agent/store/CurrentLimits.js';
import { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import type { ChargingLimitPayload, CommandReplyPayload } from '../agent/telemetry/topics.js';
import { closeTelemetryTestbed, trackedRecorder } from './support/telemetryTestbed.js';
import { startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';

const BASE = `test/${CP}`;
const log = pino({ level: 'silent' });
let broker: Mosquitto;
let f: AgentFixture;
let publisher: TelemetryPublisher | undefined;
const recorders: Recorder[] = [];
let dir: string;

beforeEach(async () => {
  broker = await startMosquitto();
  dir = await mkdtemp(join(tmpdir(), 'evse-limit-'));
});
afterEach(async () => {
  const p = publisher;
  publisher = undefined;
  await closeTelemetryTestbed({ publisher: p, recorders, broker });
  await rm(dir, { recursive: true, force: true });
});

async function startPublisher(currentLimits: CurrentLimits): Promise<Recorder> {
  const r = await trackedRecorder(broker, recorders, `${BASE}/cmd/#`);
  publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: broker.url, reconnectMs: 200 }, prefix: 'test', clock: f.clock, intervalMs: 0, commands: true, currentLimits });
  publisher.start();
  return r;
}

async function command(r: Recorder, body: unknown): Promise<CommandReplyPayload> {
  const topic = `${BASE}/cmd/set_current_limit/result`;
  const before = r.on(topic).length;
  // Repeated until the subscription is in place (set_current_limit is idempotent).
  for (let i = 0; i < 100 && r.on(topic).length === before; i++) {
    await r.client.publishAsync(`${BASE}/cmd/set_current_limit`, JSON.stringify(body), { qos: 1 });
    await new Promise((res) => setTimeout(res, 50));
  }
  return r.on<CommandReplyPayload>(topic).at(-1)!;
}

const offer = () => f.agent.options.hardware.connectors[0]!.pilot.currentOfferA;

describe('MQTT current limit across restarts', () => {
  it('is kept in the store and applied by the next agent before its first session', async () => {
    const file = join(dir, 'mqtt-current-limits.json');
    f = await agentFixture();
    const r = await startPublisher(await CurrentLimits.open(file, log));
    expect(await command(r, { connector: 0, amps: 12 })).toEqual({ ok: true });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, limitsA: { 1: 12 } });
    await closeTelemetryTestbed({ publisher, recorders, broker });
    publisher = undefined;

    // A new agent and publisher (as after a restart), the broker down: the limit applies anyway.
    broker = await startMosquitto();
    await broker.stop();
    f = await agentFixture();
    publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: broker.url, reconnectMs: 60_000 }, prefix: 'test', clock: f.clock, intervalMs: 0, commands: true, currentLimits: await CurrentLimits.open(file, log) });
    publisher.start();
    await startSession(f);
    expect(offer()).toBe(12);
  });

  it('a limit at the hardware maximum clears the stored one', async () => {
    const file = join(dir, 'limits.json');
    await writeFile(file, JSON.stringify({ version: 1, limitsA: { 1: 8 } }));
    f = await agentFixture();
    const limits = await CurrentLimits.open(file, log);
    const r = await startPublisher(limits);
    await startSession(f);
    expect(offer()).toBe(8);
    expect(await command(r, { connector: 1, amps: 32 })).toEqual({ ok: true });
    await f.advance(1000);
    expect(offer()).toBe(32);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, limitsA: {} });
  });

  it('a limit that cannot be saved still applies, and the reply says it was not persisted', async () => {
    await writeFile(join(dir, 'not-a-dir'), '');
    f = await agentFixture();
    const r = await startPublisher(await CurrentLimits.open(join(dir, 'not-a-dir', 'limits.json'), log));
    await startSession(f);
    expect(await command(r, { connector: 1, amps: 10, correlation: 'c1' })).toEqual({ ok: true, persisted: false, correlation: 'c1' });
    await f.advance(1000);
    expect(offer()).toBe(10);
  });
});

describe('charging_limit: the arbitrated limit and the source that binds', () => {
  it('follows the hardware maximum, the MQTT limit and a charging profile, retained, with every source', async () => {
    f = await agentFixture();
    const limitTopic = `${BASE}/connector/1/charging_limit`;
    const watch = await trackedRecorder(broker, recorders, limitTopic);
    const r = await startPublisher(CurrentLimits.inMemory(log));
    const latest = () => watch.on<ChargingLimitPayload>(limitTopic).at(-1);
    await watch.waitFor(() => latest()?.source === 'hardware', 'the hardware maximum');
    expect(latest()).toMatchObject({ limitA: 32, sources: { hardware: 32 } });
    expect(await command(r, { connector: 1, amps: 12 })).toEqual({ ok: true });
    await watch.waitFor(() => latest()?.source === 'localLimit', 'the MQTT limit binding');
    expect(latest()).toMatchObject({ limitA: 12, sources: { localLimit: 12, hardware: 32 } });
    const profile = { chargingProfileId: 4, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile' as const, chargingProfileKind: 'Relative' as const, chargingSchedule: { chargingRateUnit: 'A' as const, chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] } };
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: profile })).toEqual({ status: 'Accepted' });
    await watch.waitFor(() => latest()?.source === 'chargingProfile', 'the charging profile binding');
    expect(latest()).toMatchObject({ limitA: 8, profileId: 4, sources: { chargingProfile: 8, localLimit: 12, hardware: 32 } });
    await startSession(f);
    expect(offer()).toBe(8);
  });
});
