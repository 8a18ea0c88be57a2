/**
 * The HTTP API of `evse csms` (`--api-port`): list the charge points and send any call to one, in
 * the OCPP version it speaks (1.6 or 2.0.1), JSON in and out. Routes and shapes: docs/csms-api.openapi.yaml.
 *
 *   GET  /chargers                          every charge point that has connected, with status
 *   GET  /chargers/{id}                     one of them
 *   POST /chargers/{id}/calls/{Action}      body = the payload; 200 = the charge point's answer
 *   GET  /actions                           the actions the CSMS can send (`actions`: 1.6; `byVersion`)
 *
 * Errors are `{ error, kind, ... }` with the status of their {@link OperatorErrorKind}. It has
 * no authentication, so it listens on 127.0.0.1 by default, and it refuses what a web page
 * could send it: a POST must say `Content-Type: application/json` (a browser only sends that
 * cross-site after a CORS preflight, which is never granted), and on a loopback address the
 * Host header must be an IP address or `localhost` (against DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { BodyTooLarge, listenOn, readBody, sendJson } from '../httpServer.js';
import { CSMS_ACTIONS, CSMS_ACTIONS_201, type CsmsOperator } from './CsmsOperator.js';
import { OperatorError, type OperatorErrorKind } from './errors.js';

export interface CsmsHttpApiOptions {
  readonly operator: CsmsOperator;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  readonly logger?: Logger;
}

/** HTTP status of each way a call can fail. */
export const STATUS_OF: Readonly<Record<OperatorErrorKind, number>> = {
  unknownChargePoint: 404,
  notConnected: 409,
  unknownAction: 400,
  invalidPayload: 400,
  callError: 502,
  invalidAnswer: 502,
  timeout: 504,
  connectionLost: 502,
};

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_TIMEOUT_MS = 600_000;

/** A request refused before it reaches the operator. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class CsmsHttpApi {
  private readonly server: Server;
  private loopback = true;

  constructor(private readonly options: CsmsHttpApiOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Listens; rejects when it cannot (e.g. EADDRINUSE). */
  async start(): Promise<{ url: string; port: number }> {
    const { host = '127.0.0.1', port = 0 } = this.options;
    const address = await listenOn(this.server, host, port);
    this.server.on('error', (err) => this.options.logger?.error({ err }, 'CSMS HTTP API error'));
    this.loopback = address.address.startsWith('127.') || address.address === '::1';
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `http://${shownHost}:${address.port}`, port: address.port };
  }

  /** Closes the server and every connection (a request still waiting for a charge point is cut). */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      this.checkHost(req.headers.host);
      const body = await this.route(req, url);
      sendJson(res, 200, body);
    } catch (err) {
      if (err instanceof OperatorError) return sendJson(res, STATUS_OF[err.kind], { error: err.message, kind: err.kind, ...err.details });
      if (err instanceof RequestError) {
        for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
        return sendJson(res, err.status, { error: err.message, kind: err.kind });
      }
      this.options.logger?.error({ err, method: req.method, path: url.pathname }, 'CSMS HTTP API request failed');
      sendJson(res, 500, { error: `internal error: ${String(err)}`, kind: 'internal' });
    }
  }

  private async route(req: IncomingMessage, url: URL): Promise<unknown> {
    const { operator } = this.options;
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter((p) => p !== '');
    let segments: string[];
    try {
      segments = parts.map(decodeURIComponent);
    } catch {
      throw new RequestError(400, 'invalidRequest', `bad percent-encoding in ${url.pathname}`);
    }
    const [root, id, sub, action] = segments;
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) throw new RequestError(405, 'methodNotAllowed', `${method} is not allowed on ${url.pathname} (allowed: ${methods.join(', ')})`, { allow: methods.join(', ') });
    };
    if (root === 'actions' && segments.length === 1) {
      allow('GET');
      return { actions: CSMS_ACTIONS, byVersion: { '1.6': CSMS_ACTIONS, '2.0.1': CSMS_ACTIONS_201 } };
    }
    if (root === 'chargers' && segments.length === 1) {
      allow('GET');
      return operator.chargers();
    }
    if (root === 'chargers' && id !== undefined && segments.length === 2) {
      allow('GET');
      operator.checkTarget(id);
      return operator.charger(id);
    }
    if (root === 'chargers' && id !== undefined && sub === 'calls' && action !== undefined && segments.length === 4) {
      allow('POST');
      operator.checkTarget(id, action);
      const timeoutMs = timeoutOf(url.searchParams.get('timeoutMs'));
      const payload = await readPayload(req);
      this.options.logger?.debug({ chargePointId: id, action }, 'CSMS HTTP API call');
      return operator.send(id, action, payload, timeoutMs === undefined ? {} : { timeoutMs });
    }
    throw new RequestError(404, 'notFound', `no such resource: ${url.pathname} (see GET /chargers, POST /chargers/{id}/calls/{Action})`);
  }

  private checkHost(host: string | undefined): void {
    if (!this.loopback) return;
    let hostname: string;
    try {
      hostname = new URL(`http://${host ?? ''}`).hostname.replace(/^\[|\]$/g, '');
    } catch {
      hostname = '';
    }
    if (hostname !== 'localhost' && isIP(hostname) === 0) {
      throw new RequestError(403, 'forbiddenHost', `Host ${JSON.stringify(host ?? '')} refused: use the address the API listens on (or localhost)`);
    }
  }
}

function timeoutOf(text: string | null): number | undefined {
  if (text === null) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_TIMEOUT_MS) throw new RequestError(400, 'invalidRequest', `timeoutMs: expected an integer 1..${MAX_TIMEOUT_MS}, got ${JSON.stringify(text)}`);
  return n;
}

async function readPayload(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const raw = await readBody(req, MAX_BODY_BYTES).catch((err: unknown) => {
    throw err instanceof BodyTooLarge ? new RequestError(413, 'payloadTooLarge', err.message) : err;
  });
  if (type !== 'application/json' && !(type.startsWith('application/') && type.endsWith('+json'))) {
    throw new RequestError(415, 'unsupportedMediaType', `the payload must be sent as Content-Type: application/json, got ${JSON.stringify(type || 'none')}`);
  }
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new RequestError(400, 'invalidJson', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

