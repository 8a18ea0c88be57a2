import type { Handler } from './Handler.js';
import { certificatesOf } from './certificatesOf.js';

/**
 * CertificateSigned (Security Whitepaper): the chain signed from our CSR; a chain longer than
 * CertificateSignedMaxChainSize is Rejected unread.
 */
export const certificateSigned: Handler<'CertificateSigned'> = async (control, request) => {
  if (request.certificateChain.length > control.config.getInt('CertificateSignedMaxChainSize')) return { status: 'Rejected' };
  return { status: await certificatesOf(control).certificateSigned(request.certificateChain) };
};
