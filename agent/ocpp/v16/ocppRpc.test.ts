import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { ocppRpc, standardValidators } from './ocppRpc.js';

describe('ocppRpc (the single ocpp-rpc entry point)', () => {
  it('leaves ocpp-rpc with the OCPP 1.6 validator only', () => {
    expect(standardValidators.map((v) => v.subprotocol)).toEqual(['ocpp1.6']);
    // The cache entry is what ocpp-rpc's client module itself picks up.
    const req = createRequire(import.meta.url);
    expect(req('ocpp-rpc/lib/standard-validators.js')).toBe(standardValidators);
    expect(typeof ocppRpc.RPCClient).toBe('function');
  });

  it('still validates 1.6 messages strictly', () => {
    const v = standardValidators[0]!;
    expect(() => v.validate('urn:Heartbeat.req', {})).not.toThrow();
    expect(() => v.validate('urn:StartTransaction.req', { connectorId: 'one' })).toThrow();
  });
});
