import { getLogUpload } from '../retryDefaults.js';
import type { Handler } from './Handler.js';

/**
 * GetLog (OCPP 1.6 Security Whitepaper): DiagnosticsLog or SecurityLog, Rejected for a log this
 * charger does not keep; AcceptedCanceled when it replaces an upload under way. The upload is
 * reported by LogStatusNotification with the requestId.
 */
export const getLog: Handler<'GetLog'> = async (control, request) => {
  if (!control.diagnostics) return { status: 'Rejected' };
  const answer = await control.diagnostics.request(getLogUpload(request));
  return answer.status === 'Rejected' ? { status: 'Rejected' } : { status: answer.status, filename: answer.fileName };
};
