import { certificatesOf201 } from './certificatesOf201.js';
import type { Handler201 } from './Handler201.js';

/**
 * CertificateSigned (OCPP 2.0.1 A02/A03): the charging station certificate the CSMS signed from our
 * SignCertificate's CSR, checked (key, validity, chain to an installed CSMS root) and kept for the
 * next connection; a refused one raises InvalidChargingStationCertificate. No V2G certificate here,
 * and no chain longer than SecurityCtrlr.MaxCertificateChainSize.
 */
export const certificateSigned: Handler201<'CertificateSigned'> = async (station, request) => {
  const certificates = certificatesOf201(station);
  if (request.certificateType === 'V2GCertificate') return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedCertType', additionalInfo: 'no ISO 15118 on this charging station' } };
  // SecurityCtrlr.MaxCertificateChainSize: a longer chain is Rejected unread (as 1.6 does with CertificateSignedMaxChainSize).
  const max = Number(station.deviceModel.get({ component: { name: 'SecurityCtrlr' }, variable: { name: 'MaxCertificateChainSize' } }).attributeValue);
  if (request.certificateChain.length > max) return { status: 'Rejected', statusInfo: { reasonCode: 'TooLarge', additionalInfo: `longer than MaxCertificateChainSize (${max})` } };
  return { status: await certificates.certificateSigned(request.certificateChain) };
};
