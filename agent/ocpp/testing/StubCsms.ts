/**
 * A minimal CSMS for tests of the OCPP layer: a real, strict ocpp-rpc RPCServer on 127.0.0.1 that
 * records what charge points send and answers with scripted responses. It speaks OCPP 1.6J, or
 * 2.0.1 with `version: '2.0.1'` (strict against ocpp-rpc's 2.0.1 schemas both ways). (The full
 * embedded CSMS lives in scenarios/csms; agent/ does not depend on it.)
 */
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ocpp201Validator, ocppRpc, type IHandlersOption } from '../ocppRpc.js';
import type { BootNotificationResponse } from '../../ocpp16/messages.js';

/** The server side of one charge point's connection (an RPCServerClient). */
export type CsmsClient = InstanceType<typeof ocppRpc.RPCClient>;
type Answer = (params: Record<string, unknown>, n: number) => unknown;

export interface StubCsmsOptions {
  /** Fixed port (default: any free one). */
  port?: number;
  /** Strict validation of both directions (default true). */
  strict?: boolean;
  /** The OCPP version offered (default 1.6). */
  version?: '1.6' | '2.0.1';
  /** Answer to the n-th BootNotification (1-based); default Accepted with interval 300. */
  boot?: (n: number) => Partial<BootNotificationResponse>;
  /** Answers for other actions (default: a valid minimal answer, see DEFAULT_ANSWERS). */
  answers?: Record<string, Answer>;
  /** Serve wss:// with these TLS options (certificate, key, client-certificate CA, versions, ciphers). */
  tls?: HttpsOptions;
  /** Refuse (HTTP 401) a handshake without this HTTP Basic password. */
  password?: string;
  /** Refuse (HTTP 401) a handshake that presented a TLS client certificate. */
  refuseClientCertificates?: boolean;
}

const NOW = new Date(Date.UTC(2026, 0, 1)).toISOString();
const DEFAULT_ANSWERS: Record<string, Answer> = {
  Heartbeat: () => ({ currentTime: NOW }),
  Authorize: () => ({ idTagInfo: { status: 'Accepted' } }),
  StartTransaction: (_params, n) => ({ idTagInfo: { status: 'Accepted' }, transactionId: n }),
  DataTransfer: () => ({ status: 'Accepted' }),
};
/** OCPP 2.0.1 answers that differ from 1.6 (the rest, e.g. StatusNotification and NotifyReport, answer `{}`). */
const DEFAULT_ANSWERS_201: Record<string, Answer> = {
  ...DEFAULT_ANSWERS,
  Authorize: () => ({ idTokenInfo: { status: 'Accepted' } }),
};

export interface ReceivedCall {
  action: string;
  params: Record<string, unknown>;
  identity: string;
}

export class StubCsms {
  readonly calls: ReceivedCall[] = [];
  /** Every frame received from charge points, parsed (or the raw text if not JSON). */
  readonly frames: unknown[] = [];
  readonly clients: CsmsClient[] = [];
  readonly closedClients: CsmsClient[] = [];
  /** Identity, Basic-auth password (if any) and TLS client certificate subject (if any) of every WebSocket handshake. */
  readonly handshakes: { identity: string; password: string | undefined; clientCertificate?: string }[] = [];
  private readonly counts = new Map<string, number>();
  private closed = false;

  private constructor(
    private readonly server: InstanceType<typeof ocppRpc.RPCServer>,
    private readonly http: Server,
    readonly port: number,
    private readonly secure: boolean,
  ) {}

  get url(): string {
    return `${this.secure ? 'wss' : 'ws'}://127.0.0.1:${this.port}/ocpp`;
  }

  /** The most recently connected charge point. */
  get client(): CsmsClient {
    const c = this.clients.at(-1);
    if (!c) throw new Error('no charge point connected');
    return c;
  }

  count(action: string): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  static async start(opts: StubCsmsOptions = {}): Promise<StubCsms> {
    const v201 = opts.version === '2.0.1';
    const server = new ocppRpc.RPCServer({
      protocols: [v201 ? 'ocpp2.0.1' : 'ocpp1.6'],
      strictMode: opts.strict ?? true,
      strictModeValidators: v201 ? [ocpp201Validator()] : [],
      pingIntervalMs: 0,
    });
    const http = opts.tls ? await listenTls(server, opts.tls, opts.port ?? 0) : await server.listen(opts.port ?? 0, '127.0.0.1');
    const csms = new StubCsms(server, http, (http.address() as AddressInfo).port, opts.tls !== undefined);
    server.auth((accept, reject, handshake) => {
      const password = handshake.password?.toString('utf8');
      const peer = (handshake.request.socket as Partial<TLSSocket>).getPeerCertificate?.();
      const clientCertificate = peer?.subject ? `CN=${peer.subject.CN}` : undefined;
      csms.handshakes.push({ identity: handshake.identity, password, ...(clientCertificate && { clientCertificate }) });
      if (opts.password !== undefined && password !== opts.password) return reject(401, 'Unauthorized');
      if (opts.refuseClientCertificates && clientCertificate) return reject(401, 'Unauthorized');
      accept();
    });
    server.on('client', (client: CsmsClient) => csms.attach(client, opts));
    return csms;
  }

  private attach(client: CsmsClient, opts: StubCsmsOptions): void {
    this.clients.push(client);
    client.once('close', () => this.closedClients.push(client));
    client.on('message', ({ message, outbound }: { message: string; outbound: boolean }) => {
      if (outbound) return;
      try {
        this.frames.push(JSON.parse(message));
      } catch {
        this.frames.push(message);
      }
    });
    client.handle(async ({ method, params }: IHandlersOption) => {
      const action = String(method);
      const n = (this.counts.get(action) ?? 0) + 1;
      this.counts.set(action, n);
      this.calls.push({ action, params: (params ?? {}) as Record<string, unknown>, identity: client.identity ?? '' });
      if (action === 'BootNotification') {
        return { status: 'Accepted', interval: 300, currentTime: NOW, ...opts.boot?.(n) };
      }
      const answer = opts.answers?.[action] ?? (opts.version === '2.0.1' ? DEFAULT_ANSWERS_201 : DEFAULT_ANSWERS)[action];
      return (answer ? await answer((params ?? {}) as Record<string, unknown>, n) : {}) as Record<string, unknown>;
    });
  }

  /** CALLERROR/CALLRESULT frames the charge point sent for a message id. */
  answersTo(messageId: string): unknown[][] {
    return this.frames.filter((f): f is unknown[] => Array.isArray(f) && (f[0] === 3 || f[0] === 4) && f[1] === messageId);
  }

  /** Idempotent: a test may take the CSMS down before its clean-up does. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients) await c.close({ force: true }).catch(() => undefined);
    await this.server.close({ force: true });
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** ocpp-rpc's upgrade handler on an HTTPS server of ours on 127.0.0.1 (ocpp-rpc's listen() is HTTP only). */
async function listenTls(server: InstanceType<typeof ocppRpc.RPCServer>, tls: HttpsOptions, port: number): Promise<Server> {
  const https = createHttpsServer(tls, (_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  https.on('upgrade', server.handleUpgrade);
  https.on('tlsClientError', () => undefined); // refused handshakes are what some tests are about
  await new Promise<void>((resolve, reject) => {
    https.once('error', reject);
    https.listen(port, '127.0.0.1', () => resolve());
  });
  return https;
}
