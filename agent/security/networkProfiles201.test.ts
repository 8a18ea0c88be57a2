/**
 * Connection profiles set by the CSMS (OCPP 2.0.1 B09 SetNetworkProfile, B10 migrate to a new
 * CSMS, A05 security profile raised through a connection profile) against two strict 2.0.1 CSMSs
 * on 127.0.0.1: the station's first on ws:// (security profile 1), the second on wss:// with a
 * certificate made for the test by openssl (testing/testPki.ts). Here, not in agent/ocpp, because
 * the station's connection security service (ConnectionSecurity) is agent/security's.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CertificateService } from './CertificateService.js';
import { CertificateStore } from './CertificateStore.js';
import { ConnectionSecurity, DEFAULT_CIPHERS } from './ConnectionSecurity.js';
import { CsmsCredentials } from './CsmsCredentials.js';
import type { SecurityEventType } from './securityEvents.js';
import { makeTestPki, type TestPki } from './testing/testPki.js';
import { StubCsms } from '../ocpp/testing/StubCsms.js';
import { freePort } from '../ocpp/testing/linkFixture.js';
import { NetworkProfiles } from '../ocpp/NetworkProfiles.js';
import type { NetworkConnectionProfileType } from '../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, CP201 } from '../../test/support/agent201Fixture.js';

const log = pino({ level: 'silent' });
const PASSWORD = 'first-password-0001';
let pki: TestPki;
let dir: string;
beforeAll(async () => {
  pki = await makeTestPki();
  dir = await mkdtemp(join(tmpdir(), 'v201-netprofiles-'));
});
afterAll(async () => {
  await pki.remove();
  await rm(dir, { recursive: true, force: true });
});
afterEach(cleanupAgents201);
const stubs: StubCsms[] = [];
afterEach(async () => {
  for (const s of stubs.splice(0)) await s.close();
});

/** The second CSMS: wss:// with a certificate of the test CPO's CA (or of another CA), HTTP Basic. */
async function tlsCsms(certificate: { cert: string; key: string } = pki.csms): Promise<StubCsms> {
  const s = await StubCsms.start({ version: '2.0.1', password: PASSWORD, tls: { cert: certificate.cert, key: certificate.key }, boot: () => ({ interval: 3600 }) });
  stubs.push(s);
  return s;
}

/** A 2.0.1 station on security profile 1 (ws://, HTTP Basic) with the connection security service. */
async function station(opts: { ocpp?: Record<string, number | string> } = {}) {
  const credentials = await CsmsCredentials.open({ file: null, settingsProfile: 1, settingsPassword: PASSWORD, log });
  const certificates = await CertificateStore.open({ file: null, log, maxCertificates: 5 });
  const events: { type: SecurityEventType; techInfo: string | undefined }[] = [];
  const f = await agent201Fixture({
    connectors: 1,
    clockStart: Date.now(), // the test PKI is valid from today
    csms: { password: PASSWORD },
    ...(opts.ocpp && { ocpp: opts.ocpp }),
    agent: ({ config, csmsUrl, clock }) => {
      const sink = { raise: (type: SecurityEventType, techInfo?: string) => void events.push({ type, techInfo }) };
      const security = new ConnectionSecurity({ url: csmsUrl, credentials, certificates, events: sink, log, tls: { ciphers: DEFAULT_CIPHERS } });
      security.own(config);
      const service = new CertificateService({ store: certificates, events: sink, clock, log, subject: () => ({ commonName: 'SN-201' }), needsInstalledRoots: () => false });
      return { linkSecurity: security, certificates: service, csms: { url: csmsUrl, password: PASSWORD, callTimeoutMs: 10_000 } };
    },
  });
  return { f, credentials, certificates, events };
}

const get = (component: string, variable: string, instance?: string) => ({ component: { name: component }, variable: { name: variable, ...(instance && { instance }) } });
const profile = (over: Partial<NetworkConnectionProfileType>): NetworkConnectionProfileType => ({
  ocppVersion: 'OCPP20',
  ocppTransport: 'JSON',
  ocppCsmsUrl: 'wss://127.0.0.1:1/ocpp',
  messageTimeout: 30,
  securityProfile: 2,
  ocppInterface: 'Wired0',
  ...over,
});

