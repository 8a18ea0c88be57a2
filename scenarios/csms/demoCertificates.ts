/**
 * Throwaway certificates for running the embedded CSMS over wss:// on one machine (`evse demo
 * --security`, `evse csms --tls-demo`): a CPO root CA, a server certificate for 127.0.0.1 signed by
 * it and, for security profile 3, client certificates for chargers; and for firmware updates
 * (scenarios) a manufacturer root with a firmware signing certificate. ECDSA P-256, valid for a day
 * (or `days`), made in memory (keys with node:crypto, the X.509 structures with PeculiarVentures'
 * asn1 schemas). Never for production: the CA keys exist only in this process.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_basicConstraints,
  KeyUsage,
  KeyUsageFlags,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const DAY = 24 * 3600_000;

export interface DemoPki {
  /** The root CA certificate (PEM): what the charger trusts. */
  ca: string;
  /** The CSMS's certificate (PEM) for 127.0.0.1 and its private key. */
  server: { cert: string; key: string };
  /** A client certificate (security profile 3) for a charger, CN = `commonName`, signed by the CA. */
  client(commonName: string): { cert: string; key: string };
}

export function makeDemoPki(now = Date.now()): DemoPki {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = name('evse demo CPO', 'evse demo root CA');
  const ca = certificate({ subject: caName, issuer: caName, publicKey: caKeys.publicKey, signer: caKeys.privateKey, now, extensions: [extension(id_ce_basicConstraints, new BasicConstraints({ cA: true }), true)] });
  const leaf = (commonName: string, extensions: Extension[]) => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = certificate({ subject: name('evse demo CPO', commonName), issuer: caName, publicKey: keys.publicKey, signer: caKeys.privateKey, now, extensions: [extension(id_ce_basicConstraints, new BasicConstraints({ cA: false }), true), ...extensions] });
    return { cert, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  };
  const server = leaf('127.0.0.1', [
    extension(id_ce_subjectAltName, new SubjectAlternativeName([new GeneralName({ iPAddress: '127.0.0.1' })])),
    extension(id_ce_extKeyUsage, new ExtendedKeyUsage([id_kp_serverAuth])),
  ]);
  return { ca, server, client: (commonName) => leaf(commonName, [extension(id_ce_extKeyUsage, new ExtendedKeyUsage([id_kp_clientAuth]))]) };
}

export interface FirmwareSigningPki {
  /** The manufacturer root CA (PEM): what the charger must have installed as ManufacturerRootCertificate. */
  root: string;
  /** The firmware signing certificate (PEM), issued by the root, and its private key. */
  signer: { cert: string; key: string };
  /** A signing certificate from another root, that the charger must refuse. */
  untrusted: { cert: string; key: string };
}

/**
 * A manufacturer root and a firmware signing certificate, valid from `now` for `days` (a scenario's
 * virtual time). `random`: the bytes each serial number is made from (tests give their own).
 */
export function makeFirmwareSigningPki(now = Date.now(), days = 1, random: () => Uint8Array = () => randomBytes(12)): FirmwareSigningPki {
  const issue = (organization: string) => {
    const rootKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rootName = name(organization, `${organization} firmware root`);
    const caUsage = extension(id_ce_keyUsage, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign), true);
    const root = certificate({ subject: rootName, issuer: rootName, publicKey: rootKeys.publicKey, signer: rootKeys.privateKey, now, days, serial: serialNumber(random()), extensions: [extension(id_ce_basicConstraints, new BasicConstraints({ cA: true }), true), caUsage] });
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = certificate({
      subject: name(organization, `${organization} firmware signing`),
      issuer: rootName,
      publicKey: keys.publicKey,
      signer: rootKeys.privateKey,
      now,
      days,
      serial: serialNumber(random()),
      extensions: [extension(id_ce_basicConstraints, new BasicConstraints({ cA: false }), true), extension(id_ce_keyUsage, new KeyUsage(KeyUsageFlags.digitalSignature), true)],
    });
    return { root, signer: { cert, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } };
  };
  const mine = issue('evse demo manufacturer');
  return { root: mine.root, signer: mine.signer, untrusted: issue('someone else').signer };
}

function name(organization: string, commonName: string): Name {
  const rdn = (type: string, value: string) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
  return new Name([rdn('2.5.4.10', organization), rdn('2.5.4.3', commonName)]);
}

function extension(extnID: string, value: object, critical = false): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/**
 * A certificate serial number from `random` bytes: a positive DER INTEGER in its one allowed (minimal)
 * encoding, so the first byte is 0x01..0x7f. Only clearing the top bit left a first byte of 0x00
 * before a byte below 0x80 in 1 of 256 serials, a padded INTEGER that OpenSSL refuses ("illegal
 * padding"): 1 certificate in about 200 could not be read (an InstallCertificate Rejected, a signing
 * certificate InvalidCertificate, now and then in a firmware scenario).
 */
export function serialNumber(random: Uint8Array): Uint8Array {
  const serial = Uint8Array.from(random);
  serial[0] = (serial[0]! & 0x7f) || 0x01;
  return serial;
}

function certificate(o: { subject: Name; issuer: Name; publicKey: KeyObject; signer: KeyObject; now: number; days?: number; extensions: Extension[]; serial?: Uint8Array }): string {
  const serial = o.serial ?? serialNumber(randomBytes(12));
  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.slice().buffer,
    signature: algorithm,
    issuer: o.issuer,
    subject: o.subject,
    validity: new Validity({ notBefore: new Date(o.now - 60_000), notAfter: new Date(o.now + (o.days ?? 1) * DAY) }),
    subjectPublicKeyInfo: AsnConvert.parse(o.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    extensions: new Extensions(o.extensions),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), o.signer);
  const der = Buffer.from(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: new Uint8Array(signature).buffer })));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
