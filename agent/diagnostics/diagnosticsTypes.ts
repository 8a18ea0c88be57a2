/**
 * The vocabulary of log uploads, version-neutral: OCPP 1.6 GetDiagnostics and the Security
 * Whitepaper's GetLog (OCPP 2.0.1 GetLog is the same request).
 */

/** Which log: what the charger records for diagnostics, or the security log (agent/security). */
export type LogKind = 'DiagnosticsLog' | 'SecurityLog';

/** The whitepaper's UploadLogStatusEnumType (2.0.1 has the same, plus AcceptedCanceled). */
export type UploadStatus = 'BadMessage' | 'Idle' | 'NotSupportedOperation' | 'PermissionDenied' | 'Uploaded' | 'UploadFailure' | 'Uploading';

export interface UploadRequest {
  log: LogKind;
  /** GetLog's requestId; absent for GetDiagnostics. */
  requestId?: number;
  /** Where to upload: an http(s) URL; a URL ending in `/` gets the file name appended. */
  location: string;
  retries: number;
  retryIntervalS: number;
  /** Only entries from this time on / up to this time (ms since the epoch). */
  oldest?: number;
  latest?: number;
}

export type UploadAnswer = { status: 'Accepted' | 'AcceptedCanceled'; fileName: string } | { status: 'Rejected' };

/** A stage of an upload, as the protocol faces report it. */
export interface UploadStatusEvent {
  status: UploadStatus;
  log: LogKind;
  requestId?: number;
}

/**
 * Where the entries of one log come from: lines of text, each a JSON object with a `time` (ms since
 * the epoch) when it can be filtered by time (pino's lines are).
 */
export interface LogSource {
  lines(): Promise<string[]> | string[];
}
