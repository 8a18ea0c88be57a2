/** The whitepaper's firmware signature and signing-certificate chain, with keys made by openssl in the test. */
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSigningMaterial, signImage, simImage, type SigningMaterial } from '../../test/support/firmwareRig.js';
import { OPENSSL_BIN } from '../../test/support/testCertificates.js';
import { checkSigningCertificate, verifyImageSignature } from './firmwareSignature.js';

let m: SigningMaterial;
let dir: string;
const image = simImage('1.0.0', 10_000);
let imageFile: string;
/** A chain root → intermediate CA → signing certificate. */
let chained: { leaf: string; intermediate: string; root: string; key: string };

beforeAll(async () => {
  m = await makeSigningMaterial();
  dir = await mkdtemp(join(tmpdir(), 'evse-sig-'));
  imageFile = join(dir, 'image.bin');
  await writeFile(imageFile, image);
  const openssl = (...args: string[]) => execFileSync(OPENSSL_BIN, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'root.key', '-out', 'root.pem', '-days', '2', '-subj', '/CN=chain root', '-addext', 'basicConstraints=critical,CA:TRUE');
  await writeFile(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
  openssl('req', ...ec, '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=intermediate');
  openssl('x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '11', '-days', '1', '-out', 'int.pem', '-extfile', 'ca.ext');
  openssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-set_serial', '12', '-days', '1', '-out', 'leaf.pem');
  const read = (f: string) => readFile(join(dir, f), 'utf8');
  chained = { leaf: await read('leaf.pem'), intermediate: await read('int.pem'), root: await read('root.pem'), key: await read('leaf.key') };
}, 30_000);
afterAll(async () => {
  await m.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('checkSigningCertificate', () => {
  it('accepts a certificate signed by an installed root, refuses one signed by another', () => {
    const now = Date.now();
    expect(checkSigningCertificate(m.rsa.cert, [m.rootPem], now)).toEqual({ ok: true });
    expect(checkSigningCertificate(m.ec.cert, [m.otherRootPem, m.rootPem], now)).toEqual({ ok: true });
    expect(checkSigningCertificate(m.untrusted.cert, [m.rootPem], now)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not chain/) });
    expect(checkSigningCertificate(m.rsa.cert, [], now)).toMatchObject({ ok: false, reason: expect.stringMatching(/no ManufacturerRootCertificate/) });
  });

  it('follows intermediates sent with the signing certificate, and only those', () => {
    const now = Date.now();
    expect(checkSigningCertificate(chained.leaf + chained.intermediate, [chained.root], now)).toEqual({ ok: true });
    expect(checkSigningCertificate(chained.leaf, [chained.root], now)).toMatchObject({ ok: false });
  });

  it('refuses a certificate outside its validity period, and text that is no certificate', () => {
    expect(checkSigningCertificate(m.rsa.cert, [m.rootPem], Date.now() + 3 * 86_400_000)).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid now/) });
    expect(checkSigningCertificate('hello', [m.rootPem], Date.now())).toMatchObject({ ok: false, reason: expect.stringMatching(/no PEM certificate/) });
    expect(checkSigningCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', [m.rootPem], Date.now())).toMatchObject({ ok: false });
  });
});

describe('verifyImageSignature', () => {
  it('verifies RSA PKCS#1 v1.5 and ECDSA (DER and raw r‖s) signatures over the file', async () => {
    expect(await verifyImageSignature(imageFile, signImage(image, m.rsa.key), m.rsa.cert)).toEqual({ ok: true });
    expect(await verifyImageSignature(imageFile, signImage(image, m.ec.key), m.ec.cert)).toEqual({ ok: true });
    const p1363 = createSign('sha256').update(image).sign({ key: m.ec.key, dsaEncoding: 'ieee-p1363' }).toString('base64');
    expect(await verifyImageSignature(imageFile, p1363, m.ec.cert)).toEqual({ ok: true });
  });

  it('refuses another image, another key, and a signature that is not base64 of anything', async () => {
    const other = simImage('1.0.1', 10_000);
    expect(await verifyImageSignature(imageFile, signImage(other, m.rsa.key), m.rsa.cert)).toMatchObject({ ok: false });
    expect(await verifyImageSignature(imageFile, signImage(image, m.ec.key), m.rsa.cert)).toMatchObject({ ok: false });
    expect(await verifyImageSignature(imageFile, '!!!', m.rsa.cert)).toMatchObject({ ok: false });
  });
});
