import { certificatesOf201 } from './certificatesOf201.js';
import type { Handler201 } from './Handler201.js';

/** DeleteCertificate (OCPP 2.0.1 M04): NotFound, or Failed for the last CSMS root the connection is verified against. */
export const deleteCertificate: Handler201<'DeleteCertificate'> = async (station, request) => ({
  status: await certificatesOf201(station).remove(request.certificateHashData),
});
