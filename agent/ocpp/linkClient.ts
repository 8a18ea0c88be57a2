/**
 * How OcppLink configures its ocpp-rpc client and which of the client's events it needs, in one
 * place — so the link reads as OCPP logic and the ocpp-rpc specifics (event names and shapes,
 * option quirks) stay here.
 */
import { ocppRpc } from './ocppRpc.js';
import { OcppLinkError } from './errors.js';
import type { LinkConnection, OcppLinkOptions } from './OcppLinkTypes.js';
import { OcppRpcClient, extraValidators, type ClientEventSink, type RpcClientOptions } from './OcppRpcClient.js';

/** A strict client offering `subprotocol` alone (`ocpp1.6` or `ocpp2.0.1`). */
export function createRpcClient(opts: OcppLinkOptions, subprotocol: string): OcppRpcClient {
  const extra = extraValidators(subprotocol);
  const client = new OcppRpcClient({
    identity: opts.identity,
    endpoint: opts.url.replace(/\/+$/, ''),
    password: opts.password ?? null,
    protocols: [subprotocol],
    strictMode: true,
    strictModeValidators: extra,
    // Reconnecting is the link's job (see OcppLink); these three only keep ocpp-rpc out of it.
    reconnect: false,
    maxReconnects: 0,
    backoff: { initialDelay: 1000, maxDelay: 10_000, factor: 2, randomisationFactor: 0 }, // merged shallowly: all four keys
    callConcurrency: 1,
    callTimeoutMs: 0, // the link times calls out on its injected clock
    // The OCPP key alone decides (bin seeds it from csms.pingIntervalMs): what GetConfiguration reports is what runs.
    pingIntervalMs: opts.config.getInt('WebSocketPingInterval') * 1000,
    deferPingsOnActivity: false,
    respondWithDetailedErrors: false,
    maxBadMessages: Infinity, // a broken frame is answered, never a reason to drop the link
    // A literal (ocpp-rpc keeps it per client; spread-built objects cost V8 a hidden class each).
    wsOpts: { closeTimeout: opts.closeTimeoutMs ?? 5000, localAddress: opts.localAddress, perMessageDeflate: opts.perMessageDeflate !== false },
    headers: {},
  });
  return client;
}

/** The `ws` socket options of a connection's TLS settings (none for ws://): the server always verified. */
export function tlsSocketOptions(tls: LinkConnection['tls']): Record<string, unknown> | undefined {
  return (
    tls && {
      minVersion: tls.minVersion,
      rejectUnauthorized: true,
      ...(tls.ca && { ca: tls.ca }),
      ...(tls.cert !== undefined && { cert: tls.cert }),
      ...(tls.key !== undefined && { key: tls.key }),
      ...(tls.ciphers !== undefined && { ciphers: tls.ciphers }),
    }
  );
}

/**
 * Sets the endpoint, password and TLS options of the next connect() (ocpp-rpc reads them from its
 * options at every connect; reconfigure() merges). TLS options go to ws, which passes them to
 * https.request: `ca` replaces Node's built-in roots, `minVersion` refuses TLS 1.0/1.1.
 */
export function applyConnection(client: OcppRpcClient, connection: LinkConnection, opts: OcppLinkOptions): void {
  const { tls } = connection;
  client.reconfigure({
    endpoint: connection.url.replace(/\/+$/, ''),
    password: connection.password ?? null,
    wsOpts: {
      closeTimeout: opts.closeTimeoutMs ?? 5000,
      localAddress: opts.localAddress,
      perMessageDeflate: opts.perMessageDeflate !== false,
      ...tlsSocketOptions(tls),
    },
  } as Partial<RpcClientOptions> as RpcClientOptions);
}

interface ValidationFailure {
  error: unknown;
  outbound: boolean;
  isCall: boolean;
  method: string;
}

/**
 * Listens to the client's events on behalf of `sink`. The listeners are module-level functions
 * (EventEmitter calls them with the client as `this`, which carries its sink), so a link costs no
 * closures here: 10,000 links × 7 listeners are measurable (docs/fleet.md, Memory and scale).
 */
export function attachClientEvents(client: OcppRpcClient, sink: ClientEventSink): void {
  client.sink = sink;
  client.on('open', onOpen);
  client.on('disconnect', onDisconnect);
  client.on('strictValidationFailure', onStrictValidationFailure);
  client.on('badMessage', onBadMessage);
  client.on('call', onCall);
  client.on('response', onResponse);
  client.on('socketError', onSocketError);
}

function sinkOf(client: OcppRpcClient): ClientEventSink {
  if (!client.sink) throw new Error('ocpp-rpc client without an event sink');
  return client.sink;
}

function onOpen(this: OcppRpcClient): void {
  sinkOf(this).open();
}

function onDisconnect(this: OcppRpcClient, { code, reason }: { code: number; reason: unknown }): void {
  sinkOf(this).disconnect({ code, reason: String(reason ?? '') });
}

function onStrictValidationFailure(this: OcppRpcClient, { error, outbound, isCall, method }: ValidationFailure): void {
  const sink = sinkOf(this);
  // outbound call = our request; inbound result = their answer to it. An inbound call failing
  // validation is answered by ocpp-rpc itself; an outbound result is our handler's bug.
  if (outbound === isCall) sink.invalid(isCall ? 'request' : 'response', error);
  else if (outbound) {
    sink.log.error({ err: error, action: method }, 'invalid response produced for a CSMS call');
    sink.invalidAnswer(new OcppLinkError('INVALID_REQUEST', `our ${method} answer violates the schema`, { action: method, cause: error }));
  } else {
    sink.log.info({ err: error, action: method }, 'CSMS call violates the schema');
    sink.invalidFromCsms(`${method} call violates the ${this.protocol === 'ocpp2.0.1' ? 'OCPP 2.0.1' : 'OCPP 1.6'} schema: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function onBadMessage(this: OcppRpcClient, { buffer, error, response }: { buffer: unknown; error: unknown; response: unknown[] | null }): void {
  const sink = sinkOf(this);
  const text = String(buffer);
  sink.log.warn({ err: error, frame: text.slice(0, 500) }, 'invalid frame from the CSMS');
  sink.invalidFromCsms(`invalid frame: ${text.slice(0, 100)}`);
  // ocpp-rpc sends `response` (a CallError) only while the socket is open.
  sink.traffic()?.invalid(text, response && this.state === ocppRpc.RPCClient.OPEN ? response : null);
}

function onCall(this: OcppRpcClient, { outbound, payload }: { outbound: boolean; payload: unknown[] }): void {
  sinkOf(this).traffic()?.call(outbound, payload);
}

function onResponse(this: OcppRpcClient, { outbound, payload }: { outbound: boolean; payload: unknown[] }): void {
  sinkOf(this).traffic()?.response(outbound, payload);
}

function onSocketError(this: OcppRpcClient, err: unknown): void {
  sinkOf(this).log.debug({ err }, 'WebSocket error');
}
