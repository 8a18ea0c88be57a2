/**
 * The local web dashboard and control API of `evse run` (docs/dashboard.md): one page (plain
 * HTML/CSS/JS with uPlot, all served from the package: works offline) and a small JSON API
 * (docs/dashboard-api.openapi.yaml) with server-sent events for live updates.
 *
 * - Bound to 127.0.0.1 by default. With a password every request needs it: HTTP Basic (any user
 *   name) or `Authorization: Bearer <password>`. The password is never logged.
 * - Without a password, only requests whose Host is this machine are answered (a web page cannot
 *   reach the dashboard through a DNS name that points at 127.0.0.1), and every POST must carry
 *   `content-type: application/json` (a plain form on another site cannot send that).
 * - Refused requests get `{ error, field? }` with 400/401/403/404/405/409/413/415/422, as the fleet
 *   control API's do, and change nothing. The control actions exist only with simulated hardware.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import type { Logger } from 'pino';
import { BodyTooLarge, listenOn, readBody, sendJson } from '../../scenarios/httpServer.js';
import { jsonObject } from '../../scenarios/fleet/controlRequests.js';
import { runChargerCommand, type ControlState } from '../../scenarios/fleet/controlCharger.js';
import type { FleetCommand } from '../../scenarios/fleet/controlTypes.js';
import { packageRoot } from '../packageInfo.js';
import type { ChargerFeed } from './ChargerFeed.js';
import { parseDashboardRequest, PAGE_FILES, RequestError } from './dashboardRequests.js';

export interface DashboardServerOptions {
  feed: ChargerFeed;
  /** The configuration view (secrets masked): see ./configView.ts. */
  config: () => unknown;
  host: string;
  port: number;
  password?: string | undefined;
  log?: Logger;
  /** Event-stream clients at once (default 8). */
  maxClients?: number;
  /** Bytes an event-stream client may leave unread before it is dropped (default 1 MiB). */
  maxClientBufferBytes?: number;
  /** Seconds between keep-alive comments on event streams (default 15). */
  keepAliveS?: number;
}

const MAX_BODY_BYTES = 16 * 1024;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const LOOPBACK_NAMES = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

export class DashboardServer {
  private readonly server: Server;
  private readonly files = new Map<string, { type: string; body: Buffer }>();
  private readonly streams = new Set<(last?: string) => void>();
  private readonly passwordDigest: Buffer | undefined;
  /** The fleet's control state per agent (a Reset's new agent has its own link): the connection closed through the API. */
  private readonly controlStates = new WeakMap<object, ControlState>();
  private eventSeq = 0;

  constructor(private readonly o: DashboardServerOptions) {
    this.passwordDigest = o.password === undefined ? undefined : digest(o.password);
    // Loaded once: the page works even if the package is replaced on disk while running.
    const require = createRequire(import.meta.url);
    const publicDir = join(packageRoot(), 'bin', 'dashboard', 'public');
    for (const [path, file] of Object.entries(PAGE_FILES)) {
      const full = file.startsWith('uplot/') ? require.resolve(file) : join(publicDir, file);
      this.files.set(path, { type: TYPES[extname(full)] ?? 'application/octet-stream', body: readFileSync(full) });
    }
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Listens; resolves with the URL (the port chosen when `port` is 0). */
  async start(): Promise<{ url: string; port: number }> {
    const address = await listenOn(this.server, this.o.host, this.o.port);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `http://${host}:${address.port}/`, port: address.port };
  }

