/**
 * `evse run` as a process when things go wrong: invalid configuration, a CSMS that is not there
 * at start, a CSMS that restarts in the middle of a session, and a restart of the agent itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { evseRig } from './support/evseRig.js';
import { boardNodeOptions } from './support/boardProfile.js';

const { start, csms: csmsOn, tempDir, release } = evseRig();
const dataDir = () => tempDir('evse-res-');

function portOf(csms: EmbeddedCsms): number {
  return Number(new URL(csms.url).port);
}

afterEach(release);

describe('evse run: invalid configuration', () => {
  it.each([
    [{ EVSE_CSMS_URL: 'http://127.0.0.1:9/ocpp' }, 'csms.url'],
    [{ EVSE_CONNECTORS: '0' }, 'chargePoint.connectors'],
    [{ EVSE_CHARGE_POINT_ID: 'has/slash' }, 'chargePoint.id'],
    [{ EVSE_HAL: 'gpio' }, 'hal.driver'],
    [{ EVSE_LOG_LEVEL: 'chatty' }, 'log.level'],
    [{ EVSE_OCPP_VERSION: '2.1' }, 'ocpp.version'],
    [{ EVSE_TIME_ZONE: 'Mars/Olympus_Mons' }, 'chargePoint.timeZone'],
    [{ EVSE_CSMS_FALLBACK_URLS: 'ws://127.0.0.1:9/ocpp,http://backup' }, 'csms.fallbackUrls[1]'],
    [{ EVSE_RETRY_BACKOFF_WAIT_MINIMUM: '-1' }, 'ocpp.RetryBackOffWaitMinimum'],
    [{ EVSE_NETWORK_CONFIGURATION_PRIORITY: '2,1' }, 'ocpp.NetworkConfigurationPriority'],
  ])('%o exits 78 naming %s', async (env, key) => {
    const p = start({ EVSE_DATA_DIR: await dataDir(), ...env });
    expect(await p.exited).toBe(78);
    expect(p.stderr()).toContain(`invalid configuration: ${key}:`);
    expect(p.stderr()).toMatch(/expected/);
  });
});

describe('evse run: the CSMS comes and goes', () => {
  it('keeps retrying when the CSMS is not reachable at start and boots once it is', async () => {
    const probe = await csmsOn();
    const port = portOf(probe);
    await probe.stop();
    const p = start({ EVSE_CSMS_URL: `ws://127.0.0.1:${port}`, EVSE_CHARGE_POINT_ID: 'LATE-CP', EVSE_DATA_DIR: await dataDir() });
    await new Promise((r) => setTimeout(r, 2500));
    expect(p.child.exitCode).toBeNull();
    const csms = await csmsOn(port);
    await csms.waitForCall('LATE-CP', 'BootNotification', undefined, 20_000);
    await csms.waitForCall('LATE-CP', 'StatusNotification', { connectorId: 1 }, 5000);
  });

  it('falls back to csms.fallbackUrls when csms.url cannot be reached (NetworkProfileConnectionAttempts)', async () => {
    const probe = await csmsOn();
    const downPort = portOf(probe);
    await probe.stop();
    const fallback = await csmsOn();
    const p = start({
      EVSE_CSMS_URL: `ws://127.0.0.1:${downPort}/ocpp`,
      EVSE_CSMS_FALLBACK_URLS: fallback.url,
      EVSE_NETWORK_PROFILE_CONNECTION_ATTEMPTS: '2',
      EVSE_CHARGE_POINT_ID: 'FALLBACK-CP',
      EVSE_DATA_DIR: await dataDir(),
    });
    await fallback.waitForCall('FALLBACK-CP', 'BootNotification', undefined, 20_000);
    expect(p.child.exitCode).toBeNull();
    const conf = (await fallback.call('FALLBACK-CP', 'GetConfiguration', { key: ['NetworkConnectionProfiles', 'NetworkConfigurationPriority', 'RetryBackOffRandomRange'] })) as { configurationKey: { key: string; value?: string }[] };
    expect(Object.fromEntries(conf.configurationKey.map((k) => [k.key, k.value]))).toEqual({ NetworkConnectionProfiles: '2', NetworkConfigurationPriority: '', RetryBackOffRandomRange: '1' });
  });

  it('keeps charging through a CSMS restart and delivers the session afterwards, in order', async () => {
    let csms = await csmsOn();
    const port = portOf(csms);
    start({ EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: 'RESTART-CP', EVSE_DATA_DIR: await dataDir(), EVSE_SIM_EV_CONNECTED: '1' });
    await csms.waitForCall('RESTART-CP', 'StatusNotification', { connectorId: 1 }, 15_000);
    await csms.call('RESTART-CP', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
    await csms.call('RESTART-CP', 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-R' });
    const started = await csms.waitForCall('RESTART-CP', 'StartTransaction', undefined, 5000);
    await csms.waitFor((r) => r.kind === 'result' && r.action === 'StartTransaction' && r.direction === 'out', 5000);
    const transactionId = csms.transactions('RESTART-CP')[0]!.transactionId;

    await csms.stop();
    await new Promise((r) => setTimeout(r, 3000)); // the session goes on; samples wait in the journal
    csms = await csmsOn(port);
    await csms.waitForCall('RESTART-CP', 'BootNotification', undefined, 20_000);
    await csms.waitForCall('RESTART-CP', 'StatusNotification', { connectorId: 1, status: 'Charging' }, 5000);
    await csms.waitForCall('RESTART-CP', 'MeterValues', { transactionId }, 5000);

    expect(await csms.call('RESTART-CP', 'RemoteStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
    const stop = await csms.waitForCall('RESTART-CP', 'StopTransaction', { transactionId }, 5000);
    expect(stop.payload.meterStop).toBeGreaterThan(started.payload.meterStart);

    const samples = csms.traffic((r) => r.kind === 'call' && r.action === 'MeterValues' && r.direction === 'in');
    const times = samples.map((r) => Date.parse((r.payload as { meterValue: { timestamp: string }[] }).meterValue[0]!.timestamp));
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The offline samples come first, before anything newer: the stop is the last transaction message.
    const last = csms.traffic((r) => r.kind === 'call' && r.direction === 'in' && ['MeterValues', 'StopTransaction'].includes(r.action ?? '')).at(-1);
    expect(last?.action).toBe('StopTransaction');
  });
});

describe('evse run: restart', () => {
  it('keeps OCPP configuration changed by the CSMS across a restart', async () => {
    const csms = await csmsOn();
    const dir = await dataDir();
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: 'PERSIST-CP', EVSE_DATA_DIR: dir };
    const first = start(env);
    await csms.waitForCall('PERSIST-CP', 'BootNotification', undefined, 15_000);
    expect(await csms.call('PERSIST-CP', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '37' })).toEqual({ status: 'Accepted' });
    expect((await first.stop('SIGTERM')).code).toBe(0);

    const since = csms.mark();
    start(env);
    await csms.waitForCall('PERSIST-CP', 'BootNotification', undefined, { timeoutMs: 15_000, since });
    const conf = await csms.call('PERSIST-CP', 'GetConfiguration', { key: ['MeterValueSampleInterval'] });
    expect(conf.configurationKey?.[0]?.value).toBe('37');
  });

  it('keeps a connector Inoperative across a restart (ChangeAvailability persists)', async () => {
    const csms = await csmsOn();
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: 'AVAIL-CP', EVSE_DATA_DIR: await dataDir() };
    const first = start(env);
    await csms.waitForCall('AVAIL-CP', 'StatusNotification', { connectorId: 1 }, 15_000);
    expect(await csms.call('AVAIL-CP', 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall('AVAIL-CP', 'StatusNotification', { connectorId: 1, status: 'Unavailable' }, 5000);
    expect((await first.stop('SIGTERM')).code).toBe(0);

    const since = csms.mark();
    start(env);
    await csms.waitForCall('AVAIL-CP', 'StatusNotification', { connectorId: 1, status: 'Unavailable' }, { timeoutMs: 15_000, since });
    expect(await csms.call('AVAIL-CP', 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-A' })).toEqual({ status: 'Rejected' });
  });

  it('ends a running transaction with reason Reboot on SIGTERM, within 5 s', async () => {
    const csms = await csmsOn();
    const p = start({ EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: 'TERM-CP', EVSE_DATA_DIR: await dataDir(), EVSE_SIM_EV_CONNECTED: '1' });
    // Remote starts are refused until registration is Accepted: wait for the post-boot status.
    await csms.waitForCall('TERM-CP', 'StatusNotification', { connectorId: 1 }, 15_000);
    await csms.call('TERM-CP', 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-T' });
    await csms.waitFor((r) => r.kind === 'result' && r.action === 'StartTransaction' && r.direction === 'out', 5000);
    const { code, elapsedMs } = await p.stop('SIGTERM');
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(5000);
    const stop = await csms.waitForCall('TERM-CP', 'StopTransaction', undefined, 1000);
    expect(stop.payload.reason).toBe('Reboot');
  });
});

describe('evse run: board memory profile', () => {
  it('runs a whole session with the NODE_OPTIONS of deploy/systemd/evse-agent.service', async () => {
    const csms = await csmsOn();
    const p = start({ EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: 'BOARD-CP', EVSE_DATA_DIR: await dataDir(), EVSE_SIM_EV_CONNECTED: '1', NODE_OPTIONS: boardNodeOptions() });
    await csms.waitForCall('BOARD-CP', 'StatusNotification', { connectorId: 1 }, 15_000);
    await csms.call('BOARD-CP', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
    expect(await csms.call('BOARD-CP', 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-B' })).toEqual({ status: 'Accepted' });
    const start1 = await csms.waitForCall('BOARD-CP', 'StartTransaction', undefined, 5000);
    await csms.waitForCall('BOARD-CP', 'MeterValues', undefined, 5000);
    await csms.waitFor((r) => r.kind === 'result' && r.action === 'StartTransaction' && r.direction === 'out', 5000);
    const transactionId = csms.transactions('BOARD-CP')[0]!.transactionId;
    expect(await csms.call('BOARD-CP', 'RemoteStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
    const stop = await csms.waitForCall('BOARD-CP', 'StopTransaction', undefined, 5000);
    expect(stop.payload.meterStop).toBeGreaterThan(start1.payload.meterStart);
    expect((await p.stop('SIGTERM')).code).toBe(0);
    expect(csms.violations('BOARD-CP')).toEqual([]);
  });
});
