/**
 * Telemetry over TLS against a real mosquitto with a TLS listener on 127.0.0.1, certificates made
 * with `openssl` at test time: the agent verifies the broker against the configured CA (and logs
 * in with username/password over it); mutual TLS with a client certificate; a wrong CA, a missing
 * client certificate or wrong credentials are reported (log + stats) while charging and OCPP go on.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, CP, startSession, type AgentFixture } from './support/agentFixture.js';
import type { TelemetryConnectSettings } from '../agent/telemetry/mqttClient.js';
import { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import { closeTelemetryTestbed } from './support/telemetryTestbed.js';
import { record, startMosquitto, type Mosquitto, type MosquittoOptions, type Recorder } from './support/mosquitto.js';
import { makeTestCertificates, type TestCertificates } from './support/testCertificates.js';
import { until as pollUntil } from './support/until.js';

const BASE = `test/${CP}`;
const USERS = { 'evse-cp': 'cp-secret', dashboard: 'dash-secret' };
let certs: TestCertificates;
let broker: Mosquitto | undefined;
let f: AgentFixture;
let publisher: TelemetryPublisher | undefined;
const recorders: Recorder[] = [];
let logLines: { level: number; msg: string; kind?: string; code?: string }[];

beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.remove();
});
afterEach(async () => {
  const p = publisher;
  publisher = undefined;
  if (broker) await closeTelemetryTestbed({ publisher: p, recorders, broker });
  broker = undefined;
});

const pem = (file: string) => readFileSync(file, 'utf8');

async function tlsBroker(extra: MosquittoOptions = {}): Promise<Mosquitto> {
  broker = await startMosquitto({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile }, ...extra });
  return broker;
}

/** A recorder over TLS (it trusts the test CA; with a client certificate when the broker wants one). */
async function tlsRecorder(b: Mosquitto, options: Parameters<typeof record>[2] = {}): Promise<Recorder> {
  const r = await record(b.url, 'test/#', { ca: pem(certs.caFile), cert: pem(certs.clientCertFile), key: pem(certs.clientKeyFile), ...options });
  recorders.push(r);
  return r;
}

/** The publisher, with its log captured as JSON lines. */
function startPublisher(mqtt: TelemetryConnectSettings): TelemetryPublisher {
  logLines = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) });
  publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { reconnectMs: 200, ...mqtt }, prefix: 'test', clock: f.clock, intervalMs: 0, log });
  publisher.start();
  return publisher;
}

/** Polls `cond` every 10 ms for at most `ms` of real time. */
const until = (cond: () => boolean, what: string, ms = 5000): Promise<void> => pollUntil(what, cond, ms, 10);

/** Charging and OCPP are unaffected by whatever telemetry is going through. */
async function sessionRunsRegardless(): Promise<void> {
  await startSession(f);
  await f.advance(30_000);
  expect(f.sent('StartTransaction')).toHaveLength(1);
  expect(f.agent.link.isAccepted).toBe(true);
  expect(f.agent.connectors[0]!.status).toBe('Charging');
}

describe('MQTT telemetry over TLS', () => {
  it('verifies the broker against the configured CA and logs in with username/password', async () => {
    const b = await tlsBroker({ users: USERS });
    f = await agentFixture();
    expect(b.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:/);
    const r = await tlsRecorder(b, { username: 'dashboard', password: 'dash-secret' });
    const p = startPublisher({ url: b.url, username: 'evse-cp', password: 'cp-secret', tls: { ca: pem(certs.caFile) } });
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/online` && (x.json as { online: boolean }).online), 'online over TLS');
    await sessionRunsRegardless();
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/transaction`), 'transaction over TLS');
    expect(p.stats).toMatchObject({ connected: true, dropped: 0 });
    expect(p.stats.lastError).toBeUndefined();
  });

  it('a wrong CA is reported (log once, stats) and never affects charging or OCPP', async () => {
    const b = await tlsBroker();
    f = await agentFixture();
    const r = await tlsRecorder(b);
    const p = startPublisher({ url: b.url, tls: { ca: pem(certs.otherCaFile) } });
    await until(() => p.stats.lastError !== undefined, 'connection error');
    await sessionRunsRegardless();
    await new Promise((res) => setTimeout(res, 600)); // a few more reconnect attempts, all refused
    expect(p.stats.connected).toBe(false);
    expect(p.stats.lastError).toMatchObject({ kind: 'tls', message: expect.stringMatching(/certificate not accepted.*CA certificate/) });
    expect(p.stats.queued).toBeGreaterThan(3); // telemetry waits (bounded) for a broker it can trust
    const warnings = logLines.filter((l) => l.level === 40 && l.msg.startsWith('MQTT connection failed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'tls' });
    expect(logLines.filter((l) => l.msg.startsWith('MQTT connection failed again')).length).toBeGreaterThan(0);
    expect(r.messages.filter((m) => m.topic.startsWith(BASE))).toEqual([]);
  });

  it('wrong credentials over TLS are reported as such', async () => {
    const b = await tlsBroker({ users: USERS });
    f = await agentFixture();
    const p = startPublisher({ url: b.url, username: 'evse-cp', password: 'wrong', tls: { ca: pem(certs.caFile) } });
    await until(() => p.stats.lastError !== undefined, 'connection error');
    expect(p.stats.lastError).toMatchObject({ kind: 'auth', message: expect.stringMatching(/username and password/) });
    expect(p.stats.connected).toBe(false);
  });

  it('mutual TLS: connects with a client certificate the broker trusts, is refused without one', async () => {
    const b = await tlsBroker({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile, requireCertificate: true } });
    f = await agentFixture();
    const r = await tlsRecorder(b);
    const without = startPublisher({ url: b.url, clientId: 'evse-no-cert', tls: { ca: pem(certs.caFile) } });
    await until(() => without.stats.lastError !== undefined, 'refusal without a client certificate');
    expect(without.stats.lastError).toMatchObject({ kind: 'tls', message: expect.stringMatching(/client certificate/) });
    expect(without.stats.connected).toBe(false);
    await without.stop();

    const p = startPublisher({ url: b.url, tls: { ca: pem(certs.caFile), cert: pem(certs.clientCertFile), key: pem(certs.clientKeyFile) } });
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/online` && (x.json as { online: boolean }).online), 'online with a client certificate');
    expect(p.stats.connected).toBe(true);
  });
});