  /** Ends every event stream (with a `closing` event) and closes the server. */
  async stop(): Promise<void> {
    const last = `event: closing\ndata: ${JSON.stringify({ reason: 'the charger is stopping' })}\n\n`;
    for (const close of [...this.streams]) close(last);
    // Ended streams and idle keep-alive connections close now; a request still running gets 1 s.
    const force = setTimeout(() => this.server.closeAllConnections(), 1000);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    clearTimeout(force);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    try {
      this.checkAccess(req, method);
      const raw = method === 'POST' || method === 'DELETE' ? await readBody(req, MAX_BODY_BYTES) : '';
      const parsed = parseDashboardRequest(method, url.pathname, url.searchParams, this.o.feed.agent?.chargePointId ?? '-', () => jsonObject(raw));
      if ('page' in parsed) return this.page(res, parsed.page, method === 'HEAD');
      if ('control' in parsed) return await this.control(res, parsed.control);
      if (parsed.api === 'events') return this.stream(req, res);
      if (parsed.api === 'transactions') return sendJson(res, 200, { transactions: this.o.feed.transactions() });
      if (parsed.api === 'config') return sendJson(res, 200, this.o.config());
      const view = this.o.feed.view();
      if (!view) return sendJson(res, 503, { error: 'the charger is restarting (Reset): try again in a few seconds' });
      sendJson(res, 200, view);
    } catch (err) {
      if (err instanceof AccessError) {
        if (err.status === 401) res.setHeader('www-authenticate', 'Basic realm="evse dashboard", charset="UTF-8"');
        return sendJson(res, err.status, { error: err.message });
      }
      if (err instanceof RequestError) {
        if (err.allow) res.setHeader('allow', err.allow);
        return sendJson(res, err.status, { error: err.message, ...(err.field !== undefined && { field: err.field }) });
      }
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: err.message });
      this.o.log?.error({ err, method, path: url.pathname }, 'dashboard request failed');
      sendJson(res, 500, { error: `internal error: ${String(err)}` });
    }
  }

  private checkAccess(req: IncomingMessage, method: string): void {
    if (this.passwordDigest) {
      if (!this.authorized(req.headers.authorization)) throw new AccessError(401, 'the dashboard needs its password (dashboard.password): HTTP Basic or Authorization: Bearer <password>');
    } else if (!LOOPBACK_NAMES.test(req.headers.host ?? '')) {
      throw new AccessError(403, `host ${JSON.stringify(req.headers.host ?? '')} refused: without dashboard.password only 127.0.0.1, [::1] or localhost are answered`);
    }
    if (method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new AccessError(415, 'a POST needs content-type: application/json (a JSON object, {} when there is nothing to say)');
  }

  private authorized(header: string | undefined): boolean {
    const [scheme, value = ''] = (header ?? '').split(' ', 2);
    let given: string | undefined;
    if (scheme?.toLowerCase() === 'bearer') given = value;
    else if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      given = colon < 0 ? undefined : decoded.slice(colon + 1);
    }
    return given !== undefined && timingSafeEqual(digest(given), this.passwordDigest!);
  }

  private page(res: ServerResponse, path: string, headOnly: boolean): void {
    const file = this.files.get(path)!;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      // Everything comes from this server; uPlot sizes its elements through style properties.
      'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
    });
    res.end(headOnly ? undefined : file.body);
  }

  private async control(res: ServerResponse, cmd: FleetCommand): Promise<void> {
    const { agent, sim } = this.o.feed;
    if (!agent) return sendJson(res, 503, { error: 'the charger is restarting (Reset): try again in a few seconds' });
    if (!sim) return sendJson(res, 409, { error: 'the hardware is real (hal.driver serial): plug, card and fault actions exist only with simulated hardware (hal.driver sim)' });
    let state = this.controlStates.get(agent);
    if (!state) this.controlStates.set(agent, (state = { closed: new Set() }));
    const result = await runChargerCommand({ id: agent.chargePointId, agent, sim, behaviour: undefined }, state, cmd);
    if (result.status >= 300) {
      const error = (result.body as { error: string }).error.replace(/POST \/chargers\/\{id\}\/rfid/g, 'POST /api/rfid');
      return sendJson(res, result.status, { error });
    }
    if (cmd.type === 'tap') return sendJson(res, result.status, { uid: cmd.uid, note: 'the card is decided asynchronously: follow /api/events or GET /api/status' });
    if (cmd.type === 'connection') return sendJson(res, result.status, { connection: (result.body as { connection: string }).connection, charger: this.o.feed.view() });
    const { id: _id, charger: _charger, ...fault } = result.body as Record<string, unknown>;
    sendJson(res, result.status, { ...(cmd.type === 'fault' && fault), charger: this.o.feed.view() });
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    const max = this.o.maxClients ?? 8;
    if (this.streams.size >= max) return sendJson(res, 503, { error: `too many event-stream clients (at most ${max})` });
    const limit = this.o.maxClientBufferBytes ?? 1024 * 1024;
    const feed = this.o.feed;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    const write = (event: string, data: unknown) => {
      if (res.writableLength > limit) {
        // The client does not read: drop it rather than buffer without bound.
        this.o.log?.warn({ bufferedBytes: res.writableLength }, 'dashboard: dropping a slow event-stream client');
        close();
        res.destroy();
        return;
      }
      res.write(`id: ${++this.eventSeq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const onStatus = (v: unknown) => write('status', v);
    const onSample = (s: unknown) => write('sample', s);
    const onTransactions = (rows: unknown) => write('transactions', { transactions: rows });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), (this.o.keepAliveS ?? 15) * 1000);
    let closed = false;
    const close = (last?: string) => {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      feed.off('status', onStatus);
      feed.off('sample', onSample);
      feed.off('transactions', onTransactions);
      this.streams.delete(close);
      res.end(last);
    };
    this.streams.add(close);
    req.on('close', () => close());
    // The whole picture first, then changes as they happen.
    write('snapshot', { status: feed.view() ?? null, samples: feed.samples(), transactions: feed.transactions() });
    feed.on('status', onStatus);
    feed.on('sample', onSample);
    feed.on('transactions', onTransactions);
  }
}

/** A refusal before routing (password, host, content type). */
class AccessError extends Error {
  constructor(
    readonly status: 401 | 403 | 415,
    message: string,
  ) {
    super(message);
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();


