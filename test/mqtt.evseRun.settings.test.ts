/**
 * `evse run` as a process with the MQTT settings that only a process can check end to end: TLS
 * from EVSE_MQTT_CA_FILE (+ username/password) against a real mosquitto TLS listener, a wrong CA
 * reported in the log while OCPP runs, an unreadable CA file refused at start (exit 78, key
 * named), a set_current_limit that survives a restart of `evse run` (data directory), and Home
 * Assistant discovery switched on as docs/mqtt.md shows it (the discovery prefix defaulted).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { record, startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { makeTestCertificates, type TestCertificates } from './support/testCertificates.js';

const CP = 'MQTT-SET-CP';
const BASE = `evse/${CP}`;
let certs: TestCertificates;
let broker: Mosquitto | undefined;
let csms: EmbeddedCsms | undefined;
const agents: EvseProcess[] = [];
const recorders: Recorder[] = [];
let dataDir: string;

beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.remove();
});
afterEach(async () => {
  for (const a of agents.splice(0)) if (a.child.exitCode === null && a.child.signalCode === null) await a.stop('SIGKILL').catch(() => undefined);
  for (const r of recorders.splice(0)) await r.end();
  await csms?.stop();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
  broker = csms = undefined;
});

async function setup(brokerOptions: Parameters<typeof startMosquitto>[0] = {}): Promise<{ broker: Mosquitto; csms: EmbeddedCsms }> {
  broker = await startMosquitto(brokerOptions);
  csms = new EmbeddedCsms();
  await csms.start();
  dataDir = await mkdtemp(join(tmpdir(), 'evse-mqtt-settings-'));
  return { broker, csms };
}

function run(env: Record<string, string>): EvseProcess {
  const p = spawnEvse(['run'], { EVSE_CSMS_URL: csms!.url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_SIM_EV_CONNECTED: '1', EVSE_LOG_LEVEL: 'info', ...env });
  agents.push(p);
  return p;
}

const statusNotifications = (c: EmbeddedCsms) => c.traffic((x) => x.chargePointId === CP && x.direction === 'in' && x.kind === 'call' && x.action === 'StatusNotification').length;
const online = (m: { topic: string; json: unknown }[]) => m.some((x) => x.topic === `${BASE}/online` && (x.json as { online?: boolean }).online === true);

describe('evse run: MQTT settings', () => {
  it('connects over TLS verifying EVSE_MQTT_CA_FILE, with username and password', async () => {
    const { broker: b } = await setup({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile }, users: { cp: 'cp-pass', rec: 'rec-pass' } });
    const r = await record(b.url, `${BASE}/#`, { ca: await readFile(certs.caFile), username: 'rec', password: 'rec-pass' });
    recorders.push(r);
    run({ EVSE_MQTT_URL: b.url, EVSE_MQTT_CA_FILE: certs.caFile, EVSE_MQTT_USERNAME: 'cp', EVSE_MQTT_PASSWORD: 'cp-pass' });
    await r.waitFor(online, 'online over TLS', 15_000);
  });

  it('a wrong CA is logged clearly while OCPP and charging run', async () => {
    const { broker: b, csms: c } = await setup({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile } });
    const p = run({ EVSE_MQTT_URL: b.url, EVSE_MQTT_CA_FILE: certs.otherCaFile });
    await c.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, 15_000);
    expect(await c.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-1' })).toEqual({ status: 'Accepted' });
    await c.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Charging' }, 10_000);
    const deadline = performance.now() + 10_000;
    while (!p.stderr().includes('MQTT connection failed')) {
      if (performance.now() > deadline) throw new Error(`no MQTT failure logged:\n${p.stderr()}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const line = p.stderr().split('\n').find((l) => l.includes('MQTT connection failed'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 40, kind: 'tls', msg: expect.stringMatching(/broker certificate not accepted/) });
  });

  it('an unreadable CA file is a configuration error naming the key (exit 78)', async () => {
    await setup();
    const p = run({ EVSE_MQTT_URL: 'mqtts://127.0.0.1:1', EVSE_MQTT_CA_FILE: join(dataDir, 'missing.pem') });
    expect(await p.exited).toBe(78);
    expect(p.stderr()).toMatch(/invalid configuration: telemetry\.tls\.caFile: expected a readable CA certificate file, cannot read ".*missing\.pem" \(ENOENT\)/);
    expect(csms!.traffic()).toEqual([]);
  });

  it('Home Assistant discovery with only `enabled: true` publishes under the default prefix homeassistant', async () => {
    const { broker: b } = await setup();
    const ha = await record(b.url, 'homeassistant/#');
    recorders.push(ha);
    // As docs/mqtt.md shows it, from a configuration file layer (NODE_CONFIG is one).
    const p = run({ EVSE_MQTT_URL: b.url, NODE_CONFIG: JSON.stringify({ telemetry: { homeAssistant: { enabled: true } } }) });
    const topic = `homeassistant/sensor/${CP}_c1_status/config`;
    await ha.waitFor((m) => m.some((x) => x.topic === topic), `the discovery config on ${topic}`, 15_000);
    expect(ha.on(topic)[0]).toMatchObject({ state_topic: `${BASE}/connector/1/status`, device: { identifiers: [`evse-agent_${CP}`] } });
    expect(p.child.exitCode).toBeNull();
  });

  it('set_current_limit survives a restart of evse run and applies from the first session', async () => {
    const { broker: b, csms: c } = await setup();
    const r = await record(b.url, `${BASE}/#`);
    recorders.push(r);
    const env = { EVSE_MQTT_URL: b.url, EVSE_MQTT_COMMANDS: '1' };
    const offers = () => r.on<{ state: string; currentOfferA: number }>(`${BASE}/connector/1/pilot`).filter((x) => x.state === 'C').map((x) => x.currentOfferA);

    const first = run(env);
    await r.waitFor(online, 'online', 15_000);
    await c.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, 15_000);
    // The command subscription is in place once a probe gets its reply.
    for (let i = 0; i < 100 && r.on(`${BASE}/cmd/set_current_limit/result`).length === 0; i++) {
      await r.client.publishAsync(`${BASE}/cmd/set_current_limit`, JSON.stringify({ connector: 1, amps: 10 }), { qos: 1 });
      await new Promise((res) => setTimeout(res, 100));
    }
    await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/cmd/set_current_limit/result`), 'reply');
    expect(r.on(`${BASE}/cmd/set_current_limit/result`)[0]).toEqual({ ok: true });
    expect(JSON.parse(await readFile(join(dataDir, 'mqtt-current-limits.json'), 'utf8'))).toEqual({ version: 1, limitsA: { 1: 10 } });
    expect((await first.stop('SIGTERM')).code).toBe(0);

    // Restarted: the first session after the restart is offered 10 A, not the hardware's 32 A.
    r.messages.length = 0;
    const statusesBefore = statusNotifications(c);
    run(env);
    await r.waitFor(online, 'online after restart', 15_000);
    for (let i = 0; i < 300 && statusNotifications(c) <= statusesBefore; i++) await new Promise((res) => setTimeout(res, 50));
    expect(statusNotifications(c)).toBeGreaterThan(statusesBefore);
    const since = c.mark();
    expect(await c.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-2' })).toEqual({ status: 'Accepted' });
    await r.waitFor(() => offers().length > 0, 'charging after restart', 10_000);
    expect(offers()).toEqual([10]);
    // The pilot's MQTT message may come before the CSMS has the StartTransaction: wait for it.
    await c.waitForCall(CP, 'StartTransaction', { idTag: 'TAG-2' }, { timeoutMs: 10_000, since });
    expect(existsSync(join(dataDir, 'mqtt-current-limits.json.tmp'))).toBe(false);
  });
});
