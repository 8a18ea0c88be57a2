/** Retries of a download or upload when the CSMS leaves them to the charge point (retries/retryInterval are optional in 1.6). */
export const DEFAULT_TRANSFER_RETRIES = 3;
export const DEFAULT_TRANSFER_RETRY_INTERVAL_S = 60;

export function transferRetries(request: { retries?: number; retryInterval?: number }): { retries: number; retryIntervalS: number } {
  return {
    retries: Math.max(0, request.retries ?? DEFAULT_TRANSFER_RETRIES),
    retryIntervalS: Math.max(0, request.retryInterval ?? DEFAULT_TRANSFER_RETRY_INTERVAL_S),
  };
}
