import { getLogUpload } from '../../v16/retryDefaults.js';
import type { Handler201 } from './Handler201.js';

/**
 * GetLog (OCPP 2.0.1 N01): the DiagnosticsLog or SecurityLog uploaded by the one log upload service
 * (agent/diagnostics) the 1.6 GetLog uses; Rejected for a log this station does not keep,
 * AcceptedCanceled when it replaces an upload under way. The upload is reported by
 * LogStatusNotification with the requestId.
 */
export const getLog: Handler201<'GetLog'> = async (station, request) => {
  if (!station.diagnostics) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: 'this station keeps no logs to upload' } };
  const answer = await station.diagnostics.request(getLogUpload(request));
  return answer.status === 'Rejected' ? { status: 'Rejected' } : { status: answer.status, filename: answer.fileName };
};
