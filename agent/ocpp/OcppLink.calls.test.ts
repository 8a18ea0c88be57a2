/**
 * OcppLink calls in both directions against a real strict ocpp-rpc server on 127.0.0.1: CSMS calls
 * and their CallErrors (checked on raw frames), our calls and their typed failures, the traffic log.
 */
import { ocppRpc } from './ocppRpc.js';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_NAMES_16 } from '../ocpp16/configurationKeys.js';
import { cleanupLinks, eventually, linkFixture, quiet } from './testing/linkFixture.js';

afterEach(cleanupLinks);

const STATUS = { connectorId: 1, errorCode: 'NoError', status: 'Available' } as const;

async function accepted(options: Parameters<typeof linkFixture>[0] = {}) {
  const f = await linkFixture(options);
  f.link.start();
  await f.until('accepted');
  await f.idle();
  /** Sends a raw frame from the CSMS and waits for the charge point's answer to `messageId`. */
  const raw = async (frame: string, messageId: string) => {
    const before = f.csms().answersTo(messageId).length;
    f.csms().client.sendRaw(frame);
    await eventually(() => expect(f.csms().answersTo(messageId).length).toBe(before + 1));
    return f.csms().answersTo(messageId).at(-1)!;
  };
  return { ...f, raw };
}

describe('CSMS calls through the strict link', () => {
  it('answers GetConfiguration (all keys, schema-valid) and ChangeConfiguration', async () => {
    const f = await accepted();
    const all = (await f.csms().client.call('GetConfiguration', {})) as { configurationKey: { key: string }[]; unknownKey?: string[] };
    expect(all.configurationKey.map((k) => k.key)).toEqual(KEY_NAMES_16);
    expect(all.unknownKey).toBeUndefined();
    expect(await f.csms().client.call('GetConfiguration', { key: ['NumberOfConnectors', 'Nope'] })).toEqual({
      configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '2' }],
      unknownKey: ['Nope'],
    });
    expect(await f.csms().client.call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '15' })).toEqual({ status: 'Accepted' });
    expect(f.config.getInt('MeterValueSampleInterval')).toBe(15);
    expect(await f.csms().client.call('ChangeConfiguration', { key: 'NumberOfConnectors', value: '3' })).toEqual({ status: 'Rejected' });
    expect(await f.csms().client.call('ChangeConfiguration', { key: 'Colour', value: 'red' })).toEqual({ status: 'NotSupported' });
  });

  it('sends a triggered message only after the TriggerMessage answer', async () => {
    const f = await accepted();
    f.control.overrides.trigger = () => {
      setImmediate(() => void f.link.call('StatusNotification', STATUS).catch(() => undefined));
      return 'Accepted';
    };
    await f.raw('[2,"tm-1","TriggerMessage",{"requestedMessage":"StatusNotification","connectorId":1}]', 'tm-1');
    await eventually(() => expect(f.csms().count('StatusNotification')).toBe(1));
    const answerAt = f.csms().frames.findIndex((fr) => Array.isArray(fr) && fr[1] === 'tm-1');
    const statusAt = f.csms().frames.findIndex((fr) => Array.isArray(fr) && fr[2] === 'StatusNotification');
    expect(answerAt).toBeGreaterThanOrEqual(0);
    expect(statusAt).toBeGreaterThan(answerAt);
  });

  it('answers NotImplemented for unknown actions and for 1.6 actions it does not handle', async () => {
    const f = await accepted();
    expect(await f.raw('[2,"u-1","FooBar",{}]', 'u-1')).toEqual([4, 'u-1', 'NotImplemented', expect.any(String), {}]);
    // SignCertificate goes from the charge point to the CSMS: a charge point never handles it.
    await expect(f.csms().client.call('SignCertificate', { csr: 'x' })).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });
  });

  it.each([
    ['not JSON', 'not json', '-1', 'FormationViolation'],
    ['not an array', '{"a":1}', '-1', 'FormationViolation'],
    // ocpp-rpc checks the type before it reads the id, so it cannot answer with the frame's id.
    ['an unknown message type', '[9,"t-1"]', '-1', 'FormationViolation'],
    ['a message id that is not a string', '[2,5,"Reset",{"type":"Soft"}]', '-1', 'FormationViolation'],
    ['a wrong field type', '[2,"m-1","GetConfiguration",{"key":"HeartbeatInterval"}]', 'm-1', 'TypeConstraintViolation'],
    ['a missing field (1.6 spelling)', '[2,"m-2","ChangeAvailability",{"connectorId":1}]', 'm-2', 'OccurenceConstraintViolation'],
    ['an unknown field', '[2,"m-3","Reset",{"type":"Soft","when":"now"}]', 'm-3', 'PropertyConstraintViolation'],
    ['a value outside its enum', '[2,"m-4","Reset",{"type":"Sideways"}]', 'm-4', 'FormationViolation'],
  ])('answers a frame with %s by a 1.6 CallError and keeps running', async (_what, frame, id, code) => {
    const f = await accepted();
    const answer = await f.raw(frame, id);
    expect(answer).toEqual([4, id, code, expect.any(String), expect.any(Object)]);
    expect(f.control.calls).toEqual([]);
    expect(f.link.state).toBe('accepted');
    expect(await f.csms().client.call('Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
  });

  it('ignores a result for a call it never made', async () => {
    const f = await accepted();
    f.csms().client.sendRaw('[3,"nobody",{}]');
    f.csms().client.sendRaw('[4,"nobody","GenericError","",{}]');
    await quiet();
    expect(f.csms().answersTo('nobody')).toEqual([]);
    expect(await f.csms().client.call('ClearCache', {})).toEqual({ status: 'Accepted' });
  });

  it('answers InternalError when a handler throws, rejects or returns an invalid answer, and keeps running', async () => {
    const f = await accepted();
    f.control.overrides.reset = () => {
      throw new Error('relay board on fire');
    };
    f.control.overrides.clearCache = () => Promise.reject(new Error('cache on fire'));
    f.control.overrides.remoteStop = () => 'Perhaps' as never;
    const cp = f.csms().client;
    await expect(cp.call('Reset', { type: 'Hard' })).rejects.toMatchObject({ rpcErrorCode: 'InternalError', message: 'Internal error' });
    await expect(cp.call('ClearCache', {})).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    await expect(cp.call('RemoteStopTransaction', { transactionId: 3 })).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    expect(f.errors.map((e) => e.message)).toEqual(['relay board on fire', 'cache on fire', 'our RemoteStopTransaction answer violates the schema']);
    delete f.control.overrides.reset;
    expect(await cp.call('Reset', { type: 'Hard' })).toEqual({ status: 'Accepted' });
  });
});

