/**
 * The firmware signature of the OCPP 1.6 Security Whitepaper (edition 3, also OCPP 2.0.1 L01):
 * `signature` is the base64 of a SHA-256 signature over the image file, made with the key of the
 * `signingCertificate` (RSA PKCS#1 v1.5 or ECDSA, by that certificate's key type), and the signing
 * certificate must chain to an installed ManufacturerRootCertificate.
 */
import { createReadStream } from 'node:fs';
import { X509Certificate, constants, createVerify } from 'node:crypto';

export type CheckResult = { ok: true } | { ok: false; reason: string };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Longest chain from the signing certificate to a root (bounds the search). */
const MAX_CHAIN = 5;

/** The certificates in a PEM text (a signing certificate may come with its intermediates). */
export function parseCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

function validAt(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * Checks `signingCertificate` (PEM: the signing certificate first, then any intermediates) at
 * `now`: parseable, in its validity period, an RSA or EC key, and chained — each link signed by
 * the next, intermediates being CAs in their validity period — to one of `roots` (PEM each).
 */
export function checkSigningCertificate(signingCertificate: string, roots: readonly string[], now: number): CheckResult {
  let chain: X509Certificate[];
  try {
    chain = parseCertificates(signingCertificate);
  } catch (err) {
    return { ok: false, reason: `the signing certificate cannot be read: ${(err as Error).message}` };
  }
  const [leaf, ...intermediates] = chain;
  if (!leaf) return { ok: false, reason: 'the signing certificate holds no PEM certificate' };
  const keyType = leaf.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') return { ok: false, reason: `the signing certificate has a ${keyType ?? 'unknown'} key (RSA or ECDSA expected)` };
  if (!validAt(leaf, now)) return { ok: false, reason: `the signing certificate is not valid now (${leaf.validFrom} – ${leaf.validTo})` };
  const anchors: X509Certificate[] = [];
  for (const pem of roots) {
    try {
      anchors.push(...parseCertificates(pem));
    } catch {
      // An unreadable installed root anchors nothing; the others still may.
    }
  }
  if (anchors.length === 0) return { ok: false, reason: 'no ManufacturerRootCertificate is installed' };
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const root = anchors.find((r) => validAt(r, now) && issuedBy(current, r));
    if (root) return { ok: true };
    const next = intermediates.find((c) => c !== current && c.ca && validAt(c, now) && issuedBy(current, c));
    if (!next) break;
    current = next;
  }
  return { ok: false, reason: 'the signing certificate does not chain to an installed ManufacturerRootCertificate' };
}

/**
 * Verifies the whitepaper signature of the image file: SHA-256 with the signing certificate's key,
 * RSA PKCS#1 v1.5 or ECDSA (DER, or the raw r‖s form some signing tools write).
 */
export async function verifyImageSignature(imageFile: string, signatureBase64: string, signingCertificate: string): Promise<CheckResult> {
  const [leaf] = parseCertificates(signingCertificate);
  if (!leaf) return { ok: false, reason: 'the signing certificate holds no PEM certificate' };
  const signature = Buffer.from(signatureBase64.trim(), 'base64');
  if (signature.length === 0) return { ok: false, reason: 'the signature is empty or not base64' };
  const key = leaf.publicKey;
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') return { ok: false, reason: `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}` };
  // A Verify object verifies once: an ECDSA signature of unknown encoding gets a second one, fed in the same pass.
  const verifier = createVerify('sha256');
  const second = key.asymmetricKeyType === 'ec' ? createVerify('sha256') : undefined;
  for await (const chunk of createReadStream(imageFile)) {
    verifier.update(chunk as Buffer);
    second?.update(chunk as Buffer);
  }
  if (!second) {
    return verifier.verify({ key, padding: constants.RSA_PKCS1_PADDING }, signature) ? { ok: true } : { ok: false, reason: 'the image does not match its signature' };
  }
  let ok = false;
  try {
    ok = verifier.verify({ key, dsaEncoding: 'der' }, signature);
  } catch {
    ok = false;
  }
  if (!ok) {
    try {
      ok = second.verify({ key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      ok = false;
    }
  }
  return ok ? { ok: true } : { ok: false, reason: 'the image does not match its signature' };
}
