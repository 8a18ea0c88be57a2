/**
 * ocpp-rpc, and every place this project reaches past its public API. Import `ocppRpc` from here,
 * never from 'ocpp-rpc' directly (lint enforces it): this module must run first (see 1.).
 *
 * Each reach-in below says what it touches and why that is worth it. They hold for the ocpp-rpc
 * version in {@link OCPP_RPC_VERIFIED_VERSION}, which package.json pins exactly; ocppRpc.test.ts
 * checks every one of them against the installed copy, so an upgrade that moves one fails there,
 * naming it, instead of in a charger. After an upgrade: check each reach-in against the new
 * source, then change the version here.
 */
import type { EventEmitter } from 'node:events';
import { createRequire, Module } from 'node:module';
import type * as OcppRpcTypes from 'ocpp-rpc';
import type { Validator, createValidator as CreateValidator } from 'ocpp-rpc/lib/validator.js';

/** The ocpp-rpc version whose internals the reach-ins below were written against. */
export const OCPP_RPC_VERIFIED_VERSION = '2.2.1';

const require = createRequire(import.meta.url);

// ── 1. The validator list, swapped in Node's module cache ──────────────────────────────────
// ocpp-rpc's client module builds strict-mode validators for OCPP 1.6, 2.0.1 and 2.1 when it is
// first required (1.6 MB of JSON schemas, about 8 MB of resident memory measured here). Most
// processes speak 1.6 only, and on a board or in a 10,000-charger fleet those megabytes matter. So
// before ocpp-rpc is loaded, its `lib/standard-validators.js` is put into the module cache
// holding the 1.6 validator alone, built with ocpp-rpc's own `lib/validator.js` from its own
// `lib/schemas/ocpp1_6.json`. The OCPP 2.0.1 validator is built the same way on first use
// ({@link ocpp201Validator}) and given to the clients and servers that speak 2.0.1 through
// ocpp-rpc's public `strictModeValidators` option.

/** ocpp-rpc's list of strict-mode validators, as its client and server modules require it. */
export const STANDARD_VALIDATORS_MODULE = 'ocpp-rpc/lib/standard-validators.js';
const STANDARD_VALIDATORS = require.resolve(STANDARD_VALIDATORS_MODULE);

const { createValidator } = require('ocpp-rpc/lib/validator.js') as { createValidator: typeof CreateValidator };

function primeValidators(): readonly Validator[] {
  const cached = require.cache[STANDARD_VALIDATORS];
  if (cached) return cached.exports as readonly Validator[];
  const validators = [createValidator('ocpp1.6', require('ocpp-rpc/lib/schemas/ocpp1_6.json') as object[])];
  const entry = new Module(STANDARD_VALIDATORS);
  entry.filename = STANDARD_VALIDATORS;
  entry.loaded = true;
  entry.exports = validators;
  require.cache[STANDARD_VALIDATORS] = entry;
  return validators;
}

/** The strict-mode validators every ocpp-rpc client and server of this process shares. */
export const standardValidators = primeValidators();

let ocpp201: Validator | undefined;

/**
 * The strict-mode validator of OCPP 2.0.1 (subprotocol `ocpp2.0.1`), built from ocpp-rpc's own
 * `lib/schemas/ocpp2_0_1.json` on first use and shared by the whole process: only a process that
 * speaks 2.0.1 pays for its schemas. Pass it as `strictModeValidators: [ocpp201Validator()]`.
 */
export function ocpp201Validator(): Validator {
  return (ocpp201 ??= createValidator('ocpp2.0.1', require('ocpp-rpc/lib/schemas/ocpp2_0_1.json') as object[]));
}

export const ocppRpc = require('ocpp-rpc') as typeof OcppRpcTypes;
export type { IHandlersOption } from 'ocpp-rpc';

type RpcClient = InstanceType<typeof ocppRpc.RPCClient>;
/** How ocpp-rpc looks a handler up when a call arrives (`_handlers.get(method)` in `_onCall`). */
export type HandlerTable = { get(method: string): ((call: OcppRpcTypes.IHandlersOption) => unknown) | undefined };
/** What ocpp-rpc keeps per call awaiting its answer (`_pendingCalls`, by message id). */
export type PendingCall = { abort?: (reason: string) => void };

/** The client fields reached below; ocppRpc.test.ts checks each one on a real client. */
interface ClientInternals {
  _handlers: HandlerTable;
  _ws?: EventEmitter | null;
  _pendingCalls: Map<string, PendingCall>;
  _options: { pingIntervalMs: number; strictModeValidators?: readonly Validator[] };
  _wsAbortController?: AbortController;
  _strictValidators: ReadonlyMap<string, Validator>;
}
const internals = (client: RpcClient): ClientInternals => client as unknown as ClientInternals;

