import { transferRetries } from '../../v16/retryDefaults.js';
import type { Handler201 } from './Handler201.js';

/**
 * UpdateFirmware (OCPP 2.0.1 L01): always a signed update here (the firmware service checks the
 * signing certificate against the installed manufacturer roots before answering, InvalidCertificate,
 * and the signature after the download); one without signingCertificate and signature is Rejected.
 * Download, signature and install are reported by FirmwareStatusNotification with the requestId.
 */
export const updateFirmware: Handler201<'UpdateFirmware'> = async (station, request) => {
  if (!station.firmware) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: 'this station has no firmware installer' } };
  const { firmware } = request;
  if (firmware.signingCertificate === undefined || firmware.signature === undefined) {
    return { status: 'Rejected', statusInfo: { reasonCode: 'MissingParam', additionalInfo: 'a firmware update needs signingCertificate and signature' } };
  }
  const retrieveAt = Date.parse(firmware.retrieveDateTime);
  const installAt = firmware.installDateTime === undefined ? undefined : Date.parse(firmware.installDateTime);
  if (Number.isNaN(retrieveAt) || (installAt !== undefined && Number.isNaN(installAt))) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'retrieveDateTime or installDateTime is not a date-time' } };
  const status = await station.firmware.request({
    signed: { signingCertificate: firmware.signingCertificate, signature: firmware.signature },
    requestId: request.requestId,
    location: firmware.location,
    retrieveAt,
    ...(installAt !== undefined && { installAt }),
    ...transferRetries(request),
  });
  return { status };
};
