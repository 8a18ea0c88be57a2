/**
 * The scenario's own file server, `t.files`: an HTTP server on 127.0.0.1 (started on first use,
 * closed with the run) that serves files to the charger (firmware images, with Range requests so
 * an interrupted download can resume) and takes the files it uploads (log uploads, PUT or POST).
 * It is real I/O: the charger's transfers run in real time while virtual time waits for them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOn } from '../httpServer.js';

export interface ServeOptions {
  /** Send only this many bytes of the first download, then hang (a transfer that stalls mid-way). */
  readonly stallAfterBytes?: number;
}

export interface Upload {
  /** The file name (the last part of the path it was sent to). */
  readonly name: string;
  /** The path it was sent to, e.g. `/uploads/CP1-diagnostics-….log.gz`. */
  readonly path: string;
  readonly content: Buffer;
}

interface Served {
  content: Buffer;
  stallAfterBytes?: number;
  stalled?: boolean;
}

/** Uploads are taken under this path. */
const UPLOADS = '/uploads/';

export class SiteFiles {
  private server: Server | undefined;
  private base: Promise<string> | undefined;
  private readonly files = new Map<string, Served>();
  private readonly hanging = new Set<ServerResponse>();
  private refusals = 0;
  readonly uploads: Upload[] = [];
  /** Every request: method, path and Range header (what a scenario may check about retries and resumes). */
  readonly requests: { method: string; path: string; range: string | undefined }[] = [];

  /** Serves `content` at `/files/<name>`; resolves with its URL. */
  async serve(name: string, content: Uint8Array, options: ServeOptions = {}): Promise<string> {
    const path = `/files/${encodeURIComponent(name)}`;
    this.files.set(path, { content: Buffer.from(content), ...(options.stallAfterBytes !== undefined && { stallAfterBytes: options.stallAfterBytes }) });
    return `${await this.url()}${path}`;
  }

  /** The URL (ending in `/`) uploads go to; the next `refuse` uploads are answered 503. */
  async uploadUrl(refuse = 0): Promise<string> {
    this.refusals = refuse;
    return `${await this.url()}${UPLOADS}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private url(): Promise<string> {
    this.base ??= (async () => {
      this.server = createServer((req, res) => this.handle(req, res));
      const { port } = await listenOn(this.server, '127.0.0.1', 0);
      return `http://127.0.0.1:${port}`;
    })();
    return this.base;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    this.requests.push({ method, path, range: req.headers.range });
    if ((method === 'PUT' || method === 'POST') && path.startsWith(UPLOADS)) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.refusals > 0) {
          this.refusals--;
          res.writeHead(503).end();
          return;
        }
        this.uploads.push({ name: decodeURIComponent(path.slice(UPLOADS.length)), path, content: Buffer.concat(chunks) });
        res.writeHead(201).end();
      });
      return;
    }
    const file = method === 'GET' ? this.files.get(path) : undefined;
    if (!file) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const total = file.content.length;
    if (range && start >= total) {
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return;
    }
    const part = file.content.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'content-length': part.length,
      ...(range && { 'content-range': `bytes ${start}-${total - 1}/${total}` }),
    });
    if (file.stallAfterBytes !== undefined && !file.stalled) {
      file.stalled = true;
      res.write(part.subarray(0, file.stallAfterBytes));
      this.hanging.add(res); // never ends: the charger must give up and resume
      return;
    }
    res.end(part);
  }
}
