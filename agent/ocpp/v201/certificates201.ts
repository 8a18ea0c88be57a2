/**
 * The certificate vocabulary of OCPP 2.0.1 (use cases A02, A03, M03–M05) ↔ the certificate
 * service's (agent/security/CertificateService.ts, which speaks the 1.6 Security Whitepaper's
 * words): CSMSRootCertificate is the CentralSystemRootCertificate, ManufacturerRootCertificate the
 * same; the ISO 15118 types (V2G, MO) have no counterpart here (no ISO 15118 on this charger).
 */
import type { CertificateUseEnumType } from '../../ocpp16/messages.js';
import type { GetCertificateIdUseEnumType } from '../../ocpp201/messages.js';

const USE_16: Partial<Record<GetCertificateIdUseEnumType, CertificateUseEnumType>> = {
  CSMSRootCertificate: 'CentralSystemRootCertificate',
  ManufacturerRootCertificate: 'ManufacturerRootCertificate',
};

/** The service's use of a 2.0.1 certificate type; undefined for the ISO 15118 ones. */
export const certificateUse16 = (type: GetCertificateIdUseEnumType): CertificateUseEnumType | undefined => USE_16[type];

/** The types GetInstalledCertificateIds lists when none is asked for. */
export const KNOWN_CERTIFICATE_TYPES: readonly GetCertificateIdUseEnumType[] = ['CSMSRootCertificate', 'ManufacturerRootCertificate'];

/**
 * The 1.6 whitepaper names of the security events that 2.0.1 names differently (the rest are the
 * same words in both, e.g. StartupOfTheDevice, TamperDetectionActivated).
 */
const EVENT_201: Readonly<Record<string, string>> = {
  FailedToAuthenticateAtCentralSystem: 'FailedToAuthenticateAtCsms',
  CentralSystemFailedToAuthenticate: 'CsmsFailedToAuthenticate',
  InvalidCentralSystemCertificate: 'InvalidCsmsCertificate',
  InvalidChargePointCertificate: 'InvalidChargingStationCertificate',
};

export const securityEvent201 = (type: string): string => EVENT_201[type] ?? type;
