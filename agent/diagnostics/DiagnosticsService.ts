/**
 * Log uploads, version-neutral (OCPP 1.6 GetDiagnostics and the whitepaper's GetLog; OCPP 2.0.1
 * GetLog can reuse it): collects the entries of the asked log in the asked time range from its
 * {@link LogSource}, gzips them into one file and uploads it with an HTTP(S) PUT, retrying
 * `retries` times `retryIntervalS` apart on the clock. Every stage goes out as a `status` event
 * (Uploading, Uploaded, UploadFailure; BadMessage for a location that is no URL,
 * NotSupportedOperation for a scheme other than http(s), PermissionDenied when the server refuses
 * the credentials). One upload at a time: a new request cancels the one under way.
 */
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from 'pino';
import { RealWork, type Clock } from '../../hal/clock.js';
import type { LogKind, LogSource, UploadAnswer, UploadRequest, UploadStatus, UploadStatusEvent } from './diagnosticsTypes.js';

const gzipAsync = promisify(gzip);
/** Longest one PUT may take (real time: network I/O, see agent/firmware/downloadFile.ts). */
const UPLOAD_TIMEOUT_MS = 120_000;

export interface DiagnosticsServiceOptions {
  chargePointId: string;
  /** The logs this charger keeps; a kind without a source is Rejected. */
  sources: Partial<Record<LogKind, LogSource>>;
  clock: Clock;
  log: Logger;
  /** Longest one PUT may take, real-time ms; default 120 s. */
  uploadTimeoutMs?: number;
}

class Cancelled extends Error {}

/** Why an attempt failed, and whether another attempt can help. */
class UploadFailed extends Error {
  constructor(
    readonly status: UploadStatus,
    message: string,
    readonly final: boolean,
  ) {
    super(message);
  }
}

