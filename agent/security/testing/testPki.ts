/**
 * Certificates for tests of the security profiles, made with the openssl CLI in a temporary
 * directory: a CPO root CA, a CSMS certificate for 127.0.0.1 signed by it (also an expired one),
 * a second, unrelated CA with its own CSMS certificate, and signing of a charger's CSR. Test
 * support only (the agent itself never runs openssl).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  ca: Pem;
  csms: Pem;
  expiredCsms: Pem;
  otherCa: Pem;
  /** A CSMS certificate for 127.0.0.1 from `otherCa`. */
  foreignCsms: Pem;
  /** A charge point certificate (CN CP-SERIAL, O Test CPO) from `ca`. */
  chargePoint: Pem;
  /** Signs a CSR (PEM) with `ca`; `days` < 0 gives an expired certificate. */
  sign(csr: string, days?: number): Promise<string>;
  remove(): Promise<void>;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

async function pem(dir: string, name: string): Promise<Pem> {
  return { cert: await readFile(join(dir, `${name}.pem`), 'utf8'), key: await readFile(join(dir, `${name}.key`), 'utf8') };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(dir: string, name: string, subject: string): void {
  openssl(dir, 'req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', subject);
}

function makeLeaf(dir: string, name: string, ca: string, subject: string, days: number, ext: string): void {
  openssl(dir, 'req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days), '-extfile', ext);
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-pki-'));
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  makeCa(dir, 'ca', '/O=Test CPO/CN=Test CPO Root');
  makeCa(dir, 'other-ca', '/O=Someone Else/CN=Other Root');
  makeLeaf(dir, 'csms', 'ca', '/CN=127.0.0.1', 10, 'server.ext');
  makeLeaf(dir, 'expired-csms', 'ca', '/CN=127.0.0.1', -1, 'server.ext');
  makeLeaf(dir, 'foreign-csms', 'other-ca', '/CN=127.0.0.1', 10, 'server.ext');
  makeLeaf(dir, 'cp', 'ca', '/O=Test CPO/CN=CP-SERIAL', 10, 'client.ext');
  let n = 0;
  return {
    dir,
    ca: await pem(dir, 'ca'),
    csms: await pem(dir, 'csms'),
    expiredCsms: await pem(dir, 'expired-csms'),
    otherCa: await pem(dir, 'other-ca'),
    foreignCsms: await pem(dir, 'foreign-csms'),
    chargePoint: await pem(dir, 'cp'),
    async sign(csr, days = 10) {
      const name = `signed-${++n}`;
      await writeFile(join(dir, `${name}.csr`), csr);
      openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days), '-extfile', 'client.ext');
      return readFile(join(dir, `${name}.pem`), 'utf8');
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
