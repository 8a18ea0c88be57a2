/** The operator's calls over a real WebSocket to stub charge points (ocpp-rpc clients) on 127.0.0.1. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsmsOperator } from './CsmsOperator.js';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { OperatorError } from './errors.js';
import { callError } from './ocppRpcServer.js';
import { BOOT, closeAll, connectStub } from './stubChargePoint.js';

let csms: EmbeddedCsms;
let operator: CsmsOperator;
let url: string;

beforeEach(async () => {
  csms = new EmbeddedCsms();
  ({ url } = await csms.start());
  operator = new CsmsOperator(csms, { callTimeoutMs: 2000 });
});

afterEach(async () => {
  await closeAll();
  await csms.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<OperatorError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OperatorError)) throw new Error(`expected an OperatorError, got ${String(err)}`);
  return err;
}

const callsSent = () => csms.traffic((r) => r.direction === 'out' && r.kind === 'call');

describe('CsmsOperator.send', () => {
  it('sends a valid call and resolves with the answer', async () => {
    const cp = await connectStub(url, 'CP001');
    cp.handle('RemoteStartTransaction', ({ params }) => ({ status: (params as { idTag: string }).idTag === 'OK' ? 'Accepted' : 'Rejected' }));
    await expect(operator.send('CP001', 'RemoteStartTransaction', { idTag: 'OK', connectorId: 1 })).resolves.toEqual({ status: 'Accepted' });
    expect(callsSent()).toMatchObject([{ action: 'RemoteStartTransaction', payload: { idTag: 'OK', connectorId: 1 } }]);
  });

  it('never sends a payload that fails the schema, and names the field', async () => {
    const cp = await connectStub(url, 'CP001');
    cp.handle('ChangeConfiguration', () => ({ status: 'Accepted' }));
    const err = await failureOf(operator.send('CP001', 'ChangeConfiguration', { key: 'HeartbeatInterval', value: 60 }));
    expect(err).toMatchObject({ kind: 'invalidPayload', message: 'ChangeConfiguration not sent: value: must be a string (got 60)', details: { field: 'value' } });
    expect(callsSent()).toEqual([]);
    // Refused before ocpp-rpc saw it: not a violation of the CSMS's.
    expect(csms.violations()).toEqual([]);
  });

  it('refuses unknown charge points, actions a CSMS does not send, and disconnected charge points', async () => {
    expect(await failureOf(operator.send('NOPE', 'Reset', { type: 'Soft' }))).toMatchObject({ kind: 'unknownChargePoint', message: 'no charge point NOPE has connected to this CSMS (none is connected)' });
    const cp = await connectStub(url, 'CP001');
    expect(await failureOf(operator.send('CP001', 'Heartbeat', {}))).toMatchObject({ kind: 'unknownAction', message: 'Heartbeat is sent by charge points, not by the CSMS' });
    expect(await failureOf(operator.send('CP001', 'reset', { type: 'Soft' }))).toMatchObject({ kind: 'unknownAction', message: 'unknown action reset: did you mean Reset?' });
    expect(await failureOf(operator.send('CP001', 'Jump', {}))).toMatchObject({ kind: 'unknownAction', message: expect.stringContaining('the CSMS sends CancelReservation, ') });
    const closed = new Promise((resolve) => csms.once('disconnect', resolve));
    await cp.close();
    await closed;
    expect(await failureOf(operator.send('CP001', 'Reset', { type: 'Soft' }))).toMatchObject({ kind: 'notConnected', message: 'charge point CP001 is not connected' });
    expect(callsSent()).toEqual([]);
  });

  it('reports a CallError with its code, description and details', async () => {
    const cp = await connectStub(url, 'CP001');
    cp.handle('Reset', () => {
      throw callError('NotSupported', 'no resets on Sundays', { day: 'Sunday' });
    });
    const err = await failureOf(operator.send('CP001', 'Reset', { type: 'Hard' }));
    expect(err).toMatchObject({
      kind: 'callError',
      message: 'CP001 answered Reset with CallError NotSupported: no resets on Sundays',
      details: { callError: { code: 'NotSupported', description: 'no resets on Sundays', details: { day: 'Sunday' } } },
    });
  });

  it('reports an answer that fails the schema as invalidAnswer, not as a CallError', async () => {
    const lax = await connectStub(url, 'CP001', { strictMode: false });
    lax.handle('Reset', () => ({ status: 'Maybe' }));
    const err = await failureOf(operator.send('CP001', 'Reset', { type: 'Soft' }));
    expect(err).toMatchObject({ kind: 'invalidAnswer', details: { field: 'status', answer: { status: 'Maybe' } } });
    expect(err.message).toBe('CP001 answered Reset with an invalid result: status: must be one of Accepted, Rejected (got "Maybe")');
    expect(csms.violations()).toMatchObject([{ by: 'chargePoint', kind: 'invalidResult', action: 'Reset' }]);
  });

  it('times out when no answer comes, and reports a connection lost during the call', async () => {
    const cp = await connectStub(url, 'CP001');
    cp.handle('ClearCache', () => new Promise(() => undefined));
    expect(await failureOf(operator.send('CP001', 'ClearCache', {}, { timeoutMs: 150 }))).toMatchObject({ kind: 'timeout', message: 'CP001 did not answer ClearCache within 150 ms' });
    cp.handle('UnlockConnector', () => {
      setImmediate(() => void cp.close({ force: true }));
      return new Promise(() => undefined);
    });
    expect(await failureOf(operator.send('CP001', 'UnlockConnector', { connectorId: 1 }))).toMatchObject({ kind: 'connectionLost' });
  });
});

describe('CsmsOperator.chargers', () => {
  it('lists charge points with registration, connector status and open transaction', async () => {
    const cp = await connectStub(url, 'CP002');
    await connectStub(url, 'CP001');
    await cp.call('BootNotification', { ...BOOT, firmwareVersion: '1.2.3' });
    await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'ABC', meterStart: 100, timestamp: '2025-06-01T12:00:00Z' })) as { transactionId: number };
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: '2025-06-01T12:01:00Z', sampledValue: [{ value: '1.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' }, { value: '7000', measurand: 'Power.Active.Import', unit: 'W' }] }],
    });
    const [first, second] = operator.chargers();
    expect(first).toMatchObject({ id: 'CP001', connected: true, connectors: [] });
    expect(second).toMatchObject({
      id: 'CP002',
      connected: true,
      registration: 'Accepted',
      vendor: 'evse-agent',
      model: 'test',
      firmwareVersion: '1.2.3',
      connectors: [
        { connectorId: 0, status: 'Available', errorCode: 'NoError' },
        { connectorId: 1, status: 'Charging', transaction: { transactionId, idTag: 'ABC', meterStart: 100, startTimestamp: '2025-06-01T12:00:00Z', meterWh: 1500 } },
      ],
    });
    expect(operator.openTransactionIds('CP002')).toEqual([transactionId]);
    await cp.call('StopTransaction', { transactionId, meterStop: 1600, timestamp: '2025-06-01T12:02:00Z' });
    expect(operator.charger('CP002')?.connectors[1]?.transaction).toBeUndefined();
    expect(operator.openTransactionIds('CP002')).toEqual([]);
  });
});
