import { ocppRpc } from './ocppRpc.js';
import { describe, expect, it } from 'vitest';
import { OcppCallError, OcppLinkError, classifyHandlerError, isLinkDown, toCallError, toLinkError, toOcpp16ErrorCode } from './errors.js';
import { toOcpp16Frame } from './OcppRpcClient.js';

describe('OCPP 1.6 error codes', () => {
  it('keeps valid 1.6 codes and maps what ocpp-rpc produces to 1.6 spellings', () => {
    expect(toOcpp16ErrorCode('NotImplemented')).toBe('NotImplemented');
    expect(toOcpp16ErrorCode('OccurenceConstraintViolation')).toBe('OccurenceConstraintViolation');
    expect(toOcpp16ErrorCode('OccurrenceConstraintViolation')).toBe('OccurenceConstraintViolation');
    expect(toOcpp16ErrorCode('FormatViolation')).toBe('FormationViolation');
    expect(toOcpp16ErrorCode('RpcFrameworkError')).toBe('FormationViolation');
    expect(toOcpp16ErrorCode('MessageTypeNotSupported')).toBe('FormationViolation');
    expect(toOcpp16ErrorCode('Whatever')).toBe('GenericError');
  });

  it('rewrites only CALLERROR frames with a non-1.6 code', () => {
    expect(toOcpp16Frame('[4,"-1","RpcFrameworkError","Message must be a JSON structure",{}]')).toBe('[4,"-1","FormationViolation","Message must be a JSON structure",{}]');
    const ok = '[4,"a","NotImplemented","x",{}]';
    expect(toOcpp16Frame(ok)).toBe(ok);
    const result = '[3,"a",{"errorCode":"RpcFrameworkError"}]';
    expect(toOcpp16Frame(result)).toBe(result);
    expect(toOcpp16Frame('[4,broken')).toBe('[4,broken');
  });
});

describe('classifyHandlerError', () => {
  it('uses the code of an OcppCallError', () => {
    expect(classifyHandlerError(new OcppCallError('PropertyConstraintViolation', 'bad id'))).toEqual({ code: 'PropertyConstraintViolation', message: 'bad id', internal: false });
  });

  it('maps ocpp-rpc errors to 1.6 codes', () => {
    expect(classifyHandlerError(ocppRpc.createRPCError('FormatViolation', 'x')).code).toBe('FormationViolation');
    expect(classifyHandlerError(ocppRpc.createRPCError('NotSupported', 'x'))).toMatchObject({ code: 'NotSupported', internal: false });
  });

  it('turns anything else into an InternalError without leaking its message', () => {
    expect(classifyHandlerError(new Error('relay board on fire'))).toEqual({ code: 'InternalError', message: 'Internal error', internal: true });
    expect(classifyHandlerError('a string')).toMatchObject({ code: 'InternalError', internal: true });
  });

  it('produces an ocpp-rpc error carrying the code', () => {
    const err = toCallError({ code: 'NotImplemented', message: 'no', internal: false }) as unknown as { rpcErrorCode: string; message: string };
    expect(err.rpcErrorCode).toBe('NotImplemented');
    expect(err.message).toBe('no');
  });
});

describe('toLinkError', () => {
  const ctx = { timedOut: false, stopped: false };
  it.each([
    [new Error('AbortError: aborted'), { ...ctx, timedOut: true }, 'TIMEOUT'],
    [ocppRpc.createRPCError('TypeConstraintViolation', 'x'), { ...ctx, invalid: 'request' as const }, 'INVALID_REQUEST'],
    [ocppRpc.createRPCError('TypeConstraintViolation', 'x'), { ...ctx, invalid: 'response' as const }, 'INVALID_RESPONSE'],
    [new Error('Client going away'), { ...ctx, stopped: true }, 'STOPPED'],
    [ocppRpc.createRPCError('NotSupported', 'x'), ctx, 'CALL_ERROR'],
    [Object.assign(new Error('Client disconnected'), { name: 'AbortError' }), ctx, 'DISCONNECTED'],
    [new Error('Cannot make call while socket not open'), ctx, 'NOT_CONNECTED'],
    [new Error('???'), ctx, 'FAILED'],
  ])('%s → %s', (err, context, code) => {
    const linkError = toLinkError(err, 'Heartbeat', context);
    expect(linkError.code).toBe(code);
    expect(linkError.action).toBe('Heartbeat');
    expect(linkError.cause).toBe(err);
  });

  it('carries the CSMS error code of a CallError', () => {
    expect(toLinkError(ocppRpc.createRPCError('NotSupported', 'x'), 'DataTransfer', ctx).ocppErrorCode).toBe('NotSupported');
  });
});

describe('isLinkDown', () => {
  it('tells a CSMS that cannot be reached from one that answered (or did not in time)', () => {
    for (const code of ['NOT_CONNECTED', 'NOT_ACCEPTED', 'STOPPED', 'DISCONNECTED', 'CONNECT_FAILED'] as const) expect(isLinkDown(new OcppLinkError(code, code)), code).toBe(true);
    for (const code of ['TIMEOUT', 'CALL_ERROR', 'INVALID_REQUEST', 'INVALID_RESPONSE', 'FAILED'] as const) expect(isLinkDown(new OcppLinkError(code, code)), code).toBe(false);
    expect(isLinkDown(new Error('NOT_CONNECTED'))).toBe(false);
  });
});
