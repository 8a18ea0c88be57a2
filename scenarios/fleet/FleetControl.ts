/**
 * The fleet control API: a small HTTP server (JSON in and out, on 127.0.0.1 by default) through
 * which a test harness lists, adds and removes chargers, acts on them (plug, card, fault,
 * connection, transaction), changes the ramp, reads the report, and follows events as
 * server-sent events. It speaks to a {@link FleetControlTarget}, so one fleet in this thread and a
 * fleet over worker threads are driven alike. Routes and shapes: docs/fleet-api.openapi.yaml.
 *
 * Bad requests get 400/404/405/422 with `{ error, field? }` and change nothing; an event filter
 * naming a charger the fleet does not have is refused (404) rather than waiting forever. Each
 * event-stream client has a bounded send buffer: a client that does not read is dropped, memory
 * does not grow. {@link FleetControl.stop} ends every stream with a last event: `fleet-stopped`
 * with the totals of the final report when given one, else `closing`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { BodyTooLarge, listenOn, readBody, sendJson } from '../httpServer.js';
import { jsonObject, parseRequest, RequestError } from './controlRequests.js';
import type { EventFilter, FleetControlTarget, FleetEvent } from './controlTypes.js';
import type { FleetReport } from './FleetMetrics.js';

export interface FleetControlOptions {
  target: FleetControlTarget;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  log?: Logger;
  /** Bytes an event-stream client may leave unread before it is dropped (default 1 MiB). */
  maxClientBufferBytes?: number;
  /** Event-stream clients at once (default 16). */
  maxClients?: number;
  /** Seconds between keep-alive comments on event streams (default 15). */
  keepAliveS?: number;
}

const MAX_BODY_BYTES = 64 * 1024;

interface StreamClient {
  res: ServerResponse;
  /** Ends the stream, after `last` (an SSE block) when given. */
  close: (last?: string) => void;
}

/** The `fleet-stopped` event's data: what the run did, from its final report. */
export function fleetTotals(r: FleetReport) {
  return {
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationS: r.durationS,
    chargers: r.chargers,
    bootResults: r.bootResults,
    transactions: r.transactions,
    messages: { out: r.messages.out, in: r.messages.in },
    callErrors: Object.values(r.actions).reduce((n, a) => n + a.callErrors, 0),
    disconnects: r.disconnects,
    reconnects: r.reconnects,
  };
}

export class FleetControl {
  private readonly server: Server;
  private readonly clients = new Set<StreamClient>();
  /** Event-stream clients dropped because they did not keep up. */
  droppedClients = 0;
  private eventSeq = 0;

  constructor(private readonly options: FleetControlOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<{ url: string; port: number }> {
    const { host = '127.0.0.1', port = 0 } = this.options;
    const address = await listenOn(this.server, host, port);
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `http://${shownHost}:${address.port}`, port: address.port };
  }

  /**
   * Ends every event stream with a last event and closes the server: `fleet-stopped` with the
   * totals of `final` (the fleet's final report: call this once the fleet has stopped, so the
   * streams carry the stop's events too), or `closing` without it (the API stops, the fleet may not).
   */
  async stop(final?: FleetReport): Promise<void> {
    const at = new Date().toISOString();
    const last = final
      ? `event: fleet-stopped\ndata: ${JSON.stringify({ at, ...fleetTotals(final) })}\n\n`
      : `event: closing\ndata: ${JSON.stringify({ at, reason: 'the control API is stopping' })}\n\n`;
    for (const c of [...this.clients]) c.close(last);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const raw = req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE' ? await readBody(req, MAX_BODY_BYTES) : '';
      const parsed = parseRequest(req.method ?? 'GET', url.pathname, url.searchParams, () => jsonObject(raw));
      if ('report' in parsed) return sendJson(res, 200, this.options.target.report());
      if ('events' in parsed) return await this.stream(req, res, parsed.events);
      const result = await this.options.target.execute(parsed.command);
      sendJson(res, result.status, result.body);
    } catch (err) {
      if (err instanceof RequestError) {
        if (err.allow) res.setHeader('allow', err.allow);
        return sendJson(res, err.status, { error: err.message, ...(err.field !== undefined && { field: err.field }) });
      }
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: err.message });
      this.options.log?.error({ err, method: req.method, path: url.pathname }, 'fleet control request failed');
      sendJson(res, 500, { error: `internal error: ${String(err)}` });
    }
  }

  private async stream(req: IncomingMessage, res: ServerResponse, filter: EventFilter): Promise<void> {
    if (this.clients.size >= (this.options.maxClients ?? 16)) return sendJson(res, 503, { error: `too many event-stream clients (at most ${this.options.maxClients ?? 16})` });
    if (filter.chargers) {
      // A filter for chargers the fleet does not have would stay silent forever: refused instead.
      const known = await this.options.target.execute({ type: 'exists', ids: filter.chargers });
      if (known.status >= 300) {
        const error = (known.body as { error?: string }).error ?? `status ${known.status}`;
        return sendJson(res, known.status, { error: `charger: ${error} (an event filter names chargers of this fleet; GET /chargers lists them)`, field: 'charger' });
      }
    }
    const limit = this.options.maxClientBufferBytes ?? 1024 * 1024;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const subscription: { off?: () => void } = {};
    let closed = false;
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), (this.options.keepAliveS ?? 15) * 1000);
    const client: StreamClient = {
      res,
      close: (last) => {
        if (closed) return;
        closed = true;
        clearInterval(keepAlive);
        subscription.off?.();
        this.clients.delete(client);
        res.end(last);
      },
    };
    this.clients.add(client);
    req.on('close', client.close);
    const onEvent = (event: FleetEvent) => {
      if (closed) return;
      if (res.writableLength > limit) {
        // The client does not read: drop it rather than buffer without bound.
        this.droppedClients++;
        this.options.log?.warn({ bufferedBytes: res.writableLength }, 'fleet control: dropping a slow event-stream client');
        client.close();
        res.destroy();
        return;
      }
      res.write(`id: ${++this.eventSeq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const off = await this.options.target.watch(filter, onEvent);
    if (closed) return off();
    subscription.off = off;
    // Events flow from here on: a harness may act once it has read this.
    res.write(`event: ready\ndata: ${JSON.stringify({ filter })}\n\n`);
  }
}