describe('our calls', () => {
  it('sends one request at a time, in order', async () => {
    let release: (value: unknown) => void = () => undefined;
    const f = await accepted({ csms: { answers: { StatusNotification: (_p, n) => (n === 1 ? new Promise((r) => (release = r)) : {}) } } });
    const calls = [1, 2, 0].map((connectorId) => f.link.call('StatusNotification', { ...STATUS, connectorId }));
    await eventually(() => expect(f.csms().count('StatusNotification')).toBe(1));
    await quiet();
    expect(f.csms().count('StatusNotification')).toBe(1);
    expect(f.link.pendingCalls).toBe(3);
    release({});
    await Promise.all(calls);
    expect(f.csms().calls.filter((c) => c.action === 'StatusNotification').map((c) => c.params.connectorId)).toEqual([1, 2, 0]);
    expect(f.link.pendingCalls).toBe(0);
  });

  it('times out on the injected clock and goes on with the next call', async () => {
    const f = await accepted({ csms: { answers: { Heartbeat: (_p, n) => (n === 1 ? new Promise(() => undefined) : { currentTime: '2026-01-01T00:00:00Z' }) } } });
    let settled = false;
    const first = f.link.call('Heartbeat', {}).finally(() => (settled = true));
    first.catch(() => undefined);
    await eventually(() => expect(f.csms().count('Heartbeat')).toBe(1));
    f.clock.advance(29_999);
    await quiet();
    expect(settled).toBe(false);
    f.clock.advance(1);
    await expect(first).rejects.toMatchObject({ code: 'TIMEOUT', action: 'Heartbeat' });
    await expect(f.link.call('Heartbeat', {})).resolves.toEqual({ currentTime: '2026-01-01T00:00:00Z' });
  });

  it('reports a CallError from the CSMS with its code', async () => {
    const f = await accepted({
      csms: {
        answers: {
          DataTransfer: () => {
            throw ocppRpc.createRPCError('NotSupported', 'no such vendor');
          },
        },
      },
    });
    await expect(f.link.call('DataTransfer', { vendorId: 'acme' })).rejects.toMatchObject({ code: 'CALL_ERROR', ocppErrorCode: 'NotSupported' });
  });

  it('refuses to send a request that violates the schema', async () => {
    const f = await accepted();
    await expect(f.link.call('StatusNotification', { connectorId: 1 } as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(f.csms().count('StatusNotification')).toBe(0);
  });

  it('rejects an answer that violates the schema', async () => {
    const f = await accepted({ csms: { strict: false, answers: { Heartbeat: () => ({ bogus: true }) } } });
    await expect(f.link.call('Heartbeat', {})).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });
});

describe('traffic log', () => {
  it('records every frame with direction, action, payload and clock time', async () => {
    const f = await accepted();
    expect(f.traffic.slice(0, 2)).toEqual([
      { direction: 'out', type: 'call', messageId: expect.any(String), action: 'BootNotification', payload: expect.objectContaining({ chargePointModel: 'test' }), at: f.clock.now() },
      { direction: 'in', type: 'result', messageId: f.traffic[0]!.messageId, action: 'BootNotification', payload: expect.objectContaining({ status: 'Accepted' }), at: f.clock.now() },
    ]);
    await f.raw('[2,"g-1","GetConfiguration",{"key":["HeartbeatInterval"]}]', 'g-1');
    await f.raw('[2,"u-1","FooBar",{}]', 'u-1');
    await f.raw('oops', '-1');
    expect(f.traffic.slice(2).map(({ direction, type, messageId, action }) => [direction, type, messageId, action])).toEqual([
      ['in', 'call', 'g-1', 'GetConfiguration'],
      ['out', 'result', 'g-1', 'GetConfiguration'],
      ['in', 'call', 'u-1', 'FooBar'],
      ['out', 'error', 'u-1', 'FooBar'],
      ['in', 'invalid', '', undefined],
      ['out', 'error', '-1', undefined],
    ]);
    expect(f.traffic.at(-1)!.payload).toMatchObject({ errorCode: 'FormationViolation' });
    expect(f.traffic.at(-2)!.payload).toBe('oops');
  });
});
