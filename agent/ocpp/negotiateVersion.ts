/**
 * Which OCPP version to speak with a CSMS that may speak several: one WebSocket handshake offering
 * the versions' subprotocols in order of preference (`ocpp2.0.1, ocpp1.6`), with the same URL,
 * password and TLS settings the link uses, then a normal close (1000) before any OCPP message.
 * The CSMS picks one; the charger then runs the face of that version for the rest of the run (a
 * link offers one subprotocol, so strict validation and every message stay that version's).
 *
 * A CSMS that accepts the handshake without choosing any of them (no subprotocol) gets the first
 * preference, as it would with a single offer.
 */
import type { OcppVersion } from './ProtocolFace.js';
import type { LinkConnection } from './OcppLinkTypes.js';
import { tlsSocketOptions } from './linkClient.js';
import { ocppRpc } from './ocppRpc.js';

const SUBPROTOCOL: Readonly<Record<OcppVersion, string>> = { '1.6': 'ocpp1.6', '2.0.1': 'ocpp2.0.1' };

export interface NegotiateOptions {
  /** Where and how to connect (the link's next attempt, with `${url}/${identity}` appended). */
  readonly connection: LinkConnection;
  readonly identity: string;
  /** The versions offered, most preferred first (at least one). */
  readonly offered: readonly OcppVersion[];
  /** Give up after this long (ms). Default 10 000. */
  readonly timeoutMs?: number;
  readonly localAddress?: string;
}

/** The version the CSMS chose; rejects when the handshake fails (refused, unreachable, no offered version chosen). */
export async function negotiateOcppVersion(options: NegotiateOptions): Promise<OcppVersion> {
  const [first] = options.offered;
  if (first === undefined) throw new Error('negotiateOcppVersion: no version offered');
  const { tls } = options.connection;
  const client = new ocppRpc.RPCClient({
    endpoint: options.connection.url.replace(/\/+$/, ''),
    identity: options.identity,
    password: options.connection.password ?? null,
    protocols: options.offered.map((v) => SUBPROTOCOL[v]),
    strictMode: false, // no OCPP message is exchanged
    reconnect: false,
    callTimeoutMs: 1000,
    pingIntervalMs: 0,
    wsOpts: {
      handshakeTimeout: options.timeoutMs ?? 10_000,
      localAddress: options.localAddress,
      ...tlsSocketOptions(tls),
    },
  } as unknown as ConstructorParameters<typeof ocppRpc.RPCClient>[0]);
  try {
    await client.connect();
    const chosen = client.protocol;
    const version = (Object.keys(SUBPROTOCOL) as OcppVersion[]).find((v) => SUBPROTOCOL[v] === chosen);
    if (chosen === undefined || chosen === '') return first;
    if (!version || !options.offered.includes(version)) throw new Error(`the CSMS chose subprotocol ${chosen}, which was not offered`);
    return version;
  } finally {
    await client.close({ code: 1000, reason: 'OCPP version negotiated', force: false }).catch(() => undefined);
  }
}
