/**
 * Certificate management over a real link to a strict ocpp-rpc CSMS (which validates the Security
 * Whitepaper's messages both ways against ocpp-rpc's OCPP 1.6 schemas): install, list and delete
 * root certificates, SignCertificate with a CSR made on the charger and signed by openssl, the
 * checks on CertificateSigned, and renewal before the certificate expires.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupLinks, eventually, linkFixture } from '../ocpp/testing/linkFixture.js';
import { CertificateService, EXPIRY_WARNING_MS } from './CertificateService.js';
import { CertificateStore } from './CertificateStore.js';
import type { SecurityEventType } from './securityEvents.js';
import { makeTestPki, type TestPki } from './testing/testPki.js';

const log = pino({ level: 'silent' });
let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(() => pki.remove());
afterEach(cleanupLinks);

async function fixture(opts: { needsInstalledRoots?: boolean; log?: pino.Logger } = {}) {
  const f = await linkFixture({ clockStart: Date.now() });
  await f.config.change('CpoName', 'Test CPO');
  const events: { type: SecurityEventType; techInfo?: string }[] = [];
  const store = await CertificateStore.open({ file: null, log, maxCertificates: 3 });
  const service = new CertificateService({
    store,
    events: { raise: (type, techInfo) => void events.push({ type, ...(techInfo !== undefined && { techInfo }) }) },
    clock: f.clock,
    log: opts.log ?? log,
    subject: () => ({ organization: f.config.getString('CpoName'), commonName: 'CP-SERIAL' }),
    needsInstalledRoots: () => opts.needsInstalledRoots ?? false,
  });
  service.attach(f.link);
  f.control.certificates = service;
  f.link.start();
  await f.until('accepted');
  return { ...f, cp: f.csms().client, store, service, events };
}

/** The SHA-256 of a P-256 certificate's public key bits (the last 65 bytes of its SPKI). */
function keyHash(pem: string): string {
  const spki = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki.subarray(-65)).digest('hex');
}

describe('root certificates', () => {
  it('installs, lists and deletes CentralSystemRootCertificates; refuses what is not a CA certificate', async () => {
    const f = await fixture();
    expect(await f.cp.call('GetInstalledCertificateIds', { certificateType: 'CentralSystemRootCertificate' })).toEqual({ status: 'NotFound' });
    expect(await f.cp.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: pki.csms.cert })).toEqual({ status: 'Rejected' });
    expect(await f.cp.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: 'not a certificate' })).toEqual({ status: 'Rejected' });
    expect(await f.cp.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: pki.ca.cert })).toEqual({ status: 'Accepted' });
    expect(await f.cp.call('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: pki.otherCa.cert })).toEqual({ status: 'Accepted' });

    const listed = (await f.cp.call('GetInstalledCertificateIds', { certificateType: 'CentralSystemRootCertificate' })) as { status: string; certificateHashData: { serialNumber: string; issuerKeyHash: string; issuerNameHash: string }[] };
    expect(listed.status).toBe('Accepted');
    expect(listed.certificateHashData).toHaveLength(1);
    const id = listed.certificateHashData[0]!;
    expect(id).toMatchObject({ hashAlgorithm: 'SHA256', serialNumber: new X509Certificate(pki.ca.cert).serialNumber.toLowerCase().replace(/^0+/, ''), issuerKeyHash: keyHash(pki.ca.cert) });
    expect(id.issuerNameHash).toMatch(/^[0-9a-f]{64}$/);

    expect(await f.cp.call('DeleteCertificate', { certificateHashData: id })).toEqual({ status: 'Accepted' });
    expect(await f.cp.call('DeleteCertificate', { certificateHashData: id })).toEqual({ status: 'NotFound' });
    expect(await f.cp.call('GetInstalledCertificateIds', { certificateType: 'ManufacturerRootCertificate' })).toMatchObject({ status: 'Accepted' });
  });

  it('keeps the last CentralSystemRootCertificate while the connection is verified against it', async () => {
    const f = await fixture({ needsInstalledRoots: true });
    await f.cp.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: pki.ca.cert });
    const [id] = f.store.ids('CentralSystemRootCertificate');
    expect(await f.cp.call('DeleteCertificate', { certificateHashData: id })).toEqual({ status: 'Failed' });
  });

  it('answers NotSupported on a charger without certificate management', async () => {
    const f = await linkFixture();
    f.link.start();
    await f.until('accepted');
    await expect(f.csms().client.call('GetInstalledCertificateIds', { certificateType: 'CentralSystemRootCertificate' })).rejects.toMatchObject({ rpcErrorCode: 'NotSupported' });
  });
});

