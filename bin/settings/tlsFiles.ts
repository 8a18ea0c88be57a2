/**
 * The PEM files of a `tls` settings section (`csms.tls`, `telemetry.tls`), read once at start and
 * checked: a file that cannot be read or is not what its key says is a configuration error naming
 * the key (exit 78), like any other invalid setting — better than a charger that never reaches its
 * CSMS or broker and does not say why. A client certificate needs its key and the other way round.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { splitPem } from '../../agent/security/x509.js';
import type { SettingsIssue } from './settings.js';

export interface TlsFiles {
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
}

/** The files' contents: `ca` a bundle of one or more certificates. */
export interface TlsPems {
  ca?: string;
  cert?: string;
  key?: string;
}

const certificates = (pem: string): void => {
  const blocks = splitPem(pem);
  if (blocks.length === 0) throw new Error('no certificate');
  for (const block of blocks) new X509Certificate(block);
};

/** Reads the files of `tls` (the section at `path`), adding an issue for each problem. */
export function readTlsFiles(tls: TlsFiles, path: string, issues: SettingsIssue[]): TlsPems {
  const read = (key: keyof TlsFiles, what: string, check: (pem: string) => void): string | undefined => {
    const file = tls[key];
    if (file === undefined) return undefined;
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      issues.push({ path: `${path}.${key}`, message: `expected a readable ${what} file, cannot read ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      return undefined;
    }
    try {
      check(pem);
      return pem;
    } catch {
      issues.push({ path: `${path}.${key}`, message: `expected a ${what} in PEM format in ${JSON.stringify(file)}` });
      return undefined;
    }
  };
  if (tls.certFile !== undefined && tls.keyFile === undefined) issues.push({ path: `${path}.keyFile`, message: `expected the client key file with ${path}.certFile, but it is not set` });
  if (tls.keyFile !== undefined && tls.certFile === undefined) issues.push({ path: `${path}.certFile`, message: `expected the client certificate file with ${path}.keyFile, but it is not set` });
  const ca = read('caFile', 'CA certificate', certificates);
  const cert = read('certFile', 'client certificate', certificates);
  const key = read('keyFile', 'private key', (pem) => createPrivateKey(pem));
  return { ...(ca !== undefined && { ca }), ...(cert !== undefined && { cert }), ...(key !== undefined && { key }) };
}
