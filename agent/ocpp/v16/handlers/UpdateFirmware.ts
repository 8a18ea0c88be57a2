import { OcppCallError } from '../../errors.js';
import type { Handler } from './Handler.js';
import { transferRetries } from '../retryDefaults.js';

/**
 * UpdateFirmware (OCPP 1.6 §5.19, FirmwareManagement profile): the charge point answers at once
 * (the answer has no status) and reports the update by FirmwareStatusNotification. A request the
 * firmware service refuses (an install already under way) is only logged: 1.6 cannot say so.
 */
export const updateFirmware: Handler<'UpdateFirmware'> = async (control, request) => {
  if (!control.firmware) throw new OcppCallError('NotSupported', 'firmware updates are not supported by this charge point');
  const answer = await control.firmware.request({
    location: request.location,
    retrieveAt: Date.parse(request.retrieveDate),
    ...transferRetries(request),
  });
  if (answer === 'Rejected') control.log.warn({ location: request.location }, 'UpdateFirmware ignored: another update is being installed');
  return {};
};
