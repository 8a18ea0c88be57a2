import { certificateUse16 } from '../certificates201.js';
import { certificatesOf201 } from './certificatesOf201.js';
import type { Handler201 } from './Handler201.js';

/**
 * InstallCertificate (OCPP 2.0.1 M05): a CSMS or manufacturer root into the one certificate store
 * (checked: a CA certificate, valid now, room left); the ISO 15118 roots are Rejected.
 */
export const installCertificate: Handler201<'InstallCertificate'> = async (station, request) => {
  const certificates = certificatesOf201(station);
  const use = certificateUse16(request.certificateType);
  if (!use) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedCertType', additionalInfo: 'no ISO 15118 on this charging station' } };
  return { status: await certificates.install(use, request.certificate) };
};
