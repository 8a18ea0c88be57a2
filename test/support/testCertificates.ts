/**
 * Throwaway certificates for TLS tests, made with the `openssl` CLI in a temp dir at test time
 * (P-256 keys: milliseconds): a CA, a server certificate for 127.0.0.1 / localhost signed by it,
 * a client certificate signed by it (mutual TLS), and an unrelated CA (the "wrong CA" case).
 * Valid for one day; nothing is kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL_BIN = process.env.OPENSSL_BIN ?? 'openssl';

export interface TestCertificates {
  readonly dir: string;
  /** PEM files. */
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A CA that signed nothing here. */
  readonly otherCaFile: string;
  remove(): Promise<void>;
}

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-certs-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync(OPENSSL_BIN, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const selfSignedCa = (name: string, cn: string) => openssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${cn}`);
  const signed = async (name: string, cn: string, extensions: string, serial: string) => {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    await writeFile(at(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '1', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  };
  try {
    selfSignedCa('ca', 'evse-agent test CA');
    selfSignedCa('other-ca', 'unrelated test CA');
    await signed('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', '2');
    await signed('client', 'evse-test-client', 'extendedKeyUsage=clientAuth\n', '3');
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`making test certificates with ${OPENSSL_BIN} failed: ${(err as Error).message}\n${stderr}`);
  }
  return {
    dir,
    caFile: at('ca.pem'),
    serverCertFile: at('server.pem'),
    serverKeyFile: at('server.key'),
    clientCertFile: at('client.pem'),
    clientKeyFile: at('client.key'),
    otherCaFile: at('other-ca.pem'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
