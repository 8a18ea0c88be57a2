/**
 * Security over OCPP 2.0.1 against a strict 2.0.1 CSMS, through the version-neutral security
 * services the 1.6 face uses: certificates (InstallCertificate, GetInstalledCertificateIds,
 * DeleteCertificate, SignCertificate → CertificateSigned), the durable security event queue
 * (SecurityEventNotification in 2.0.1 words) and the connection security service behind
 * SecurityCtrlr.SecurityProfile and BasicAuthPassword.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CertificateService } from './CertificateService.js';
import { CertificateStore } from './CertificateStore.js';
import { ConnectionSecurity, DEFAULT_CIPHERS } from './ConnectionSecurity.js';
import { CsmsCredentials } from './CsmsCredentials.js';
import { SecurityEventService, type QueuedSecurityEvent } from './SecurityEventService.js';
import { SecurityLog } from './SecurityLog.js';
import { makeTestPki, type TestPki } from './testing/testPki.js';
import { MemoryJournal } from '../store/TransactionJournal.js';
import { agent201Fixture, cleanupAgents201, CP201, type Agent201Fixture } from '../../test/support/agent201Fixture.js';
import { securityEvent201 } from '../ocpp/v201/certificates201.js';

const log = pino({ level: 'silent' });
const PASSWORD = 'first-password-0001';
let pki: TestPki;
let dir: string;
beforeAll(async () => {
  pki = await makeTestPki();
  dir = await mkdtemp(join(tmpdir(), 'v201-security-'));
});
afterAll(async () => {
  await pki.remove();
  await rm(dir, { recursive: true, force: true });
});
afterEach(cleanupAgents201);

async function withCertificates(): Promise<Agent201Fixture & { certificates: CertificateService; securityEvents: SecurityEventService }> {
  const store = await CertificateStore.open({ file: null, log, maxCertificates: 5 });
  const securityLog = await SecurityLog.open({ file: join(dir, `security-${Math.random().toString(36).slice(2)}.log`), log });
  let certificates: CertificateService | undefined;
  let securityEvents: SecurityEventService | undefined;
  const f = await agent201Fixture({
    connectors: 1,
    clockStart: Date.now(), // the test PKI is valid from today
    agent: ({ clock, config }) => {
      securityEvents = new SecurityEventService({ clock, log, securityLog, queue: new MemoryJournal<QueuedSecurityEvent>() });
      certificates = new CertificateService({
        store,
        events: securityEvents,
        clock,
        log,
        subject: () => ({ organization: config.getString('CpoName'), commonName: 'SN-201' }),
        needsInstalledRoots: () => false,
      });
      return { certificates, securityEvents };
    },
  });
  return Object.assign(f, { certificates: certificates!, securityEvents: securityEvents! });
}

describe('certificates', () => {
  it('installs, lists and deletes roots in 2.0.1 types; the ISO 15118 ones are Rejected', async () => {
    const f = await withCertificates();
    expect(await f.call('GetInstalledCertificateIds', {})).toEqual({ status: 'NotFound' });
    expect(await f.call('InstallCertificate', { certificateType: 'V2GRootCertificate', certificate: pki.ca.cert })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedCertType' } });
    expect(await f.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pki.csms.cert })).toEqual({ status: 'Rejected' }); // not a CA
    expect(await f.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pki.ca.cert })).toEqual({ status: 'Accepted' });
    expect(await f.call('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: pki.otherCa.cert })).toEqual({ status: 'Accepted' });
    const all = await f.call('GetInstalledCertificateIds', {});
    expect(all.certificateHashDataChain?.map((c) => c.certificateType)).toEqual(['CSMSRootCertificate', 'ManufacturerRootCertificate']);
    const csmsRoot = await f.call('GetInstalledCertificateIds', { certificateType: ['CSMSRootCertificate'] });
    expect(csmsRoot.certificateHashDataChain).toHaveLength(1);
    const id = csmsRoot.certificateHashDataChain![0]!.certificateHashData;
    expect(id).toMatchObject({ hashAlgorithm: 'SHA256', issuerNameHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await f.call('DeleteCertificate', { certificateHashData: id })).toEqual({ status: 'Accepted' });
    expect(await f.call('DeleteCertificate', { certificateHashData: id })).toEqual({ status: 'NotFound' });
    expect(await f.call('GetInstalledCertificateIds', { certificateType: ['CSMSRootCertificate', 'V2GCertificateChain'] })).toEqual({ status: 'NotFound' });
  });

  it('TriggerMessage SignChargingStationCertificate → SignCertificate with a CSR; CertificateSigned checks and keeps the chain', async () => {
    const f = await withCertificates();
    await f.call('SetVariables', { setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'OrganizationName' }, attributeValue: 'Test CPO' }] });
    await f.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pki.ca.cert });
    expect(await f.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('SignCertificate');
    const sign = f.sent('SignCertificate')[0]!;
    expect(sign).toMatchObject({ certificateType: 'ChargingStationCertificate', csr: expect.stringContaining('BEGIN CERTIFICATE REQUEST') });
    expect(await f.call('CertificateSigned', { certificateChain: pki.chargePoint.cert })).toEqual({ status: 'Rejected' }); // another key
    expect(await f.call('CertificateSigned', { certificateChain: 'x', certificateType: 'V2GCertificate' })).toMatchObject({ status: 'Rejected' });
    const signed = await pki.sign(sign.csr);
    expect(await f.call('CertificateSigned', { certificateChain: `${signed}${pki.ca.cert}`, certificateType: 'ChargingStationCertificate' })).toEqual({ status: 'Accepted' });
  });

  it('a station without certificate management answers their calls NotSupported, and has no SecurityCtrlr certificate variables', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await expect(f.call('GetInstalledCertificateIds', {})).rejects.toMatchObject({ rpcErrorCode: 'NotSupported' });
    expect(await f.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' })).toEqual({ status: 'NotImplemented' });
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'CertificateEntries' } }, { component: { name: 'SecurityCtrlr' }, variable: { name: 'MaxCertificateChainSize' } }] });
    expect(getVariableResult.map((r) => r.attributeStatus)).toEqual(['UnknownVariable', 'UnknownVariable']);
  });

  it('SecurityCtrlr.CertificateEntries counts the roots installed; MaxCertificateChainSize is read-only', async () => {
    const f = await withCertificates();
    const entries = { component: { name: 'SecurityCtrlr' }, variable: { name: 'CertificateEntries' } };
    const maxChain = { component: { name: 'SecurityCtrlr' }, variable: { name: 'MaxCertificateChainSize' } };
    expect((await f.call('GetVariables', { getVariableData: [entries, maxChain] })).getVariableResult.map((r) => r.attributeValue)).toEqual(['0', '10000']);
    await f.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: pki.ca.cert });
    await f.call('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: pki.otherCa.cert });
    expect((await f.call('GetVariables', { getVariableData: [entries] })).getVariableResult[0]!.attributeValue).toBe('2');
    expect((await f.call('SetVariables', { setVariableData: [{ ...maxChain, attributeValue: '20000' }] })).setVariableResult[0]).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } });
    // 10000 is also what the 2.0.1 schema allows: a longer chain is refused by the strict validation before any handler.
  });
});

describe('SecurityEventNotification', () => {
  it('critical events from the durable queue go out in 2.0.1 words', async () => {
    const f = await withCertificates();
    f.securityEvents.raise('SecurityLogWasCleared', 'by the installer');
    await f.waitForSent('SecurityEventNotification');
    expect(f.sent('SecurityEventNotification')[0]).toEqual({ type: 'SecurityLogWasCleared', timestamp: expect.any(String), techInfo: 'by the installer' });
    expect(securityEvent201('InvalidCentralSystemCertificate')).toBe('InvalidCsmsCertificate');
    expect(securityEvent201('FailedToAuthenticateAtCentralSystem')).toBe('FailedToAuthenticateAtCsms');
  });
});

describe('SecurityCtrlr', () => {
  async function withConnectionSecurity(): Promise<Agent201Fixture & { credentials: CsmsCredentials }> {
    const credentials = await CsmsCredentials.open({ file: null, settingsProfile: 1, settingsPassword: PASSWORD, log });
    const certificates = await CertificateStore.open({ file: null, log, maxCertificates: 5 });
    const f = await agent201Fixture({
      connectors: 1,
      agent: ({ config, csmsUrl }) => {
        const security = new ConnectionSecurity({ url: csmsUrl, credentials, certificates, events: { raise: () => undefined }, log, tls: { ciphers: DEFAULT_CIPHERS } });
        security.own(config);
        return { linkSecurity: security };
      },
    });
    return Object.assign(f, { credentials });
  }
  const v = (name: string) => ({ component: { name: 'SecurityCtrlr' }, variable: { name } });

  it('SecurityProfile is read-only (raised through connection profiles); BasicAuthPassword is write-only and the next connection uses it', async () => {
    const f = await withConnectionSecurity();
    const got = await f.call('GetVariables', { getVariableData: [v('SecurityProfile'), v('BasicAuthPassword'), v('Identity')] });
    expect(got.getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([['Accepted', '1'], ['Rejected', undefined], ['Accepted', CP201]]);
    const set = await f.call('SetVariables', { setVariableData: [
      { ...v('SecurityProfile'), attributeValue: '0' },
      { ...v('SecurityProfile'), attributeValue: '2' },
      { ...v('BasicAuthPassword'), attributeValue: 'short' },
      { ...v('Identity'), attributeValue: 'OTHER' },
      { ...v('BasicAuthPassword'), attributeValue: 'second-password-0002' },
    ] });
    expect(set.setVariableResult.map((r) => r.attributeStatus)).toEqual(['Rejected', 'Rejected', 'Rejected', 'Rejected', 'Accepted']);
    // As the specification has it: no SetVariables of SecurityProfile, lower or higher (SetNetworkProfile raises it).
    expect(set.setVariableResult.slice(0, 2).map((r) => r.attributeStatusInfo?.reasonCode)).toEqual(['ReadOnly', 'ReadOnly']);
    // The link closes (real I/O), then reconnects after its usual delay on the charger's clock.
    await vi.waitFor(async () => {
      await f.advance(1000);
      expect(f.csms.handshakes.map((h) => h.password)).toEqual([PASSWORD, 'second-password-0002']);
    }, { timeout: 5000, interval: 20 });
    // Accepted on that connection (2.0.1 does not boot again): the new password is kept.
    await vi.waitFor(() => expect(f.credentials.password).toBe('second-password-0002'), { timeout: 5000, interval: 10 });
    expect(f.csms.count('BootNotification')).toBe(1);
    const report = await f.call('GetBaseReport', { requestId: 1, reportBase: 'ConfigurationInventory' });
    expect(report).toEqual({ status: 'Accepted' });
    await vi.waitFor(() => expect(f.sent('NotifyReport').at(-1)?.tbc).toBe(false), { timeout: 5000, interval: 10 });
    const data = f.sent('NotifyReport').flatMap((r) => r.reportData ?? []);
    expect(data.find((d) => d.variable.name === 'BasicAuthPassword')?.variableAttribute).toEqual([{ type: 'Actual', mutability: 'WriteOnly', persistent: true, constant: false }]);
    expect(data.find((d) => d.variable.name === 'SecurityProfile')).toBeUndefined(); // read-only: not configuration
    expect(f.credentials.profile).toBe(1);
  });

  it('without the connection security service SecurityProfile is a read-only fact and there is no BasicAuthPassword', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const got = await f.call('GetVariables', { getVariableData: [v('SecurityProfile'), v('BasicAuthPassword')] });
    expect(got.getVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'UnknownVariable']);
    const set = await f.call('SetVariables', { setVariableData: [{ ...v('SecurityProfile'), attributeValue: '2' }] });
    expect(set.setVariableResult[0]).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } });
  });
});
