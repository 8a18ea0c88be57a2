import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { OcppRpcClient } from './OcppRpcClient.js';
import {
  OCPP_RPC_VERIFIED_VERSION, STANDARD_VALIDATORS_MODULE, clientSocket, dropHandshakeAbortController, ocpp201Validator, ocppRpc, shareStrictValidators, pendingCalls, pingIntervalMs, replaceHandlerTable, standardValidators, validatorAjv,
} from './ocppRpc.js';

const require = createRequire(import.meta.url);
const installedVersion = (JSON.parse(readFileSync(require.resolve('ocpp-rpc/package.json'), 'utf8')) as { version: string }).version;
const clientSource = readFileSync(require.resolve('ocpp-rpc/lib/client.js'), 'utf8');
const UPGRADED = `ocpp-rpc ${installedVersion} is installed; the reach-ins of agent/ocpp/ocppRpc.ts were checked against ${OCPP_RPC_VERIFIED_VERSION}`;

/** A client that never connects: enough to see the fields ocpp-rpc sets up in its constructor. */
type ClientOptions = ConstructorParameters<typeof ocppRpc.RPCClient>[0];
const newClient = () => new ocppRpc.RPCClient({ endpoint: 'ws://127.0.0.1:1', identity: 'CP', protocols: ['ocpp1.6'], strictMode: true, reconnect: false, pingIntervalMs: 12_345 } as Partial<ClientOptions> as ClientOptions);

