import { OcppCallError } from '../../errors.js';
import { transferRetries } from '../retryDefaults.js';
import type { Handler } from './Handler.js';

/**
 * GetDiagnostics (OCPP 1.6 §5.9, FirmwareManagement profile): answers with the name of the file
 * it will upload (none when this charger keeps no diagnostics) and reports the upload by
 * DiagnosticsStatusNotification.
 */
export const getDiagnostics: Handler<'GetDiagnostics'> = async (control, request) => {
  if (!control.diagnostics) throw new OcppCallError('NotSupported', 'diagnostics uploads are not supported by this charge point');
  const answer = await control.diagnostics.request({
    log: 'DiagnosticsLog',
    location: request.location,
    ...transferRetries(request),
    ...(request.startTime !== undefined && { oldest: Date.parse(request.startTime) }),
    ...(request.stopTime !== undefined && { latest: Date.parse(request.stopTime) }),
  });
  return answer.status === 'Rejected' ? {} : { fileName: answer.fileName };
};
