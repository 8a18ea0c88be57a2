/**
 * GetLog(SecurityLog) (OCPP 1.6 Security Whitepaper, "Get Security Log"): the entries of the local
 * security log in the requested time window, as JSON lines, uploaded to the CSMS's remoteLocation,
 * with a LogStatusNotification at every stage (Uploading, then Uploaded, PermissionDenied or
 * UploadFailure) carrying the request's requestId.
 *
 * - HTTP and HTTPS only, uploaded as `curl -T` does: a PUT of the file to the URL (the file name
 *   appended when the URL ends with '/'). Other schemes (FTP) are Rejected.
 * - One upload at a time: a new request cancels the running one (answered AcceptedCanceled).
 * - A failed attempt is retried `retries` times (default 1) after `retryInterval` seconds (default
 *   60) of the agent's clock; 401/403 is PermissionDenied at once (retrying will not help).
 * - Each attempt is bounded by UPLOAD_TIMEOUT_MS of real time (network I/O, not agent time).
 *
 * DiagnosticsLog is not this service's: it answers Rejected for it.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/clock.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import type { GetLogRequest, GetLogResponse, UploadLogStatusEnumType } from '../ocpp16/messages.js';
import type { SecurityLog } from './SecurityLog.js';

const UPLOAD_TIMEOUT_MS = 60_000;
const DEFAULT_RETRIES = 1;
const DEFAULT_RETRY_INTERVAL_S = 60;

export interface SecurityLogUploadOptions {
  securityLog: SecurityLog;
  clock: Clock;
  log: Logger;
  /** For the file name: security-log-<chargePointId>-<requestId>.jsonl. */
  chargePointId: string;
}

interface Upload {
  requestId: number;
  abort: AbortController;
  timer: TimerId | undefined;
  status: UploadLogStatusEnumType;
}

export class SecurityLogUpload {
  private link: OcppCaller | undefined;
  private current: Upload | undefined;
  private readonly log: Logger;

  constructor(private readonly o: SecurityLogUploadOptions) {
    this.log = o.log.child({ component: 'security-log-upload' });
  }

  attach(link: OcppCaller): void {
    this.link = link;
  }

  /** GetLog: starts the upload after the answer. */
  getLog(req: GetLogRequest): GetLogResponse {
    if (req.logType !== 'SecurityLog') return { status: 'Rejected' };
    let url: URL;
    try {
      url = new URL(req.log.remoteLocation);
    } catch {
      return { status: 'Rejected' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: 'Rejected' };
    const canceled = this.cancel();
    const filename = `security-log-${this.o.chargePointId}-${req.requestId}.jsonl`;
    const upload: Upload = { requestId: req.requestId, abort: new AbortController(), timer: undefined, status: 'Uploading' };
    this.current = upload;
    const range = { ...(req.log.oldestTimestamp && { oldest: Date.parse(req.log.oldestTimestamp) }), ...(req.log.latestTimestamp && { latest: Date.parse(req.log.latestTimestamp) }) };
    const target = url.pathname.endsWith('/') ? new URL(filename, url) : url;
    setImmediate(() => void this.run(upload, target, range, req.retries ?? DEFAULT_RETRIES, (req.retryInterval ?? DEFAULT_RETRY_INTERVAL_S) * 1000));
    return { status: canceled ? 'AcceptedCanceled' : 'Accepted', filename };
  }

  /** ExtendedTriggerMessage(LogStatusNotification): the current state (Idle when nothing uploads). */
  triggerLogStatus(): 'Accepted' | 'Rejected' {
    const upload = this.current;
    setImmediate(() => void this.notify(upload?.status === 'Uploading' ? 'Uploading' : 'Idle', upload?.status === 'Uploading' ? upload.requestId : undefined));
    return 'Accepted';
  }

  stop(): void {
    this.cancel();
  }

  private cancel(): boolean {
    const upload = this.current;
    if (!upload || upload.status !== 'Uploading') return false;
    upload.abort.abort();
    this.o.clock.clearTimeout(upload.timer);
    upload.status = 'UploadFailure';
    this.current = undefined;
    return true;
  }

  private async run(upload: Upload, target: URL, range: { oldest?: number; latest?: number }, retries: number, retryMs: number): Promise<void> {
    await this.notify('Uploading', upload.requestId);
    const entries = await this.o.securityLog.entries(range);
    const body = entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length > 0 ? '\n' : '');
    for (let attempt = 0; ; attempt++) {
      if (upload.abort.signal.aborted) return;
      const outcome = await this.put(target, body, upload.abort.signal);
      if (upload.abort.signal.aborted) return;
      if (outcome === 'Uploaded' || outcome === 'PermissionDenied' || attempt >= retries) {
        upload.status = outcome;
        this.log.info({ requestId: upload.requestId, status: outcome, entries: entries.length, attempts: attempt + 1 }, 'security log upload finished');
        await this.notify(outcome, upload.requestId);
        if (this.current === upload) this.current = undefined;
        return;
      }
      this.log.warn({ requestId: upload.requestId, attempt: attempt + 1, retryInMs: retryMs }, 'security log upload failed; retrying');
      await new Promise<void>((resolve) => (upload.timer = this.o.clock.setTimeout(resolve, retryMs)));
    }
  }

  private async put(target: URL, body: string, signal: AbortSignal): Promise<UploadLogStatusEnumType> {
    try {
      const response = await fetch(target, { method: 'PUT', body, headers: { 'content-type': 'application/x-ndjson' }, signal: AbortSignal.any([signal, AbortSignal.timeout(UPLOAD_TIMEOUT_MS)]) });
      await response.body?.cancel();
      if (response.ok) return 'Uploaded';
      return response.status === 401 || response.status === 403 ? 'PermissionDenied' : 'UploadFailure';
    } catch (err) {
      this.log.warn({ err: String(err), url: target.origin }, 'security log upload attempt failed');
      return 'UploadFailure';
    }
  }

  private async notify(status: UploadLogStatusEnumType, requestId: number | undefined): Promise<void> {
    await this.link?.call('LogStatusNotification', { status, ...(requestId !== undefined && { requestId }) }).catch((err: unknown) => this.log.warn({ err }, 'LogStatusNotification failed'));
  }
}
