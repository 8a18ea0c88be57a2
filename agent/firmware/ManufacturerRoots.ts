/**
 * The ManufacturerRootCertificates a firmware signing certificate must chain to: those the CSMS
 * installed (InstallCertificate, the security service's certificate store: {@link installedManufacturerRoots})
 * and those the installer put in a directory ({@link fileManufacturerRoots}); {@link anyManufacturerRoots}
 * trusts both.
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

/** The roots the CSMS installed with InstallCertificate (ManufacturerRootCertificate), read at each check. */
export function installedManufacturerRoots(store: { roots(use: 'ManufacturerRootCertificate'): readonly string[] }): ManufacturerRoots {
  return { trustedManufacturerRoots: async () => [...store.roots('ManufacturerRootCertificate')] };
}

/** Every root of every source (a signing certificate may chain to any of them). */
export function anyManufacturerRoots(...sources: readonly ManufacturerRoots[]): ManufacturerRoots {
  return { trustedManufacturerRoots: async () => (await Promise.all(sources.map((s) => s.trustedManufacturerRoots()))).flat() };
}
