/**
 * The charger's certificates (OCPP 1.6 Security Whitepaper, "Certificate management"): the root
 * certificates the CSMS installs (CentralSystemRootCertificate: trust anchors of the CSMS's TLS
 * certificate; ManufacturerRootCertificate: of firmware signatures), and the charge point's own
 * certificate with its private key (security profile 3), obtained with SignCertificate /
 * CertificateSigned. The key pair is generated here, on the device; the private key never leaves it.
 *
 * One file, `<dataDir>/security/certificates.json`, mode 0600 (it holds private keys), replaced
 * atomically on every change. Without a file (fleets, tests) everything stays in memory.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { CertificateHashDataType, CertificateUseEnumType, DeleteCertificateResponse, InstallCertificateResponse } from '../ocpp16/messages.js';
import { writeAtomically } from '../store/writeAtomically.js';
import { createCsr, hashDataOf, keyMatches, sameHashData, splitPem, subjectField } from './x509.js';

export type CertificateUse = CertificateUseEnumType;

interface StoredCertificates {
  version: 1;
  roots: Record<CertificateUse, string[]>;
  /** The charge point certificate chain (leaf first) and its private key, PEM. */
  chargePoint?: { chain: string; key: string };
  /** The private key of the last CSR, until its certificate arrives. */
  pendingKey?: string;
}

export interface CertificateStoreOptions {
  file: string | null;
  log: Logger;
  /** CertificateStoreMaxLength: root certificates kept, all uses together. */
  maxCertificates: number;
}

/** Why a signed certificate was refused (the techInfo of InvalidChargePointCertificate). */
export type SignedCheck = { ok: true } | { ok: false; reason: string };

export class CertificateStore {
  private constructor(
    private readonly o: CertificateStoreOptions,
    private stored: StoredCertificates,
  ) {}

  static async open(o: CertificateStoreOptions): Promise<CertificateStore> {
    const empty: StoredCertificates = { version: 1, roots: { CentralSystemRootCertificate: [], ManufacturerRootCertificate: [] } };
    if (!o.file) return new CertificateStore(o, empty);
    try {
      const body = JSON.parse(await readFile(o.file, 'utf8')) as StoredCertificates;
      if (body.version !== 1 || !Array.isArray(body.roots?.CentralSystemRootCertificate) || !Array.isArray(body.roots.ManufacturerRootCertificate)) throw new Error('unexpected structure');
      return new CertificateStore(o, body);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') o.log.error({ err: String(err), file: o.file }, 'cannot read the certificate store; starting without installed certificates');
      return new CertificateStore(o, empty);
    }
  }

  /** Installed root certificates of one use, PEM. */
  roots(use: CertificateUse): readonly string[] {
    return this.stored.roots[use];
  }

