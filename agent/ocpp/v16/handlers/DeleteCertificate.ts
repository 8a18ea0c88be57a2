import type { Handler } from './Handler.js';
import { certificatesOf } from './certificatesOf.js';

/** DeleteCertificate (Security Whitepaper): a root certificate by its hash data. */
export const deleteCertificate: Handler<'DeleteCertificate'> = async (control, request) => ({
  status: await certificatesOf(control).remove(request.certificateHashData),
});
