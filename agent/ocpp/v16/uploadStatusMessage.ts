/**
 * A log upload status of the version-neutral service as the OCPP 1.6 message that reports it: a
 * GetLog (whitepaper) upload by LogStatusNotification with its requestId, a GetDiagnostics upload
 * (no requestId) by DiagnosticsStatusNotification, whose enum knows only Uploading, Uploaded and
 * UploadFailed.
 */
import type { UploadStatusEvent } from '../../diagnostics/diagnosticsTypes.js';
import type { DiagnosticsStatusNotificationRequest, LogStatusNotificationRequest } from '../../ocpp16/messages.js';

export type UploadStatusMessage =
  | { action: 'DiagnosticsStatusNotification'; payload: DiagnosticsStatusNotificationRequest }
  | { action: 'LogStatusNotification'; payload: LogStatusNotificationRequest };

export function uploadStatusMessage(e: UploadStatusEvent): UploadStatusMessage {
  if (e.requestId !== undefined) return { action: 'LogStatusNotification', payload: { status: e.status, requestId: e.requestId } };
  const status = e.status === 'Uploading' || e.status === 'Uploaded' || e.status === 'Idle' ? e.status : 'UploadFailed';
  return { action: 'DiagnosticsStatusNotification', payload: { status } };
}