  /**
   * InstallCertificate: Accepted for a valid CA certificate (also one already installed), Rejected
   * for anything else or when the store is full (CertificateStoreMaxLength), Failed when it
   * cannot be stored.
   */
  async install(use: CertificateUse, pem: string, now: number): Promise<InstallCertificateResponse['status']> {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      return 'Rejected';
    }
    if (!cert.ca || !validAt(cert, now)) return 'Rejected';
    const roots = this.stored.roots[use];
    if (roots.some((r) => new X509Certificate(r).fingerprint256 === cert.fingerprint256)) return 'Accepted';
    const total = this.stored.roots.CentralSystemRootCertificate.length + this.stored.roots.ManufacturerRootCertificate.length;
    if (total >= this.o.maxCertificates) return 'Rejected';
    return this.update({ ...this.stored, roots: { ...this.stored.roots, [use]: [...roots, cert.toString()] } }).then(
      () => 'Accepted' as const,
      () => 'Failed' as const,
    );
  }

  /** The installed root certificates' ids (GetInstalledCertificateIds). */
  ids(use: CertificateUse): CertificateHashDataType[] {
    const all = this.allRoots();
    return this.stored.roots[use].map((pem) => hashDataOf(pem, 'SHA256', all));
  }

  /** Which use an installed root certificate has, by its id; undefined if none. */
  useOf(id: CertificateHashDataType): CertificateUse | undefined {
    const all = this.allRoots();
    for (const use of ['CentralSystemRootCertificate', 'ManufacturerRootCertificate'] as const) {
      if (this.stored.roots[use].some((pem) => sameHashData(hashDataOf(pem, id.hashAlgorithm, all), id))) return use;
    }
    return undefined;
  }

  /** DeleteCertificate: removes the root certificate with this id. */
  async delete(id: CertificateHashDataType): Promise<DeleteCertificateResponse['status']> {
    const use = this.useOf(id);
    if (!use) return 'NotFound';
    const all = this.allRoots();
    const kept = this.stored.roots[use].filter((pem) => !sameHashData(hashDataOf(pem, id.hashAlgorithm, all), id));
    return this.update({ ...this.stored, roots: { ...this.stored.roots, [use]: kept } }).then(
      () => 'Accepted' as const,
      () => 'Failed' as const,
    );
  }

  /** The charge point certificate chain and key for TLS (profile 3), if one was signed. */
  chargePointCertificate(): { cert: string; key: string } | undefined {
    const cp = this.stored.chargePoint;
    return cp && { cert: cp.chain, key: cp.key };
  }

  /** When the charge point certificate stops being valid (ms), if there is one. */
  chargePointExpiry(): number | undefined {
    const chain = this.stored.chargePoint?.chain;
    return chain === undefined ? undefined : Date.parse(new X509Certificate(splitPem(chain)[0]!).validTo);
  }

  /** Root certificates that expire before `until` (ms), for expiry warnings. */
  expiringRoots(until: number): { use: CertificateUse; subject: string; validTo: string }[] {
    const out: { use: CertificateUse; subject: string; validTo: string }[] = [];
    for (const use of ['CentralSystemRootCertificate', 'ManufacturerRootCertificate'] as const) {
      for (const pem of this.stored.roots[use]) {
        const cert = new X509Certificate(pem);
        if (Date.parse(cert.validTo) < until) out.push({ use, subject: cert.subject.replaceAll('\n', ', '), validTo: cert.validTo });
      }
    }
    return out;
  }

  /**
   * SignCertificate: a new key pair (ECDSA P-256, generated here) and its CSR with
   * O = `organization` (CpoName) and CN = `commonName` (the serial number). The private key is
   * stored (0600) until its certificate arrives; a later CSR replaces it.
   */
  async createSigningRequest(subject: { organization?: string; commonName: string }): Promise<string> {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = createCsr(pair, subject);
    await this.update({ ...this.stored, pendingKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    return csr;
  }

  /**
   * CertificateSigned: checks the chain (leaf first) — its key is the one of the last CSR, every
   * certificate is valid now, each is signed by the next, the last by an installed
   * CentralSystemRootCertificate (or is one), and the subject is what the CSR asked for — then
   * stores it as the charge point certificate, used from the next connection.
   */
  async acceptSigned(chainPem: string, now: number, expected: { organization?: string; commonName: string }): Promise<SignedCheck> {
    const key = this.stored.pendingKey;
    if (!key) return { ok: false, reason: 'no certificate signing request is outstanding' };
    let chain: X509Certificate[];
    try {
      chain = splitPem(chainPem).map((pem) => new X509Certificate(pem));
    } catch {
      return { ok: false, reason: 'not a PEM certificate chain' };
    }
    const leaf = chain[0];
    if (!leaf) return { ok: false, reason: 'no certificate in the chain' };
    if (!keyMatches(leaf, key)) return { ok: false, reason: 'the certificate is not for the key of the last signing request' };
    // A certificate signed just now may start a moment after our clock: allow a little skew.
    const expired = chain.find((c) => !validAt(c, now + NOT_BEFORE_SKEW_MS) || Date.parse(c.validTo) < now);
    if (expired) return { ok: false, reason: `not valid now: ${expired.subject.replaceAll('\n', ', ')} (${expired.validFrom} – ${expired.validTo})` };
    if (subjectField(leaf, 'CN') !== expected.commonName) return { ok: false, reason: `subject CN is not ${expected.commonName}` };
    if (expected.organization && subjectField(leaf, 'O') !== expected.organization) return { ok: false, reason: `subject O is not ${expected.organization} (CpoName)` };
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) return { ok: false, reason: `certificate ${i} of the chain is not signed by certificate ${i + 1}` };
    }
    const last = chain.at(-1)!;
    const anchored = this.stored.roots.CentralSystemRootCertificate.some((pem) => {
      const root = new X509Certificate(pem);
      return root.fingerprint256 === last.fingerprint256 || (last.checkIssued(root) && last.verify(root.publicKey));
    });
    if (!anchored) return { ok: false, reason: 'the chain does not lead to an installed CentralSystemRootCertificate' };
    const { pendingKey: _used, ...rest } = this.stored;
    await this.update({ ...rest, chargePoint: { chain: chain.map((c) => c.toString()).join(''), key } });
    return { ok: true };
  }

  private allRoots(): string[] {
    return [...this.stored.roots.CentralSystemRootCertificate, ...this.stored.roots.ManufacturerRootCertificate];
  }

  private async update(next: StoredCertificates): Promise<void> {
    if (this.o.file) await writeAtomically(this.o.file, `${JSON.stringify(next)}\n`, 0o600);
    this.stored = next;
  }
}

/** How far a freshly signed certificate's start may lie ahead of the charger's clock. */
const NOT_BEFORE_SKEW_MS = 5 * 60_000;

function validAt(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}
