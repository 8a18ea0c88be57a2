/**
 * One attempt at fetching a file over HTTP(S) into `file`, resuming what an earlier attempt left
 * there with an HTTP Range request. Retries (and the wait between them, on the injected clock)
 * are the caller's; this only says whether the next attempt can resume.
 *
 * Stall timeout: a server that stops sending is given up after `stallTimeoutMs` without a byte.
 * That is network inactivity, measured in real time whatever clock the agent runs on (virtual time
 * must not abort a transfer that is still flowing), like agent/withinRealTime.ts.
 */
import { open, rm, stat } from 'node:fs/promises';

export interface DownloadOptions {
  url: string;
  /** Where the file goes; an existing partial file is resumed. */
  file: string;
  /** Give up when no byte arrived for this long (real time). */
  stallTimeoutMs: number;
  /** Refuse files larger than this (a full disk would take the journal down with it). */
  maxBytes: number;
  /** Aborts the transfer (a cancelled update, the agent stopping). */
  signal?: AbortSignal;
}

export interface DownloadResult {
  bytes: number;
  /** Bytes that were already there and resumed from. */
  resumedFrom: number;
}

/** A failed attempt; `message` says why, for the log and the operator. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
}

/** http: and https: only (no FTP client here): anything else is refused before any attempt. */
export function checkDownloadUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${url}`;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `unsupported scheme ${parsed.protocol} (http: or https: only)`;
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

/** The total size from a `Content-Range: bytes a-b/total` (or `*\/total`) header. */
function totalOf(contentRange: string | null): number | undefined {
  const m = contentRange?.match(/\/(\d+)\s*$/);
  return m ? Number(m[1]) : undefined;
}

export async function downloadFile(o: DownloadOptions): Promise<DownloadResult> {
  const problem = checkDownloadUrl(o.url);
  if (problem) throw new DownloadError(problem);
  const have = await sizeOf(o.file);
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(new DownloadError('download cancelled'));
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let stalled = false;
  let stallTimer: ReturnType<typeof globalThis.setTimeout> | undefined;
  const armStall = () => {
    globalThis.clearTimeout(stallTimer);
    stallTimer = globalThis.setTimeout(() => {
      stalled = true;
      abort.abort(new DownloadError('stalled'));
    }, o.stallTimeoutMs);
  };
  let written = 0;
  let from = have;
  try {
    armStall();
    const res = await fetch(o.url, { signal: abort.signal, headers: have > 0 ? { range: `bytes=${have}-` } : {}, redirect: 'follow' });
    let total: number | undefined;
    if (res.status === 416 && have > 0) {
      // Nothing after what we have: complete when the server says that is the whole file.
      await res.body?.cancel();
      if (totalOf(res.headers.get('content-range')) === have) return { bytes: have, resumedFrom: have };
      await rm(o.file, { force: true });
      throw new DownloadError('the server refused to resume (416): starting over');
    }
    if (res.status === 206) {
      const range = res.headers.get('content-range')?.match(/bytes\s+(\d+)-/);
      if (!range || Number(range[1]) !== have) {
        await res.body?.cancel();
        await rm(o.file, { force: true });
        throw new DownloadError('the server resumed at another offset: starting over');
      }
      total = totalOf(res.headers.get('content-range'));
    } else if (res.ok) {
      from = 0; // a server that ignores Range sends the whole file again
      const length = res.headers.get('content-length');
      total = length !== null ? Number(length) : undefined;
    } else {
      await res.body?.cancel();
      throw new DownloadError(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    if (total !== undefined && total > o.maxBytes) {
      await res.body?.cancel();
      throw new DownloadError(`the file has ${total} bytes, more than the ${o.maxBytes} allowed`);
    }
    if (!res.body) throw new DownloadError('the response has no body');
    const fh = await open(o.file, from === 0 ? 'w' : 'a');
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        armStall();
        if (from + written + chunk.byteLength > o.maxBytes) throw new DownloadError(`the file exceeds the ${o.maxBytes} bytes allowed`);
        await fh.write(chunk);
        written += chunk.byteLength;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const bytes = from + written;
    if (total !== undefined && bytes !== total) throw new DownloadError(`the transfer ended after ${bytes} of ${total} bytes`);
    return { bytes, resumedFrom: from };
  } catch (err) {
    if (stalled) throw new DownloadError(`no data for ${o.stallTimeoutMs} ms after ${from + written} bytes`, { cause: err });
    if (err instanceof DownloadError) throw err;
    if (abort.signal.aborted) throw abort.signal.reason instanceof DownloadError ? abort.signal.reason : new DownloadError('download cancelled', { cause: err });
    throw new DownloadError(`${(err as Error).message}${(err as { cause?: Error }).cause ? `: ${(err as { cause: Error }).cause.message}` : ''}`, { cause: err });
  } finally {
    globalThis.clearTimeout(stallTimer);
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}
