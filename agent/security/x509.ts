/**
 * The X.509 work the certificate messages need and node:crypto does not offer: a PKCS#10 CSR
 * (SignCertificate) and the CertificateHashData of a certificate (GetInstalledCertificateIds,
 * DeleteCertificate). Keys, signatures and certificate checks are node:crypto's; the ASN.1
 * structures are PeculiarVentures' asn1 schemas (the ones @peculiar/x509 is built on, without its
 * global reflect-metadata polyfill).
 */
import { createHash, createPublicKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AlgorithmIdentifier, AttributeTypeAndValue, AttributeValue, Certificate, Name, RelativeDistinguishedName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import type { CertificateHashDataType, HashAlgorithmEnumType } from '../ocpp16/messages.js';

const OID = { organizationName: '2.5.4.10', commonName: '2.5.4.3', ecdsaWithSha256: '1.2.840.10045.4.3.2', sha256WithRsa: '1.2.840.113549.1.1.11' };

/** The PEM blocks of a certificate chain, leaf first (as CertificateSigned sends them). */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** A PKCS#10 certificate signing request for `key`, PEM; subject O = organization, CN = commonName. */
export function createCsr(key: { privateKey: KeyObject; publicKey: KeyObject }, subject: { organization?: string; commonName: string }): string {
  const spki = AsnConvert.parse(key.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const rdn = (type: string, value: string) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
  const names = [...(subject.organization ? [rdn(OID.organizationName, subject.organization)] : []), rdn(OID.commonName, subject.commonName)];
  const info = new CertificationRequestInfo({ subject: new Name(names), subjectPKInfo: spki });
  const signed = Buffer.from(AsnConvert.serialize(info));
  const ec = key.privateKey.asymmetricKeyType === 'ec';
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ec ? OID.ecdsaWithSha256 : OID.sha256WithRsa, ...(!ec && { parameters: null }) }),
    signature: new Uint8Array(sign('sha256', signed, key.privateKey)).buffer,
  });
  return toPem(Buffer.from(AsnConvert.serialize(request)), 'CERTIFICATE REQUEST');
}

const NODE_HASH: Readonly<Record<HashAlgorithmEnumType, string>> = { SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };

/**
 * OCPP's CertificateHashData: hashes of the issuer's distinguished name (DER) and of the issuer's
 * public key (the subjectPublicKey bits, as in OCSP), and the serial number in hex. The issuer's
 * key is taken from `issuers` (self-signed: the certificate's own); an issuer not at hand falls
 * back to the certificate's own key, so the id is still unique and stable on this charger.
 */
export function hashDataOf(pem: string, algorithm: HashAlgorithmEnumType, issuers: readonly string[] = []): CertificateHashDataType {
  const cert = AsnConvert.parse(new X509Certificate(pem).raw, Certificate);
  const tbs = cert.tbsCertificate;
  const issuerName = Buffer.from(AsnConvert.serialize(tbs.issuer));
  const issuer = issuers
    .map((p) => AsnConvert.parse(new X509Certificate(p).raw, Certificate).tbsCertificate)
    .find((t) => Buffer.from(AsnConvert.serialize(t.subject)).equals(issuerName));
  const key = (issuer ?? tbs).subjectPublicKeyInfo.subjectPublicKey;
  const hash = (data: Uint8Array | ArrayBuffer) => createHash(NODE_HASH[algorithm]).update(new Uint8Array(data)).digest('hex');
  return {
    hashAlgorithm: algorithm,
    issuerNameHash: hash(issuerName),
    issuerKeyHash: hash(key),
    serialNumber: Buffer.from(tbs.serialNumber).toString('hex').replace(/^0+(?=.)/, ''),
  };
}

/** Same certificate id (serial numbers compared without leading zeros, hashes case-insensitively). */
export function sameHashData(a: CertificateHashDataType, b: CertificateHashDataType): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^0+(?=.)/, '');
  return a.hashAlgorithm === b.hashAlgorithm && norm(a.issuerNameHash) === norm(b.issuerNameHash) && norm(a.issuerKeyHash) === norm(b.issuerKeyHash) && norm(a.serialNumber) === norm(b.serialNumber);
}

/** The value of one attribute of a certificate's subject (`O`, `CN`), or undefined. */
export function subjectField(cert: X509Certificate, field: 'O' | 'CN'): string | undefined {
  return cert.subject.split('\n').find((l) => l.startsWith(`${field}=`))?.slice(field.length + 1);
}

/** Does `key` (a private key, PEM) belong to `cert`? */
export function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.publicKey.equals(createPublicKey(keyPem));
  } catch {
    return false;
  }
}

function toPem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}