describe('ocppRpc (the single ocpp-rpc entry point)', () => {
  it('leaves ocpp-rpc with the OCPP 1.6 validator only', () => {
    expect(standardValidators.map((v) => v.subprotocol)).toEqual(['ocpp1.6']);
    // The cache entry is what ocpp-rpc's client module itself picks up.
    expect(require(STANDARD_VALIDATORS_MODULE)).toBe(standardValidators);
    expect(typeof ocppRpc.RPCClient).toBe('function');
  });

  it('still validates 1.6 messages strictly', () => {
    const v = standardValidators[0]!;
    expect(() => v.validate('urn:Heartbeat.req', {})).not.toThrow();
    expect(() => v.validate('urn:StartTransaction.req', { connectorId: 'one' })).toThrow();
  });

  it('builds the OCPP 2.0.1 validator on demand, once, outside the standard list', () => {
    const v = ocpp201Validator();
    expect(v.subprotocol).toBe('ocpp2.0.1');
    expect(ocpp201Validator()).toBe(v);
    expect(standardValidators).not.toContain(v);
    expect(() => v.validate('urn:StatusNotification.req', { timestamp: '2026-01-01T00:00:00Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 1 })).not.toThrow();
    expect(() => v.validate('urn:StatusNotification.req', { timestamp: '2026-01-01T00:00:00Z', connectorStatus: 'Charging', evseId: 1, connectorId: 1 })).toThrow();
  });
});

// Each reach-in of ocppRpc.ts, checked against the installed ocpp-rpc: an upgrade that moves one
// fails here, naming it.
describe(`ocpp-rpc internals the agent relies on (verified with ${OCPP_RPC_VERIFIED_VERSION})`, () => {
  it('is the version the reach-ins were checked against', () => {
    expect(installedVersion, `${UPGRADED}: check each one against the new source, then update OCPP_RPC_VERIFIED_VERSION`).toBe(OCPP_RPC_VERIFIED_VERSION);
  });

  it('1. its client and server take their validators from lib/standard-validators.js, built by lib/validator.js from lib/schemas/ocpp1_6.json', () => {
    for (const file of ['client.js', 'server.js']) {
      const source = readFileSync(require.resolve(`ocpp-rpc/lib/${file}`), 'utf8');
      expect(source, `${UPGRADED}: lib/${file} no longer requires ./standard-validators (the 1.6-only swap would not take)`).toMatch(/require\('\.\/standard-validators'\)/);
    }
    expect(typeof (require('ocpp-rpc/lib/validator.js') as { createValidator?: unknown }).createValidator, `${UPGRADED}: lib/validator.js has no createValidator`).toBe('function');
    expect(Array.isArray(require('ocpp-rpc/lib/schemas/ocpp1_6.json')), `${UPGRADED}: lib/schemas/ocpp1_6.json moved`).toBe(true);
    expect(Array.isArray(require('ocpp-rpc/lib/schemas/ocpp2_0_1.json')), `${UPGRADED}: lib/schemas/ocpp2_0_1.json moved`).toBe(true);
  });

  it('2. `_handlers`: a client looks a handler up only with get(method) when a call arrives', () => {
    const client = newClient();
    expect((client as unknown as { _handlers: unknown })._handlers, `${UPGRADED}: RPCClient has no _handlers Map`).toBeInstanceOf(Map);
    // Besides handle()/removeHandler()/removeAllHandlers(), which the agent does not call.
    const uses = (clientSource.match(/this\._handlers\.\w+/g) ?? []).sort();
    expect(uses, `${UPGRADED}: _handlers is used otherwise than get/set/delete/clear`).toEqual(['this._handlers.clear', 'this._handlers.delete', 'this._handlers.get', 'this._handlers.set']);
    expect(clientSource, `${UPGRADED}: _onCall no longer looks handlers up with _handlers.get(method)`).toMatch(/let handler = this\._handlers\.get\(method\);/);
    const table = { get: (method: string) => (method === 'Reset' ? () => ({ status: 'Accepted' }) : undefined) };
    replaceHandlerTable(client, table);
    expect((client as unknown as { _handlers: unknown })._handlers).toBe(table);
  });

  it('3. `_ws`: the client keeps its WebSocket there, and connect() leaves once-listeners on it', () => {
    const client = newClient();
    expect('_ws' in client, `${UPGRADED}: RPCClient has no _ws`).toBe(true);
    expect(clientSocket(client)).toBeUndefined(); // before the first connect
    expect(clientSource, `${UPGRADED}: connect() no longer creates the socket as this._ws`).toMatch(/this\._ws = new WebSocket\(/);
    for (const event of ['unexpected-response', 'error']) {
      expect(clientSource, `${UPGRADED}: connect() no longer adds a once('${event}') listener to the socket`).toContain(`this._ws.once('${event}'`);
    }
  });

  it('4. `_pendingCalls`: each awaited call, by message id, with an abort(reason) that rejects and removes it', () => {
    expect(pendingCalls(newClient()), `${UPGRADED}: RPCClient has no _pendingCalls Map`).toBeInstanceOf(Map);
    expect(clientSource, `${UPGRADED}: a pending call has no abort(reason)`).toMatch(/pendingCall\.abort = \(reason\) => \{/);
    expect(clientSource, `${UPGRADED}: calls are no longer kept in _pendingCalls by msgId`).toMatch(/this\._pendingCalls\.set\(msgId, pendingCall\);/);
    expect(clientSource, `${UPGRADED}: a settled call is no longer removed from _pendingCalls`).toMatch(/this\._pendingCalls\.delete\(msgId\);/);
  });

  it('5. `_options.pingIntervalMs`: the interval in effect, changed by reconfigure()', () => {
    const client = newClient();
    expect(pingIntervalMs(client), `${UPGRADED}: _options.pingIntervalMs does not hold the constructor option`).toBe(12_345);
    client.reconfigure({ pingIntervalMs: 0 } as Partial<ClientOptions> as ClientOptions);
    expect(pingIntervalMs(client), `${UPGRADED}: reconfigure() does not update _options.pingIntervalMs`).toBe(0);
  });

  it("6. a validator's `_ajv`: getSchema(id) compiles the schema once and caches it", () => {
    const ajv = validatorAjv(standardValidators[0]!);
    expect(typeof ajv?.getSchema, `${UPGRADED}: a Validator has no _ajv with getSchema()`).toBe('function');
    const compiled = ajv.getSchema('urn:CancelReservation.conf');
    expect(compiled, `${UPGRADED}: schema ids are no longer urn:<Action>.req/.conf`).toBeTypeOf('function');
    expect(ajv.getSchema('urn:CancelReservation.conf'), `${UPGRADED}: ajv no longer caches compiled schemas`).toBe(compiled);
  });

  it('7. `_wsAbortController`: made per connect, read only while connecting (close) and by the reconnect loop', () => {
    const uses = (clientSource.match(/this\._wsAbortController\b[.\w]*/g) ?? []).sort();
    expect(uses, `${UPGRADED}: _wsAbortController is used elsewhere`).toEqual([
      'this._wsAbortController', 'this._wsAbortController', 'this._wsAbortController', 'this._wsAbortController.abort', 'this._wsAbortController.signal', 'this._wsAbortController.signal',
    ]);
    expect(clientSource, `${UPGRADED}: connect() no longer makes a new AbortController`).toMatch(/this\._wsAbortController = new AbortController\(\);/);
    expect(clientSource, `${UPGRADED}: close() no longer returns at once when closed`).toMatch(/if \(\[CLOSED, CLOSING\]\.includes\(this\._state\)\) \{/);
    expect(clientSource, `${UPGRADED}: close() aborts the handshake otherwise than while not open`).toMatch(/if \(this\._state === OPEN\) \{[\s\S]*\} else if \(this\._wsAbortController\) \{/);
    const client = newClient();
    (client as unknown as { _wsAbortController?: AbortController })._wsAbortController = new AbortController();
    dropHandshakeAbortController(client);
    expect((client as unknown as { _wsAbortController?: AbortController })._wsAbortController).toBeUndefined();
  });

  it('8. `_strictValidators`: a Map by subprotocol built by reconfigure(), read with get() and has() only', () => {
    const uses = [...new Set(clientSource.match(/this\._strictValidators\b[.\w]*/g) ?? [])].sort();
    expect(uses, `${UPGRADED}: _strictValidators is used otherwise`).toEqual(['this._strictValidators', 'this._strictValidators.get', 'this._strictValidators.has']);
    const client = newClient();
    const own = (client as unknown as { _strictValidators: Map<string, unknown> })._strictValidators;
    expect(own, `${UPGRADED}: RPCClient has no _strictValidators Map`).toBeInstanceOf(Map);
    shareStrictValidators(client);
    const shared = (client as unknown as { _strictValidators: Map<string, unknown> })._strictValidators;
    expect([...shared]).toEqual([...own]);
    const other = newClient();
    shareStrictValidators(other);
    expect((other as unknown as { _strictValidators: unknown })._strictValidators).toBe(shared);
  });

  it('8. OcppRpcClient keeps the shared Map across reconfigure(), also with the 2.0.1 validator: what ocpp-rpc would build, not a Map per client', () => {
    const options = { endpoint: 'ws://127.0.0.1:1', identity: 'CP', protocols: ['ocpp2.0.1'], strictMode: true, strictModeValidators: [ocpp201Validator()], reconnect: false } as Partial<ClientOptions> as ClientOptions;
    const validators = (client: unknown) => (client as { _strictValidators: Map<string, unknown> })._strictValidators;
    const own = validators(new ocppRpc.RPCClient(options));
    const a = new OcppRpcClient(options);
    const b = new OcppRpcClient(options);
    expect(validators(a)).toBe(validators(b));
    expect([...validators(a)]).toEqual([...own]);
    expect(validators(a).get('ocpp2.0.1')).toBe(ocpp201Validator());
    // A connect's connection settings, a ping interval change.
    a.reconfigure({ endpoint: 'ws://127.0.0.1:2' } as Partial<ClientOptions> as ClientOptions);
    a.setPingInterval(30_000);
    expect(validators(a)).toBe(validators(b));
    // A 1.6 client shares the Map of the standard validators alone.
    const v16 = new OcppRpcClient({ ...options, protocols: ['ocpp1.6'], strictModeValidators: [] } as ClientOptions);
    expect([...validators(v16)].map(([p]) => p)).toEqual(['ocpp1.6']);
  });
});