describe('SetNetworkProfile (B09)', () => {
  it('validates the profile and answers Rejected with the reason; a valid one is stored and named by NetworkConfigurationPriority', async () => {
    const { f } = await station();
    const set = (configurationSlot: number, data: Partial<NetworkConnectionProfileType>) => f.call('SetNetworkProfile', { configurationSlot, connectionData: profile(data) });
    const refused = async (slot: number, data: Partial<NetworkConnectionProfileType>) => {
      const answer = await set(slot, data);
      expect(answer.status).toBe('Rejected');
      return answer.statusInfo?.reasonCode;
    };
    expect(await refused(0, {})).toBe('InvalidConfSlot');
    expect(await refused(10, {})).toBe('InvalidConfSlot');
    expect(await refused(1, { securityProfile: 1, ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' })).toBe('InvalidConfSlot'); // the connection in use
    expect(await refused(2, { ocppVersion: 'OCPP16' })).toBe('InvalidNetworkConf');
    expect(await refused(2, { ocppTransport: 'SOAP' })).toBe('InvalidNetworkConf');
    expect(await refused(2, { apn: { apn: 'internet', apnAuthentication: 'AUTO' } })).toBe('InvalidNetworkConf');
    expect(await refused(2, { vpn: { server: 'vpn', user: 'u', password: 'p', key: 'k', type: 'IPSec' } })).toBe('InvalidNetworkConf');
    expect(await refused(2, { securityProfile: 0, ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' })).toBe('NoSecurityDowngrade');
    expect(await refused(2, { securityProfile: 2, ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' })).toBe('InvalidNetworkConf'); // TLS needs wss://
    expect(await refused(2, { securityProfile: 1, ocppCsmsUrl: 'wss://127.0.0.1:1/ocpp' })).toBe('InvalidNetworkConf');
    expect(await refused(2, { ocppCsmsUrl: 'wss://127.0.0.1:1/ocpp?x=1' })).toBe('InvalidNetworkConf');
    expect(await refused(2, { messageTimeout: 0 })).toBe('InvalidNetworkConf');
    const noRoot = await set(2, {});
    expect(noRoot).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidNetworkConf', additionalInfo: expect.stringContaining('no CSMS root certificate') } });
    expect(await f.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pki.ca.cert })).toEqual({ status: 'Accepted' });
    expect(await set(3, { securityProfile: 3 })).toMatchObject({ status: 'Rejected', statusInfo: { additionalInfo: expect.stringContaining('no charging station certificate') } });
    expect(await set(2, { ocppCsmsUrl: 'wss://127.0.0.1:1/ocpp/' })).toEqual({ status: 'Accepted' });
    expect(await set(4, { securityProfile: 1, ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' })).toEqual({ status: 'Accepted' });

    const priority = (value: string) => f.call('SetVariables', { setVariableData: [{ ...get('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: value }] }).then((r) => r.setVariableResult[0]!.attributeStatus);
    expect(await priority('3,1')).toBe('Rejected'); // no profile in slot 3
    expect(await priority('2,2')).toBe('Rejected');
    expect(await priority('2,1,4')).toBe('Accepted');
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [get('OCPPCommCtrlr', 'NetworkConfigurationPriority'), get('OCPPCommCtrlr', 'ActiveNetworkProfile'), get('SecurityCtrlr', 'SecurityProfile')] });
    // Accepted, but the connection in use stays until the next one (a Reset or a lost connection, B10.FR.03/04).
    expect(getVariableResult.map((r) => r.attributeValue)).toEqual(['2,1,4', '1', '1']);
    const report = await f.call('GetBaseReport', { requestId: 7, reportBase: 'FullInventory' });
    expect(report.status).toBe('Accepted');
    await vi.waitFor(() => expect(f.sent('NotifyReport').at(-1)?.tbc).toBe(false), { timeout: 5000, interval: 10 });
    const data = f.sent('NotifyReport').flatMap((r) => r.reportData ?? []);
    expect(data.find((d) => d.variable.name === 'NetworkConfigurationPriority')?.variableCharacteristics).toMatchObject({ dataType: 'SequenceList', valuesList: '1,2,3,4,5,6,7,8,9' });
    expect(data.find((d) => d.variable.name === 'SecurityProfile')?.variableAttribute[0]).toMatchObject({ value: '1', mutability: 'ReadOnly' });
  });

  it('stores the profile durably (0600) before Accepted; a store that cannot be written answers Failed', async () => {
    const file = join(dir, 'durable', 'network-profiles.json');
    const store = await NetworkProfiles.open({ file, url: 'ws://127.0.0.1:1/ocpp', log });
    await store.set(2, { url: 'wss://csms.example/ocpp', securityProfile: 2, messageTimeoutS: 20, ocppInterface: 'Wired0' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await NetworkProfiles.open({ file, url: 'ws://127.0.0.1:1/ocpp', log });
    expect(again.get(2)).toEqual({ slot: 2, url: 'wss://csms.example/ocpp', securityProfile: 2, messageTimeoutS: 20, ocppInterface: 'Wired0', source: 'csms' });
    // The installer gives slot 2 a fallback URL in the settings: the settings win.
    const installer = await NetworkProfiles.open({ file, url: 'ws://127.0.0.1:1/ocpp', fallbackUrls: ['ws://backup/ocpp'], log });
    expect(installer.get(2)).toEqual({ slot: 2, url: 'ws://backup/ocpp', source: 'settings' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ profiles: { 2: { replaces: null } } });

    // A directory that cannot hold the file: Failed (B09.FR.03).
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, 'x');
    const port = await freePort();
    const broken = await NetworkProfiles.open({ file: join(blocker, 'network-profiles.json'), url: `ws://127.0.0.1:${port}/ocpp`, log });
    const credentials = await CsmsCredentials.open({ file: null, settingsProfile: 1, settingsPassword: PASSWORD, log });
    const certificates = await CertificateStore.open({ file: null, log, maxCertificates: 5 });
    const f = await agent201Fixture({
      connectors: 1,
      clockStart: Date.now(),
      csms: { password: PASSWORD, port },
      agent: ({ config, csmsUrl }) => {
        const security = new ConnectionSecurity({ url: csmsUrl, credentials, certificates, events: { raise: () => undefined }, log, tls: { ciphers: DEFAULT_CIPHERS } });
        security.own(config);
        return { linkSecurity: security, csms: { url: csmsUrl, password: PASSWORD, callTimeoutMs: 10_000, networkProfiles: broken } };
      },
    });
    const answer = await f.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile({ securityProfile: 1, ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' }) });
    expect(answer).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'WriteFailed' } });
    expect(broken.get(2)).toBeUndefined();
  });
});

describe('migrating to a new CSMS (B10) with a higher security profile (A05)', () => {
  it('SetNetworkProfile + NetworkConfigurationPriority + Reset: the station connects to the new profile over TLS, boots there and keeps security profile 2', async () => {
    const second = await tlsCsms();
    const { f, credentials, events } = await station();
    expect(await f.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pki.ca.cert })).toEqual({ status: 'Accepted' });
    expect(await f.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile({ ocppCsmsUrl: second.url, messageTimeout: 20 }) })).toEqual({ status: 'Accepted' });
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ ...get('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: '2,1' }] });
    expect(setVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted' });
    expect(second.handshakes).toEqual([]); // nothing changes until the station connects anew
    expect(await f.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });

    await vi.waitFor(() => expect(second.count('StatusNotification')).toBe(1), { timeout: 5000, interval: 10 });
    expect(second.handshakes).toEqual([{ identity: CP201, password: PASSWORD }]);
    expect(second.count('BootNotification')).toBe(1);
    expect(f.agent.link.connectionSlot).toBe(2);
    const answer = (await second.client.call('GetVariables', {
      getVariableData: [get('SecurityCtrlr', 'SecurityProfile'), get('OCPPCommCtrlr', 'ActiveNetworkProfile'), get('OCPPCommCtrlr', 'MessageTimeout', 'Default')],
    })) as { getVariableResult: { attributeValue?: string }[] };
    expect(answer.getVariableResult.map((r) => r.attributeValue)).toEqual(['2', '2', '20']);
    // Accepted through profile 2: it is the station's from now on (A05.FR.06), with a security event (A05.FR.07).
    await vi.waitFor(() => expect(credentials.profile).toBe(2), { timeout: 5000, interval: 10 });
    expect(events.map((e) => e.type)).toContain('ReconfigurationOfSecurityParameters');

    // No way back below it: slot 1 (ws://) is not a profile the station may use, nor may a CSMS set one.
    const back = (await second.client.call('SetVariables', { setVariableData: [{ ...get('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: '1,2' }] })) as { setVariableResult: { attributeStatus: string }[] };
    expect(back.setVariableResult[0]!.attributeStatus).toBe('Rejected');
    const lower = (await second.client.call('SetNetworkProfile', { configurationSlot: 3, connectionData: profile({ securityProfile: 1, ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' }) })) as { status: string; statusInfo?: { reasonCode: string } };
    expect(lower).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'NoSecurityDowngrade' } });
  });

  it('a new profile that cannot connect: after its attempts the station falls back to the profile it was accepted on (B10.FR.07), security profile unchanged, InvalidCsmsCertificate raised', async () => {
    const foreign = await tlsCsms(pki.foreignCsms); // a certificate of a CA the station does not trust
    const { f, credentials, events } = await station({ ocpp: { NetworkProfileConnectionAttempts: 2 } });
    expect(await f.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pki.ca.cert })).toEqual({ status: 'Accepted' });
    expect(await f.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile({ ocppCsmsUrl: foreign.url }) })).toEqual({ status: 'Accepted' });
    // Only the new profile listed: without B10.FR.07 the station would be stranded.
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ ...get('OCPPCommCtrlr', 'NetworkConfigurationPriority'), attributeValue: '2' }] });
    expect(setVariableResult[0]!.attributeStatus).toBe('Accepted');
    const reconnecting: { attempt: number; delayMs: number }[] = [];
    f.agent.link.on('reconnecting', (r) => void reconnecting.push(r));
    const bootsBefore = f.csms.count('BootNotification');
    expect(await f.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    // Two failed attempts on slot 2 (the reconnect waits are 1 s on the fixture's clock) …
    for (let i = 0; i < 2; i++) {
      await vi.waitFor(() => expect(reconnecting).toHaveLength(i + 1), { timeout: 5000, interval: 10 });
      await f.advance(reconnecting[i]!.delayMs);
    }
    // … then slot 1, where the station was accepted before (same CSMS: it does not boot again there, 2.0.1).
    await vi.waitFor(() => expect(f.agent.link.state).toBe('accepted'), { timeout: 5000, interval: 10 });
    expect(f.agent.link.connectionSlot).toBe(1);
    expect(f.csms.handshakes).toHaveLength(2); // the first connection and the fallback's (the reset's attempts went to slot 2)
    expect(f.csms.count('BootNotification')).toBe(bootsBefore + 1); // the Reset's boot only
    expect(credentials.profile).toBe(1);
    expect(events.filter((e) => e.type === 'InvalidCentralSystemCertificate')).toHaveLength(2);
  });
});

describe('without the connection security service (fleets, tests)', () => {
  it('SecurityProfile says what the settings give (1: a password over ws://); SetNetworkProfile takes profiles 0 and 1 only', async () => {
    const f = await agent201Fixture({
      connectors: 1,
      csms: { password: PASSWORD },
      agent: ({ csmsUrl }) => ({ csms: { url: csmsUrl, password: PASSWORD, callTimeoutMs: 10_000 } }),
    });
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [get('SecurityCtrlr', 'SecurityProfile')] });
    expect(getVariableResult[0]!.attributeValue).toBe('1');
    expect(await f.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile({ ocppCsmsUrl: 'wss://127.0.0.1:1/ocpp' }) })).toMatchObject({ status: 'Rejected', statusInfo: { additionalInfo: expect.stringContaining('no connection security service') } });
    expect(await f.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile({ securityProfile: 1, ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' }) })).toEqual({ status: 'Accepted' });
  });
});
