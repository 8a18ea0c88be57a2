import type { UploadRequest } from '../../diagnostics/diagnosticsTypes.js';

/** Retries of a download or upload when the CSMS leaves them to the charge point (retries/retryInterval are optional in 1.6). */
export const DEFAULT_TRANSFER_RETRIES = 3;
export const DEFAULT_TRANSFER_RETRY_INTERVAL_S = 60;

export function transferRetries(request: { retries?: number; retryInterval?: number }): { retries: number; retryIntervalS: number } {
  return {
    retries: Math.max(0, request.retries ?? DEFAULT_TRANSFER_RETRIES),
    retryIntervalS: Math.max(0, request.retryInterval ?? DEFAULT_TRANSFER_RETRY_INTERVAL_S),
  };
}

/** What a GetLog asks of the log upload service; the request reads the same in 1.6 (Security Whitepaper) and 2.0.1. */
export function getLogUpload(request: {
  logType: UploadRequest['log'];
  requestId: number;
  retries?: number;
  retryInterval?: number;
  log: { remoteLocation: string; oldestTimestamp?: string; latestTimestamp?: string };
}): UploadRequest {
  return {
    log: request.logType,
    requestId: request.requestId,
    location: request.log.remoteLocation,
    ...transferRetries(request),
    ...(request.log.oldestTimestamp !== undefined && { oldest: Date.parse(request.log.oldestTimestamp) }),
    ...(request.log.latestTimestamp !== undefined && { latest: Date.parse(request.log.latestTimestamp) }),
  };
}
