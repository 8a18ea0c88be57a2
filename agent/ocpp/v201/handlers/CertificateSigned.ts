import { certificatesOf201 } from './certificatesOf201.js';
import type { Handler201 } from './Handler201.js';

/**
 * CertificateSigned (OCPP 2.0.1 A02/A03): the charging station certificate the CSMS signed from our
 * SignCertificate's CSR, checked (key, validity, chain to an installed CSMS root) and kept for the
 * next connection; a refused one raises InvalidChargingStationCertificate. No V2G certificate here.
 */
export const certificateSigned: Handler201<'CertificateSigned'> = async (station, request) => {
  const certificates = certificatesOf201(station);
  if (request.certificateType === 'V2GCertificate') return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedCertType', additionalInfo: 'no ISO 15118 on this charging station' } };
  return { status: await certificates.certificateSigned(request.certificateChain) };
};
