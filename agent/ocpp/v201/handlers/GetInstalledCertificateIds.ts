import type { CertificateHashDataChainType } from '../../../ocpp201/messages.js';
import { certificateUse16, KNOWN_CERTIFICATE_TYPES } from '../certificates201.js';
import { certificatesOf201 } from './certificatesOf201.js';
import type { Handler201 } from './Handler201.js';

/** GetInstalledCertificateIds (OCPP 2.0.1 M03): the roots of the types asked for (none: all); NotFound when there are none. */
export const getInstalledCertificateIds: Handler201<'GetInstalledCertificateIds'> = (station, request) => {
  const certificates = certificatesOf201(station);
  const chain: CertificateHashDataChainType[] = [];
  for (const certificateType of request.certificateType ?? KNOWN_CERTIFICATE_TYPES) {
    const use = certificateUse16(certificateType);
    if (use) for (const certificateHashData of certificates.installedIds(use)) chain.push({ certificateType, certificateHashData });
  }
  return chain.length === 0 ? { status: 'NotFound' } : { status: 'Accepted', certificateHashDataChain: chain as [CertificateHashDataChainType, ...CertificateHashDataChainType[]] };
};
