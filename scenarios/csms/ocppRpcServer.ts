/**
 * The part of ocpp-rpc 2.2.1's server side the embedded CSMS uses, typed correctly.
 *
 * Why a file of its own: ocpp-rpc's bundled `.d.ts` disagrees with its runtime in ways that
 * matter here — `NOREPLY` is typed as `{ NOREPLY: symbol }` but is a bare symbol, and it is not
 * an ESM named export at all (index.js spreads it into `module.exports`, which Node's CJS
 * named-export detection does not see); `createRPCError` is typed as returning a plain record
 * instead of an Error; the server-side client class cannot be named as a type. Every cast to
 * ocpp-rpc's runtime shape lives here, once, instead of `any` leaking into the CSMS.
 */
import { ocpp201Validator, ocppRpc } from '../../agent/ocpp/ocppRpc.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

const { RPCServer, createRPCError } = ocppRpc;
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Returned by a reply to send no response at all (the caller's call then times out). */
export const NO_REPLY: unique symbol = (ocppRpc as unknown as { NOREPLY: symbol }).NOREPLY as never;

/** An OCPP-J CallError to throw from (or return as) a reply; its code goes on the wire. */
export interface RpcError extends Error {
  readonly rpcErrorCode: string;
  readonly details?: unknown;
}

/** OCPP-J 1.6 CallError codes (ocpp-rpc also accepts the 2.0.1 spellings). */
export type CallErrorCode =
  | 'NotImplemented'
  | 'NotSupported'
  | 'InternalError'
  | 'ProtocolError'
  | 'SecurityError'
  | 'FormationViolation'
  | 'PropertyConstraintViolation'
  | 'OccurenceConstraintViolation'
  | 'TypeConstraintViolation'
  | 'GenericError';

/** Builds a CallError reply, e.g. `callError('NotSupported', 'no vendor extensions here')`. */
export function callError(code: CallErrorCode, description = '', details: Record<string, unknown> = {}): RpcError {
  return createRPCError(code, description, details) as unknown as RpcError;
}

export function isRpcError(value: unknown): value is RpcError {
  return value instanceof Error && typeof (value as Partial<RpcError>).rpcErrorCode === 'string';
}

export interface Handshake {
  readonly identity: string;
  readonly endpoint: string;
  readonly password: Buffer | undefined;
  readonly protocols: Set<string>;
  readonly remoteAddress: string | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The upgrade request (its socket is a TLSSocket on wss://). */
  readonly request?: { readonly socket: unknown };
}

export interface HandlerArgs {
  readonly method: string;
  readonly params: unknown;
  readonly messageId: string;
  readonly signal: AbortSignal;
}

export interface StrictValidationFailure {
  readonly messageId: string;
  readonly method: string;
  readonly params: unknown;
  readonly result: unknown;
  readonly error: Error;
  /** True when the invalid message was produced on this (the CSMS's) side. */
  readonly outbound: boolean;
  readonly isCall: boolean;
}

/** ocpp-rpc's RPCServerClient: one connected charge point, as the CSMS sees it. */
export interface ServerClient {
  readonly identity: string;
  readonly handshake: Handshake;
  readonly protocol: string | undefined;
  handle(method: string, handler: (args: HandlerArgs) => unknown): void;
  call(method: string, params: unknown, options?: { callTimeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
  sendRaw(message: string): void;
  close(options?: { code?: number; reason?: string; awaitPending?: boolean; force?: boolean }): Promise<unknown>;
  on(event: 'message', listener: (e: { message: string | Buffer; outbound: boolean }) => void): this;
  on(event: 'strictValidationFailure', listener: (e: StrictValidationFailure) => void): this;
  on(event: 'badMessage', listener: (e: { buffer: Buffer | string; error: Error; response: unknown[] | null }) => void): this;
  on(event: 'close', listener: (e: { code: number; reason: string }) => void): this;
  on(event: 'socketError', listener: (err: Error) => void): this;
}

export type AuthCallback = (
  accept: (session?: Record<string, unknown>, protocol?: string | false) => void,
  reject: (code: number, message: string) => void,
  handshake: Handshake,
) => void | Promise<void>;

/** ocpp-rpc's RPCServer, restricted to what the CSMS uses. */
export interface OcppServer {
  auth(callback: AuthCallback): void;
  /** Bound to the server: pass it to an HTTP server's 'upgrade' event. */
  readonly handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  close(options: { code?: number; reason?: string; force?: boolean }): Promise<void>;
  on(event: 'client', listener: (client: ServerClient) => void): this;
  on(event: 'upgradeAborted', listener: (e: { error: Error; identity: string }) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

export interface OcppServerOptions {
  readonly callTimeoutMs: number;
  readonly pingIntervalMs: number;
  /** The OCPP versions spoken (default both); each connection speaks the one its handshake chose. */
  readonly versions?: readonly OcppVersion[];
}

/** The WebSocket subprotocol of an OCPP version. */
export function subprotocolOf(version: OcppVersion): string {
  return version === '2.0.1' ? 'ocpp2.0.1' : 'ocpp1.6';
}

/** The OCPP version a connection's subprotocol stands for (1.6 unless `ocpp2.0.1`). */
export function versionOf(subprotocol: string | undefined): OcppVersion {
  return subprotocol === 'ocpp2.0.1' ? '2.0.1' : '1.6';
}

/**
 * An RPCServer that speaks OCPP 1.6J and/or 2.0.1 and validates every message in both directions
 * against the schemas of the subprotocol the connection chose. The 2.0.1 schemas are loaded only
 * when 2.0.1 is spoken.
 */
export function createOcppServer(options: OcppServerOptions): OcppServer {
  const versions = options.versions ?? ['1.6', '2.0.1'];
  return new RPCServer({
    protocols: versions.map(subprotocolOf),
    strictMode: true,
    strictModeValidators: versions.includes('2.0.1') ? [ocpp201Validator()] : [],
    callTimeoutMs: options.callTimeoutMs,
    pingIntervalMs: options.pingIntervalMs,
    // OCPP-J §4.1.1: one outstanding CALL per direction; later calls queue until it is answered.
    callConcurrency: 1,
  }) as unknown as OcppServer;
}
