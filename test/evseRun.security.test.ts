/**
 * `evse run` (the built binary) with OCPP security profiles: profile 2 end to end against a strict
 * ocpp-rpc CSMS serving wss:// on 127.0.0.1 with certificates made for the test, and the settings
 * a profile cannot work with refused at start (exit 78 naming the key).
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StubCsms } from '../agent/ocpp/testing/StubCsms.js';
import { makeTestPki, type TestPki } from '../agent/security/testing/testPki.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';

const PASSWORD = 'profile-two-password-01';
let pki: TestPki;
let dataDir: string;
const processes: EvseProcess[] = [];
const stubs: StubCsms[] = [];

beforeAll(async () => {
  pki = await makeTestPki();
  await writeFile(join(pki.dir, 'bundle.pem'), pki.ca.cert);
});
afterAll(() => pki.remove());
afterEach(async () => {
  for (const p of processes.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL').catch(() => undefined);
  for (const s of stubs.splice(0)) await s.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function run(env: Record<string, string>): Promise<EvseProcess> {
  dataDir = await mkdtemp(join(tmpdir(), 'evse-security-'));
  const p = spawnEvse(['run'], { EVSE_DATA_DIR: dataDir, EVSE_CHARGE_POINT_ID: 'SEC-CP1', EVSE_LOG_LEVEL: 'warn', ...env });
  processes.push(p);
  return p;
}

describe('evse run with security profile 2', () => {
  it('connects over TLS to a CSMS whose certificate chains to csms.tls.caFile, with the password, and reports StartupOfTheDevice', async () => {
    const csms = await StubCsms.start({ tls: { cert: pki.csms.cert, key: pki.csms.key }, password: PASSWORD });
    stubs.push(csms);
    const agent = await run({ EVSE_CSMS_URL: csms.url, EVSE_SECURITY_PROFILE: '2', EVSE_CSMS_CA_FILE: join(pki.dir, 'bundle.pem'), EVSE_CSMS_PASSWORD: PASSWORD });
    await until('a SecurityEventNotification', () => csms.count('SecurityEventNotification') > 0, 15_000);
    expect(csms.calls.find((c) => c.action === 'SecurityEventNotification')?.params).toMatchObject({ type: 'StartupOfTheDevice', techInfo: expect.stringContaining('security profile 2') });
    expect(csms.handshakes[0]).toEqual({ identity: 'SEC-CP1', password: PASSWORD });
    expect(await csms.client.call('GetConfiguration', { key: ['SecurityProfile', 'AuthorizationKey'] })).toEqual({
      configurationKey: [
        { key: 'SecurityProfile', readonly: false, value: '2' },
        { key: 'AuthorizationKey', readonly: false },
      ],
    });
    // Secrets stay in the data directory, readable by the agent's user only.
    const dir = join(dataDir, 'security');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(dir)) if (/credentials|certificates|security\.log/.test(name)) expect((await stat(join(dir, name))).mode & 0o077, name).toBe(0);
    expect(agent.stderr()).not.toContain(PASSWORD);
    // The test CA runs out within 30 days: the installer is warned at start.
    expect(`${agent.stdout()}${agent.stderr()}`).toMatch(/"key":"csms.tls.caFile".*certificate from the settings expires soon/);
    expect((await agent.stop()).code).toBe(0);
  });
});

describe('evse run from profile 2 to 3', () => {
  it('gets a certificate signed through the CSMS (SignCertificate, CertificateSigned) and, raised to profile 3, connects with it', async () => {
    const csms = await StubCsms.start({
      tls: { cert: pki.csms.cert, key: pki.csms.key, requestCert: true, rejectUnauthorized: false, ca: [pki.ca.cert] },
      answers: { SignCertificate: () => ({ status: 'Accepted' }) },
    });
    stubs.push(csms);
    const agent = await run({ EVSE_CSMS_URL: csms.url, EVSE_SECURITY_PROFILE: '2', EVSE_CSMS_CA_FILE: join(pki.dir, 'bundle.pem'), EVSE_CSMS_PASSWORD: PASSWORD });
    await until('the boot', () => csms.count('BootNotification') > 0 && csms.count('StatusNotification') > 0, 15_000);
    const cp = csms.client;
    expect(await cp.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: pki.ca.cert })).toEqual({ status: 'Accepted' });
    expect(await cp.call('ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' })).toEqual({ status: 'Accepted' });
    await until('SignCertificate', () => csms.count('SignCertificate') > 0, 10_000);
    const csr = String(csms.calls.find((c) => c.action === 'SignCertificate')!.params.csr);
    expect(await cp.call('CertificateSigned', { certificateChain: await pki.sign(csr) })).toEqual({ status: 'Accepted' });
    expect(await cp.call('ChangeConfiguration', { key: 'SecurityProfile', value: '3' })).toEqual({ status: 'Accepted' });
    await until('a connection with the client certificate', () => csms.handshakes.some((h) => h.clientCertificate !== undefined), 15_000);
    expect(csms.handshakes.at(-1)).toEqual({ identity: 'SEC-CP1', password: undefined, clientCertificate: 'CN=SIM-0001' });
    await until('the boot on profile 3', () => csms.count('BootNotification') >= 2, 10_000);
    // The CSMS's view after the reconnect (the latest connection).
    expect(await csms.client.call('GetConfiguration', { key: ['SecurityProfile'] })).toEqual({ configurationKey: [{ key: 'SecurityProfile', readonly: false, value: '3' }] });
    expect((await agent.stop()).code).toBe(0);
  });
});

describe('evse run security events', () => {
  it('reports SettingSystemTime when the CSMS moves the clock (clock.source csms)', async () => {
    const csms = await StubCsms.start(); // answers with currentTime 2026-01-01, far from now
    stubs.push(csms);
    await run({ EVSE_CSMS_URL: csms.url, EVSE_CLOCK_SOURCE: 'csms' });
    await until('SettingSystemTime', () => csms.calls.some((c) => c.action === 'SecurityEventNotification' && c.params.type === 'SettingSystemTime'), 15_000);
    const event = csms.calls.find((c) => c.params.type === 'SettingSystemTime')!.params;
    expect(event.techInfo).toMatch(/^clock set from the CSMS: -\d+ s$/);
    // Stamped with the new time: the event happened on the clock it set.
    expect(String(event.timestamp)).toMatch(/^2026-01-01T/);
  });
});

describe('evse run refuses settings a security profile cannot work with (exit 78)', () => {
  it.each([
    ['profile 2 without a CA', { EVSE_SECURITY_PROFILE: '2', EVSE_CSMS_URL: 'wss://127.0.0.1:9/ocpp', EVSE_CSMS_PASSWORD: PASSWORD }, /csms\.tls\.caFile: expected a CA certificate file for security profile 2/],
    ['a CA file that does not exist', { EVSE_SECURITY_PROFILE: '2', EVSE_CSMS_URL: 'wss://127.0.0.1:9/ocpp', EVSE_CSMS_PASSWORD: PASSWORD, EVSE_CSMS_CA_FILE: '/nonexistent/ca.pem' }, /csms\.tls\.caFile: expected a readable CA certificate file, cannot read "\/nonexistent\/ca.pem" \(ENOENT\)/],
    ['profile 2 over ws://', { EVSE_SECURITY_PROFILE: '2', EVSE_CSMS_URL: 'ws://127.0.0.1:9/ocpp', EVSE_CSMS_PASSWORD: PASSWORD }, /csms\.url: expected a wss:\/\/ URL for security profile 2/],
    ['profile 3 without a client certificate', { EVSE_SECURITY_PROFILE: '3', EVSE_CSMS_URL: 'wss://127.0.0.1:9/ocpp', EVSE_CSMS_CA_FILE: 'CA' }, /csms\.tls\.certFile: expected a client certificate file for security profile 3/],
    ['a password over plain ws:// to another host', { EVSE_CSMS_URL: 'ws://192.0.2.1:9000/ocpp', EVSE_CSMS_PASSWORD: PASSWORD }, /csms\.password: refused over plain ws:\/\/ to 192\.0\.2\.1/],
  ])('%s', async (_what, env, message) => {
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === 'CA' ? join(pki.dir, 'bundle.pem') : v]));
    const agent = await run(resolved);
    expect(await agent.exited).toBe(78);
    expect(agent.stderr()).toMatch(message);
    expect(agent.stderr()).not.toContain(PASSWORD);
  });

  it('a password over plain ws:// to another host starts when csms.allowPlainPassword is set', async () => {
    const agent = await run({ EVSE_CSMS_URL: 'ws://192.0.2.1:9000/ocpp', EVSE_CSMS_PASSWORD: PASSWORD, EVSE_CSMS_ALLOW_PLAIN_PASSWORD: 'true' });
    await until('a connection attempt', () => `${agent.stdout()}${agent.stderr()}`.includes('cannot connect') || agent.child.exitCode !== null, 15_000);
    expect(agent.child.exitCode).toBeNull();
  });
});
