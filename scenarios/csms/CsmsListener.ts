/**
 * The listening side of the embedded CSMS: ocpp-rpc's server on an HTTP server of our own, the
 * decision who may connect, and a shutdown that is bounded in time.
 *
 * Only clients offering a subprotocol the CSMS speaks (`ocpp1.6`, `ocpp2.0.1`) are accepted:
 * without a shared subprotocol ocpp-rpc would open the socket anyway, and strict validation would
 * silently not apply. Of the ones offered, the charge point's first (its preference) is chosen.
 *
 * The HTTP server is our own rather than ocpp-rpc's `listen()`: that one passes a callback to
 * `http.Server.listen()`, which never receives errors, so EADDRINUSE neither rejects nor is
 * handled — the promise hangs and the 'error' event crashes the process.
 *
 * Shutdown: ocpp-rpc's `server.close()` does not wait for its clients (it awaits an array of
 * promises, not `Promise.all`), and an HTTP server only closes once every socket is gone — a
 * peer that never answers the closing handshake would hold `stop()` for ws's 30 s close
 * timeout. So sockets are tracked and cut when the deadline passes.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { listenOn } from '../httpServer.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import { createOcppServer, subprotocolOf, type Handshake, type OcppServer, type OcppServerOptions, type ServerClient } from './ocppRpcServer.js';

export interface ConnectionRequest {
  readonly chargePointId: string;
  /** The HTTP Basic password (utf-8), when the charge point sent one for its own identity. */
  readonly password: string | undefined;
  /** The URL path before the identity, e.g. `/ocpp`. */
  readonly endpoint: string;
  readonly remoteAddress: string | undefined;
  /**
   * The client certificate the charge point presented over wss:// (security profile 3), when the
   * listener asks for one (`tls.clientCa`): whether it chains to that CA, and its subject's CN.
   */
  readonly clientCertificate?: { readonly authorized: boolean; readonly commonName: string | undefined; readonly error?: string };
}

export interface ListenerHandlers {
  /** Accept (true) or refuse with HTTP 401 (false or a throw). Absent: accept. */
  readonly auth: ((request: ConnectionRequest) => boolean | Promise<boolean>) | undefined;
  readonly refused: (e: { chargePointId: string; status: number; reason: string; error?: unknown }) => void;
  readonly client: (client: ServerClient) => void;
  readonly error: (err: Error) => void;
}

export class CsmsListener {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: OcppServer,
    private readonly httpServer: Server,
    readonly url: string,
    readonly port: number,
  ) {
    httpServer.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * `options.tls`: serve wss:// (TLS 1.2 at least) with this certificate and key; with `clientCa`
   * a client certificate is asked for (not required: profile 2 chargers have none) and checked against it.
   */
  static async listen(host: string, port: number, options: OcppServerOptions & { tls?: { cert: string; key: string; clientCa?: string } }, handlers: ListenerHandlers): Promise<CsmsListener> {
    const server = createOcppServer(options);
    const subprotocols = (options.versions ?? ['1.6', '2.0.1']).map((v: OcppVersion) => subprotocolOf(v));
    server.auth((accept, reject, handshake) => authenticate(handshake, subprotocols, handlers, accept, reject));
    server.on('client', handlers.client);
    server.on('error', handlers.error);
    const notFound = (_request: unknown, response: { statusCode: number; end(): void }) => {
      response.statusCode = 404; // WebSocket upgrades only
      response.end();
    };
    const tls = options.tls;
    const httpServer: Server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', ...(tls.clientCa !== undefined && { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }) }, notFound)
      : createServer(notFound);
    httpServer.on('upgrade', server.handleUpgrade);
    const { port: boundPort } = await listenOn(httpServer, host, port);
    httpServer.on('error', handlers.error);
    return new CsmsListener(server, httpServer, `${options.tls ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`, boundPort);
  }

  /** Closes `clients` (code 1001), then the server; cuts whatever is still open after `timeoutMs`. */
  async close(clients: readonly ServerClient[], timeoutMs: number): Promise<void> {
    const httpClosed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    const clientsClosed = Promise.all(clients.map((c) => c.close({ code: 1001, reason: 'CSMS stopping' }).catch(() => undefined)));
    if (!(await within(timeoutMs, clientsClosed))) this.cutSockets();
    await this.server.close({ code: 1001, reason: 'CSMS stopping' });
    if (!(await within(timeoutMs, httpClosed))) this.cutSockets();
    await within(timeoutMs, httpClosed);
  }

  private cutSockets(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

async function authenticate(
  handshake: Handshake,
  subprotocols: readonly string[],
  handlers: ListenerHandlers,
  accept: (session: undefined, protocol: string) => void,
  reject: (status: number, reason: string) => void,
): Promise<void> {
  const chargePointId = handshake.identity;
  const refuse = (status: number, reason: string, error?: unknown): void => {
    handlers.refused({ chargePointId, status, reason, ...(error === undefined ? {} : { error }) });
    reject(status, reason);
  };
  // The charge point lists its versions in order of preference (OCPP-J 2.0.1 §3.1.2).
  const protocol = [...handshake.protocols].find((p) => subprotocols.includes(p));
  if (protocol === undefined) return refuse(400, `subprotocol ${subprotocols.join(' or ')} required`);
  const request: ConnectionRequest = {
    chargePointId,
    password: handshake.password?.toString('utf8'),
    endpoint: handshake.endpoint,
    remoteAddress: handshake.remoteAddress,
    ...clientCertificateOf(handshake),
  };
  try {
    if (handlers.auth && !(await handlers.auth(request))) return refuse(401, 'Unauthorized');
  } catch (err) {
    return refuse(401, 'Unauthorized', err);
  }
  accept(undefined, protocol);
}

/** What a TLS socket that asked for a client certificate got (nothing on ws:// or when none was presented). */
function clientCertificateOf(handshake: Handshake): Pick<ConnectionRequest, 'clientCertificate'> {
  const socket = handshake.request?.socket;
  if (!(socket instanceof TLSSocket)) return {};
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return {};
  const cn = peer.subject?.CN;
  const authorizationError = socket.authorizationError as unknown;
  return {
    clientCertificate: {
      authorized: socket.authorized,
      commonName: Array.isArray(cn) ? cn[0] : cn,
      ...(authorizationError !== null && authorizationError !== undefined && { error: String(authorizationError) }),
    },
  };
}

/** Whether `promise` settled within `ms`. */
async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
