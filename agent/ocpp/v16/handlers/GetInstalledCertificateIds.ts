import type { Handler } from './Handler.js';
import { certificatesOf } from './certificatesOf.js';

/** GetInstalledCertificateIds (Security Whitepaper): NotFound when none of the type is installed. */
export const getInstalledCertificateIds: Handler<'GetInstalledCertificateIds'> = (control, request) => {
  const [first, ...rest] = certificatesOf(control).installedIds(request.certificateType);
  return first ? { status: 'Accepted', certificateHashData: [first, ...rest] } : { status: 'NotFound' };
};