// ── 2. `_handlers`: one lookup object instead of a Map per client ──────────────────────────
// handle(action, handler) for each of ~25 actions costs a Map per client (≈ 1 KB, 10 MB in a
// 10,000-charger fleet). ocpp-rpc reads its handler table only with get(method) when a call
// arrives (besides handle()/removeHandler()/removeAllHandlers(), which the agent does not call),
// so one small object that answers get() serves.

/** Replaces the client's handler table (and any handlers given with handle() before). */
export function replaceHandlerTable(client: RpcClient, table: HandlerTable): void {
  internals(client)._handlers = table;
}

// ── 3. `_ws`: the socket, to drop what the finished handshake left on it ───────────────────
// connect() leaves `once` listeners for 'unexpected-response' and 'error' on the socket, which
// hold the HTTP upgrade response for as long as the connection lasts (≈ 1 KB per connection).

/** The client's WebSocket (undefined before the first connect). */
export function clientSocket(client: RpcClient): EventEmitter | null | undefined {
  return internals(client)._ws;
}

// ── 4. `_pendingCalls`: aborting the awaited calls without a signal per call ────────────────
// The public way (a `signal` call option) costs per call an AbortController, its EventTarget and
// the `once` listener ocpp-rpc attaches to it, all living as long as the call: in a fleet's
// session-start burst they survive into the old generation (≈ 10 KB per charger; docs/fleet.md).
// Each entry has an abort(reason) that rejects the call with an AbortError and removes it.

/** The calls awaiting their answer, by message id. */
export function pendingCalls(client: RpcClient): ReadonlyMap<string, PendingCall> {
  return internals(client)._pendingCalls;
}

// ── 5. `_options.pingIntervalMs`: the interval in effect ────────────────────────────────────
// reconfigure() changes the WebSocket ping interval of the open connection, but ocpp-rpc has no
// getter for it; the link reports the interval that is actually running.

/** The WebSocket ping interval in effect, ms (0 = off). */
export function pingIntervalMs(client: RpcClient): number {
  return internals(client)._options.pingIntervalMs;
}

// ── 6. A validator's ajv: compiling schemas ahead of the first message ──────────────────────
// ocpp-rpc compiles a schema on the first message of its action (getSchema on the validator's
// ajv; measured here 0.3 ms for Heartbeat.req up to 25 ms for MeterValues.req). The link compiles
// those of the actions it speaks once per process, at start, so that no first message waits for
// it (a fleet's ramp, a call timed on a virtual clock). ocpp-rpc has no public way to do that.

/** The ajv a validator compiles and caches its schemas in (`getSchema(id)` compiles on first use). */
export function validatorAjv(validator: Validator): Validator['_ajv'] {
  return validator._ajv;
}

// ── 7. `_wsAbortController`: the handshake's AbortController, kept while connected ─────────
// connect() makes an AbortController to abort the handshake, and keeps it for as long as the
// connection lasts: with its AbortSignal (an EventTarget with two Maps and a hidden class of its
// own) ≈ 0.7 KB per connection. While the client is open it is read nowhere: close() aborts it only
// while still connecting, and the reconnect loop (off here) waits on it; the next connect makes a
// new one.

/** Drops the AbortController of a finished handshake (call once the client is open). */
export function dropHandshakeAbortController(client: RpcClient): void {
  internals(client)._wsAbortController = undefined;
}

// ── 8. `_strictValidators`: one Map of validators by subprotocol for every client ───────────
// reconfigure() (the constructor calls it) builds a Map per client from the standard validators
// (1.6 alone, see 1.) and the client's own: ≈ 0.2 KB per client, the same content for all of this
// process's clients, which pass none of their own or only the process's 2.0.1 validator. It is read
// with get(protocol) and has(protocol).

/** The validators by subprotocol, shared by every client that has no validators of its own. */
const SHARED_STRICT_VALIDATORS: ReadonlyMap<string, Validator> = new Map(standardValidators.map((v) => [v.subprotocol, v]));
/** The same with the 2.0.1 validator, for the clients that bring only it (made with the first). */
let sharedWith201: ReadonlyMap<string, Validator> | undefined;

/**
 * Gives the client the shared validator Map when its own validators (its strictModeValidators
 * option) are none or just the process's 2.0.1 validator. OcppRpcClient calls it after every
 * reconfigure() (the constructor's too), which builds a Map of its own each time: a 2.0.1 charger
 * with connection profiles reconfigures at every connect.
 */
export function shareStrictValidators(client: RpcClient): void {
  const extra = internals(client)._options.strictModeValidators ?? [];
  if (extra.length === 0) internals(client)._strictValidators = SHARED_STRICT_VALIDATORS;
  else if (extra.length === 1 && extra[0] === ocpp201 && ocpp201) internals(client)._strictValidators = (sharedWith201 ??= new Map([...SHARED_STRICT_VALIDATORS, [ocpp201.subprotocol, ocpp201]]));
}
