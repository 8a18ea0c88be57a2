import type { Handler } from './Handler.js';
import { transferRetries } from '../retryDefaults.js';

/**
 * SignedUpdateFirmware (OCPP 1.6 Security Whitepaper): the signing certificate is checked before
 * the answer (InvalidCertificate); download, signature and install are reported by
 * SignedFirmwareStatusNotification with the requestId.
 */
export const signedUpdateFirmware: Handler<'SignedUpdateFirmware'> = async (control, request) => {
  if (!control.firmware) return { status: 'Rejected' };
  const { firmware } = request;
  const status = await control.firmware.request({
    signed: { signingCertificate: firmware.signingCertificate, signature: firmware.signature },
    requestId: request.requestId,
    location: firmware.location,
    retrieveAt: Date.parse(firmware.retrieveDateTime),
    ...(firmware.installDateTime !== undefined && { installAt: Date.parse(firmware.installDateTime) }),
    ...transferRetries(request),
  });
  return { status };
};