/** A compact UTC timestamp for file names: 20260101T120000Z. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export class DiagnosticsService extends EventEmitter<{ status: [event: UploadStatusEvent] }> {
  private current: { abort: AbortController; done: Promise<void>; requestId?: number } | undefined;
  private readonly log: Logger;
  private requests: Promise<unknown> = Promise.resolve();
  /** Real I/O under way (collecting, the PUT), as opposed to waiting for a retry on the clock. */
  private readonly work = new RealWork();

  constructor(private readonly o: DiagnosticsServiceOptions) {
    super();
    this.log = o.log.child({ component: 'diagnostics' });
  }

  /** Resolves once no collecting or PUT is under way (a retry waiting on the clock does not count): DESIGN.md §5. */
  settled(): Promise<void> {
    return this.work.settled();
  }


  /** Uploading while an upload is under way, else Idle (a triggered DiagnosticsStatusNotification). */
  get status(): 'Uploading' | 'Idle' {
    return this.current ? 'Uploading' : 'Idle';
  }

  /** The GetLog upload under way (Uploading with its requestId), else Idle: a triggered LogStatusNotification. */
  get logStatus(): { status: 'Uploading' | 'Idle'; requestId?: number } {
    const run = this.current;
    return run ? { status: 'Uploading', ...(run.requestId !== undefined && { requestId: run.requestId }) } : { status: 'Idle' };
  }

  /** Whether this charger keeps the log of this kind. */
  keeps(kind: LogKind): boolean {
    return this.o.sources[kind] !== undefined;
  }

  request(req: UploadRequest): Promise<UploadAnswer> {
    // One at a time: two requests arriving together must not both replace the same upload.
    const answer = this.requests.then(() => this.begin(req));
    this.requests = answer.catch(() => undefined);
    return answer;
  }

  private async begin(req: UploadRequest): Promise<UploadAnswer> {
    const source = this.o.sources[req.log];
    if (!source) return { status: 'Rejected' };
    const previous = this.current;
    if (previous) {
      this.log.info('log upload cancelled by a newer request');
      previous.abort.abort();
      await previous.done;
    }
    const fileName = `${this.o.chargePointId}-${req.log === 'SecurityLog' ? 'security' : 'diagnostics'}-${stamp(this.o.clock.now())}.log.gz`;
    const abort = new AbortController();
    const run: { abort: AbortController; done: Promise<void>; requestId?: number } = { abort, done: Promise.resolve(), ...(req.requestId !== undefined && { requestId: req.requestId }) };
    this.work.set(true);
    run.done = this.upload(req, source, fileName, abort.signal)
      .catch((err: unknown) => {
        if (!(err instanceof Cancelled)) this.log.error({ err }, 'log upload failed unexpectedly');
      })
      .finally(() => {
        if (this.current === run) this.current = undefined;
        if (!this.current) this.work.set(false);
      });
    this.current = run;
    return { status: previous ? 'AcceptedCanceled' : 'Accepted', fileName };
  }

  /** Cancels an upload under way (the agent stopping). */
  async stop(): Promise<void> {
    const run = this.current;
    this.current = undefined;
    run?.abort.abort();
    await run?.done;
  }

  private report(req: UploadRequest, status: UploadStatus): void {
    this.log.info({ status, log: req.log, requestId: req.requestId }, `log upload: ${status}`);
    this.emit('status', { status, log: req.log, ...(req.requestId !== undefined && { requestId: req.requestId }) });
  }

  private async upload(req: UploadRequest, source: LogSource, fileName: string, signal: AbortSignal): Promise<void> {
    const target = targetUrl(req.location, fileName);
    if (typeof target !== 'string') {
      this.log.warn({ location: req.location, reason: target.message }, 'log upload refused');
      this.report(req, target.status);
      return;
    }
    const body = await gzipAsync(Buffer.from(this.collect(req, await source.lines()).join('\n') + '\n'));
    this.report(req, 'Uploading');
    const attempts = Math.max(0, req.retries) + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.put(target, body, signal);
        this.log.info({ fileName, bytes: body.length, attempt }, 'log uploaded');
        this.report(req, 'Uploaded');
        return;
      } catch (err) {
        if (signal.aborted) throw new Cancelled();
        const failed = err instanceof UploadFailed ? err : new UploadFailed('UploadFailure', (err as Error).message, false);
        const last = failed.final || attempt >= attempts;
        this.log.warn({ attempt, attempts, reason: failed.message }, last ? 'log upload failed' : 'log upload failed: retrying');
        if (last) {
          this.report(req, failed.status);
          return;
        }
        await this.work.idle(this.o.clock, Math.max(0, req.retryIntervalS) * 1000, signal, () => new Cancelled());
      }
    }
  }

  /** A header line saying what the file holds, then the entries within the asked time range. */
  private collect(req: UploadRequest, lines: string[]): string[] {
    const header = JSON.stringify({ chargePointId: this.o.chargePointId, log: req.log, collectedAt: new Date(this.o.clock.now()).toISOString(), oldest: req.oldest, latest: req.latest });
    if (req.oldest === undefined && req.latest === undefined) return [header, ...lines];
    const within = lines.filter((line) => {
      const time = timeOf(line);
      return time === undefined || ((req.oldest === undefined || time >= req.oldest) && (req.latest === undefined || time <= req.latest));
    });
    return [header, ...within];
  }

  private async put(url: string, body: Buffer, signal: AbortSignal): Promise<void> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'PUT',
        body,
        headers: { 'content-type': 'application/gzip' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.uploadTimeoutMs ?? UPLOAD_TIMEOUT_MS)]),
      });
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      throw new UploadFailed('UploadFailure', `${(err as Error).message}${cause ? `: ${cause.message}` : ''}`, false);
    }
    await res.body?.cancel();
    if (res.status === 401 || res.status === 403) throw new UploadFailed('PermissionDenied', `HTTP ${res.status}`, true);
    if (!res.ok) throw new UploadFailed('UploadFailure', `HTTP ${res.status}`, false);
  }


}

/** The URL to PUT to, or why there is none: no URL (BadMessage), not http(s) (NotSupportedOperation). */
function targetUrl(location: string, fileName: string): string | { status: UploadStatus; message: string } {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return { status: 'BadMessage', message: 'the location is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: 'NotSupportedOperation', message: `unsupported scheme ${url.protocol} (http: or https: only)` };
  if (url.pathname.endsWith('/')) url.pathname += encodeURIComponent(fileName);
  return url.toString();
}

function timeOf(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const time = (JSON.parse(line) as { time?: unknown }).time;
    return typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) || undefined : undefined;
  } catch {
    return undefined;
  }
}
