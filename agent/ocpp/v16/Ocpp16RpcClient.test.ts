import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Validator } from 'ocpp-rpc/lib/validator.js';
import { describe, expect, it } from 'vitest';
import { HANDLED_ACTIONS } from './handlers/index.js';
import { OCPP16_SUBPROTOCOL, warmOcpp16Validators } from './Ocpp16RpcClient.js';

// The same module instance ocpp-rpc's clients validate with.
const validators = createRequire(import.meta.url)('ocpp-rpc/lib/standard-validators.js') as Validator[];
const ocpp16 = validators.find((v) => v.subprotocol === OCPP16_SUBPROTOCOL)!;
const SENT = ['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction', 'StatusNotification', 'StopTransaction'];

const isCompiled = (id: string) => Boolean((ocpp16._ajv as unknown as { schemas: Record<string, { validate?: unknown }> }).schemas[id]?.validate);

describe('strict-mode validators', () => {
  // First in this file: nothing has compiled schemas in this process yet.
  it('are warmed once per process: the first warm-up compiles, later ones do nothing', () => {
    expect(isCompiled('urn:Heartbeat.req')).toBe(false);
    warmOcpp16Validators(['Heartbeat']);
    expect(isCompiled('urn:Heartbeat.req')).toBe(true);
    expect(isCompiled('urn:Heartbeat.conf')).toBe(true);
    warmOcpp16Validators(['Reset']);
    expect(isCompiled('urn:Reset.req')).toBe(false);
  });

  it('exist for every action the link sends or answers, request and response', () => {
    for (const action of [...HANDLED_ACTIONS, ...SENT]) {
      for (const suffix of ['req', 'conf']) expect(ocpp16._ajv.getSchema(`urn:${action}.${suffix}`), `${action}.${suffix}`).toBeTypeOf('function');
    }
  });
});

describe('Ocpp16RpcClient.handleActions', () => {
  it('relies on ocpp-rpc reading its handler table with get(method) only when a call arrives', () => {
    // Pinned ocpp-rpc 2.2.1: besides handle()/removeHandler()/removeAllHandlers(), which the agent
    // does not call, the only use of `_handlers` is the lookup in _onCall. A new version that uses
    // the table otherwise fails here instead of in the field.
    const source = readFileSync(createRequire(import.meta.url).resolve('ocpp-rpc/lib/client.js'), 'utf8');
    const uses = source.match(/this\._handlers\.\w+/g) ?? [];
    expect(uses.sort()).toEqual(['this._handlers.clear', 'this._handlers.delete', 'this._handlers.get', 'this._handlers.set']);
    expect(source).toMatch(/let handler = this\._handlers\.get\(method\);/);
  });
});

describe('Ocpp16RpcClient.abortPendingCalls', () => {
  it('relies on ocpp-rpc keeping each awaited call in _pendingCalls with an abort() that rejects and removes it', () => {
    // Pinned ocpp-rpc 2.2.1; the behaviour (a call times out on the link's clock and the next one
    // goes out) is tested in OcppLink.calls.test.ts.
    const source = readFileSync(createRequire(import.meta.url).resolve('ocpp-rpc/lib/client.js'), 'utf8');
    expect(source).toMatch(/pendingCall\.abort = \(reason\) => \{/);
    expect(source).toMatch(/this\._pendingCalls\.set\(msgId, pendingCall\);/);
    expect(source).toMatch(/this\._pendingCalls\.delete\(msgId\);/);
  });
});
