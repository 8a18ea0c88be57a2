import { describe, expect, it } from 'vitest';
import { HANDLED_ACTIONS } from './v16/handlers/index.js';
import { OCPP16_SUBPROTOCOL, warmValidators } from './OcppRpcClient.js';
import { standardValidators, validatorAjv } from './ocppRpc.js';

// The validators ocpp-rpc's clients validate with (ocppRpc.test.ts checks that they are the same).
const ajv = validatorAjv(standardValidators.find((v) => v.subprotocol === OCPP16_SUBPROTOCOL)!);
const SENT = ['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StartTransaction', 'StatusNotification', 'StopTransaction'];

const isCompiled = (id: string) => Boolean((ajv as unknown as { schemas: Record<string, { validate?: unknown }> }).schemas[id]?.validate);

describe('strict-mode validators', () => {
  // First in this file: nothing has compiled schemas in this process yet.
  it('are warmed once per process: the first warm-up compiles, later ones do nothing', () => {
    expect(isCompiled('urn:Heartbeat.req')).toBe(false);
    warmValidators(OCPP16_SUBPROTOCOL, ['Heartbeat']);
    expect(isCompiled('urn:Heartbeat.req')).toBe(true);
    expect(isCompiled('urn:Heartbeat.conf')).toBe(true);
    warmValidators(OCPP16_SUBPROTOCOL, ['Reset']);
    expect(isCompiled('urn:Reset.req')).toBe(false);
  });

  it('exist for every action the link sends or answers, request and response', () => {
    for (const action of [...HANDLED_ACTIONS, ...SENT]) {
      for (const suffix of ['req', 'conf']) expect(ajv.getSchema(`urn:${action}.${suffix}`), `${action}.${suffix}`).toBeTypeOf('function');
    }
  });
});
