/**
 * `evse run` as a process with telemetry on (EVSE_MQTT_URL) against a real mosquitto and the
 * embedded strict CSMS on 127.0.0.1: state and a transaction arrive under the configured prefix,
 * the idTag is hashed, no message goes out twice, and SIGKILL leaves the retained Last Will
 * (charger offline).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { record, startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const CP = 'MQTT-RUN-CP';
const BASE = `site7/${CP}`;

let broker: Mosquitto | undefined;
let csms: EmbeddedCsms | undefined;
let agent: EvseProcess | undefined;
let recorder: Recorder | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  if (agent && agent.child.exitCode === null && agent.child.signalCode === null) await agent.stop('SIGKILL').catch(() => undefined);
  await recorder?.end();
  await csms?.stop();
  await broker?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  agent = recorder = csms = broker = dataDir = undefined;
});

describe('evse run with MQTT telemetry', () => {
  it('publishes state and a session under the prefix, hashes the idTag, and leaves the Last Will on SIGKILL', async () => {
    broker = await startMosquitto();
    csms = new EmbeddedCsms();
    await csms.start();
    dataDir = await mkdtemp(join(tmpdir(), 'evse-mqtt-'));
    recorder = await record(broker.url, `${BASE}/#`);
    agent = spawnEvse(['run'], {
      EVSE_CSMS_URL: csms.url,
      EVSE_CHARGE_POINT_ID: CP,
      EVSE_DATA_DIR: dataDir,
      EVSE_SIM_EV_CONNECTED: '1',
      EVSE_LOG_LEVEL: 'warn',
      EVSE_MQTT_URL: broker.url,
      EVSE_MQTT_PREFIX: 'site7',
    });
    // The simulated EV is plugged in from the start: the connector is Preparing once the agent is up.
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Preparing' }, 15_000);
    await recorder.waitFor((m) => m.some((x) => x.topic === `${BASE}/online` && (x.json as { online?: boolean }).online === true), 'online=true');

    expect(await csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'SECRET-TAG-1' })).toEqual({ status: 'Accepted' });
    await csms.waitFor((r) => r.kind === 'result' && r.action === 'StartTransaction' && r.direction === 'out', 5000);
    const transactionId = csms.transactions(CP)[0]!.transactionId;
    await recorder.waitFor((m) => m.some((x) => x.topic.startsWith(`${BASE}/`) && x.raw.includes('Charging')), 'status Charging');
    expect(await csms.call(CP, 'RemoteStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
    await recorder.waitFor((m) => m.some((x) => x.topic === `${BASE}/transaction` && (x.json as { event?: string }).event === 'stopped'), 'transaction stopped');
    await recorder.waitFor((m) => m.filter((x) => x.topic === `${BASE}/transaction`).length === 3, 'started, confirmed, stopped');
    // `confirmed` may come after `stopped` for a short session (the CSMS's answer is journaled first): matched by sessionId.
    const events = recorder.on(`${BASE}/transaction`);
    expect(events[0]).toMatchObject({ event: 'started', transactionId: null });
    expect(events.slice(1).map((x) => [x.event, x.transactionId]).sort()).toEqual([['confirmed', transactionId], ['stopped', transactionId]]);
    expect(new Set(events.map((x) => x.sessionId)).size).toBe(1);
    expect(recorder.messages.some((x) => x.raw.includes('SECRET-TAG-1'))).toBe(false);
    // No message twice: the start-up status (read, then announced by the agent) and each meter
    // reading (our read's event, then its result) used to go out twice with the same ts.
    const seen = recorder.messages.map((x) => `${x.topic} ${x.raw}`);
    expect(seen.filter((x, i) => seen.indexOf(x) !== i)).toEqual([]);
    expect(recorder.on(`${BASE}/connector/1/status`).length).toBeGreaterThanOrEqual(3);

    await agent.stop('SIGKILL');
    await recorder.waitFor(
      (m) => m.some((x) => x.topic === `${BASE}/online` && (x.json as { online?: boolean }).online === false),
      'the Last Will (online=false) after SIGKILL',
      // The broker notices a dead client within 1.5 x keepalive at most; a killed process's socket closes at once.
      10_000,
    );
  });
});
