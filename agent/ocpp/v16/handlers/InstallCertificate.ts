import type { Handler } from './Handler.js';
import { certificatesOf } from './certificatesOf.js';

/** InstallCertificate (Security Whitepaper): a root certificate for the CSMS's TLS certificate or for firmware signatures. */
export const installCertificate: Handler<'InstallCertificate'> = async (control, request) => ({
  status: await certificatesOf(control).install(request.certificateType, request.certificate),
});
