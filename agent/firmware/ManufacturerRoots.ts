/**
 * The ManufacturerRootCertificates a firmware signing certificate must chain to. The security
 * service's certificate store (InstallCertificate / DeleteCertificate) will provide them; until it
 * does, {@link fileManufacturerRoots} reads PEM files from a directory of the data dir or the
 * settings.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ManufacturerRoots {
  /** The installed ManufacturerRootCertificates, PEM each (none: no signed update can be trusted). */
  trustedManufacturerRoots(): Promise<string[]>;
}

/** Every `*.pem` / `*.crt` file in `dir` (a missing directory holds none). Read at each check: a root added on disk counts at once. */
export function fileManufacturerRoots(dir: string): ManufacturerRoots {
  return {
    async trustedManufacturerRoots() {
      const names = await readdir(dir).catch(() => [] as string[]);
      const pems = await Promise.all(
        names.filter((n) => /\.(pem|crt)$/i.test(n)).sort().map((n) => readFile(join(dir, n), 'utf8').catch(() => '')),
      );
      return pems.filter((p) => p.includes('BEGIN CERTIFICATE'));
    },
  };
}

/** Fixed roots (tests, or an Agent built without any: then none). */
export function fixedManufacturerRoots(pems: readonly string[]): ManufacturerRoots {
  return { trustedManufacturerRoots: async () => [...pems] };
}