describe('the charge point certificate', () => {
  async function csrFromTrigger(f: Awaited<ReturnType<typeof fixture>>): Promise<string> {
    const before = f.csms().count('SignCertificate');
    expect(await f.cp.call('ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' })).toEqual({ status: 'Accepted' });
    await eventually(() => expect(f.csms().count('SignCertificate')).toBe(before + 1));
    return String(f.csms().calls.filter((c) => c.action === 'SignCertificate').at(-1)!.params.csr);
  }

  it('SignCertificate carries a CSR made on the charger (O = CpoName, CN = serial); the signed chain is checked and kept', async () => {
    const f = await fixture();
    await f.cp.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: pki.ca.cert });
    const csr = await csrFromTrigger(f);
    await writeFile(join(pki.dir, 'check.csr'), csr);
    const parsed = execFileSync('openssl', ['req', '-in', join(pki.dir, 'check.csr'), '-noout', '-verify', '-subject'], { stdio: 'pipe' }).toString();
    expect(parsed).toMatch(/subject=O = Test CPO, CN = CP-SERIAL/);

    // A certificate for another key, and one already expired, are refused and reported.
    expect(await f.cp.call('CertificateSigned', { certificateChain: pki.chargePoint.cert })).toEqual({ status: 'Rejected' });
    expect(await f.cp.call('CertificateSigned', { certificateChain: await pki.sign(csr, -1) })).toEqual({ status: 'Rejected' });
    expect(f.events.map((e) => e.type)).toEqual(['InvalidChargePointCertificate', 'InvalidChargePointCertificate']);
    expect(f.events[0]!.techInfo).toMatch(/not for the key/);
    expect(f.events[1]!.techInfo).toMatch(/not valid now/);
    expect(f.store.chargePointCertificate()).toBeUndefined();

    const signed = await pki.sign(csr);
    expect(await f.cp.call('CertificateSigned', { certificateChain: `${signed}${pki.ca.cert}` })).toEqual({ status: 'Accepted' });
    const kept = f.store.chargePointCertificate();
    expect(new X509Certificate(kept!.cert).subject).toContain('CN=CP-SERIAL');
    expect(new X509Certificate(kept!.cert).checkPrivateKey(createPrivateKey(kept!.key))).toBe(true);
  });

  it('refuses a chain that does not lead to an installed CentralSystemRootCertificate', async () => {
    const f = await fixture();
    const csr = await csrFromTrigger(f);
    expect(await f.cp.call('CertificateSigned', { certificateChain: await pki.sign(csr) })).toEqual({ status: 'Rejected' });
    expect(f.events.at(-1)?.techInfo).toMatch(/installed CentralSystemRootCertificate/);
  });

  it('asks for a new certificate once the current one is about to expire', async () => {
    const f = await fixture();
    await f.cp.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: pki.ca.cert });
    const csr = await csrFromTrigger(f);
    expect(await f.cp.call('CertificateSigned', { certificateChain: await pki.sign(csr, 10) })).toEqual({ status: 'Accepted' });
    expect(f.store.chargePointExpiry()! - f.clock.now()).toBeLessThan(EXPIRY_WARNING_MS);
    f.service.start();
    await eventually(() => expect(f.csms().count('SignCertificate')).toBe(2));
    f.service.stop();
  });

  it('warns of an installed root certificate that runs out within 30 days, at start and once a day', async () => {
    const lines: { msg: string; subject?: string }[] = [];
    const captured = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    const f = await fixture({ log: captured });
    await f.cp.call('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: pki.ca.cert }); // the test CA lives 2 days
    f.service.start();
    const warnings = () => lines.filter((l) => l.msg === 'installed certificate expires soon');
    expect(warnings()).toHaveLength(1);
    f.clock.advance(24 * 3600_000);
    expect(warnings()).toHaveLength(2);
    f.service.stop();
  });
});
