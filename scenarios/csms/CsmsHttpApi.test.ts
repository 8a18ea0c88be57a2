/** The HTTP API over real HTTP and WebSockets on 127.0.0.1, with stub charge points (ocpp-rpc clients). */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CsmsHttpApi, STATUS_OF } from './CsmsHttpApi.js';
import { CSMS_ACTIONS, CSMS_ACTIONS_201, CsmsOperator } from './CsmsOperator.js';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { callError } from './ocppRpcServer.js';
import { BOOT, closeAll, connectStub } from './stubChargePoint.js';

let csms: EmbeddedCsms;
let api: CsmsHttpApi;
let url: string;
let base: string;

beforeEach(async () => {
  csms = new EmbeddedCsms();
  ({ url } = await csms.start());
  api = new CsmsHttpApi({ operator: new CsmsOperator(csms, { callTimeoutMs: 2000 }) });
  ({ url: base } = await api.start());
});

afterEach(async () => {
  await closeAll();
  await api.stop();
  await csms.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

describe('POST /chargers/{id}/calls/{Action}', () => {
  it('answers 200 with the charge point answer', async () => {
    const cp = await connectStub(url, 'CP001');
    cp.handle('GetConfiguration', ({ params }) => ({ configurationKey: [{ key: (params as { key: string[] }).key[0], readonly: false, value: '300' }] }));
    expect(await post('/chargers/CP001/calls/GetConfiguration', { key: ['HeartbeatInterval'] })).toEqual({
      status: 200,
      body: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] },
    });
    cp.handle('ClearCache', () => ({ status: 'Accepted' }));
    expect(await post('/chargers/CP001/calls/ClearCache', '')).toEqual({ status: 200, body: { status: 'Accepted' } });
  });

  it('refuses with 404 an unknown charge point and 409 one that is not connected', async () => {
    expect(await post('/chargers/NOPE/calls/Reset', { type: 'Soft' })).toEqual({ status: 404, body: { kind: 'unknownChargePoint', error: 'no charge point NOPE has connected to this CSMS (none is connected)' } });
    const cp = await connectStub(url, 'CP001');
    const gone = new Promise((resolve) => csms.once('disconnect', resolve));
    await cp.close();
    await gone;
    expect(await post('/chargers/CP001/calls/Reset', { type: 'Soft' })).toMatchObject({ status: 409, body: { kind: 'notConnected' } });
  });

  it('refuses with 400 a payload that fails the schema, naming the field, and sends nothing', async () => {
    await connectStub(url, 'CP001');
    expect(await post('/chargers/CP001/calls/RemoteStartTransaction', { connectorId: 1 })).toEqual({
      status: 400,
      body: { kind: 'invalidPayload', field: 'idTag', error: 'RemoteStartTransaction not sent: idTag: required, missing' },
    });
    expect(await post('/chargers/CP001/calls/Reset', '{"type":')).toMatchObject({ status: 400, body: { kind: 'invalidJson' } });
    expect(await post('/chargers/CP001/calls/StartTransaction', {})).toMatchObject({ status: 400, body: { kind: 'unknownAction', error: 'StartTransaction is sent by charge points, not by the CSMS' } });
    expect(csms.traffic((r) => r.direction === 'out')).toEqual([]);
  });

  it('answers 502 with the CallError, 502 for an invalid answer and 504 on timeout', async () => {
    const lax = await connectStub(url, 'CP001', { strictMode: false });
    lax.handle('UnlockConnector', () => {
      throw callError('InternalError', 'motor stuck');
    });
    lax.handle('Reset', () => ({ status: 'Perhaps' }));
    lax.handle('ClearCache', () => new Promise(() => undefined));
    expect(await post('/chargers/CP001/calls/UnlockConnector', { connectorId: 1 })).toEqual({
      status: 502,
      body: { kind: 'callError', error: 'CP001 answered UnlockConnector with CallError InternalError: motor stuck', callError: { code: 'InternalError', description: 'motor stuck', details: {} } },
    });
    expect(await post('/chargers/CP001/calls/Reset', { type: 'Soft' })).toMatchObject({ status: 502, body: { kind: 'invalidAnswer', field: 'status', answer: { status: 'Perhaps' } } });
    expect(await post('/chargers/CP001/calls/ClearCache?timeoutMs=100', {})).toEqual({ status: 504, body: { kind: 'timeout', error: 'CP001 did not answer ClearCache within 100 ms' } });
    expect(await post('/chargers/CP001/calls/ClearCache?timeoutMs=soon', {})).toMatchObject({ status: 400, body: { kind: 'invalidRequest' } });
  });

  it('takes only JSON, so a web page cannot post a simple cross-site request', async () => {
    await connectStub(url, 'CP001');
    expect(await post('/chargers/CP001/calls/ClearCache', '{}', { 'content-type': 'text/plain' })).toMatchObject({ status: 415, body: { kind: 'unsupportedMediaType' } });
    expect(csms.traffic((r) => r.direction === 'out')).toEqual([]);
  });
});

describe('the other routes', () => {
  it('lists charge points with their status, one charge point, and the actions', async () => {
    const cp = await connectStub(url, 'CP001');
    await cp.call('BootNotification', BOOT);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const list = await get('/chargers');
    expect(list).toMatchObject({ status: 200, body: [{ id: 'CP001', connected: true, registration: 'Accepted', connectors: [{ connectorId: 1, status: 'Preparing' }] }] });
    expect(await get('/chargers/CP001')).toEqual({ status: 200, body: (list.body as unknown[])[0] });
    expect(await get('/chargers/CP404')).toMatchObject({ status: 404, body: { kind: 'unknownChargePoint' } });
    expect(await get('/actions')).toEqual({ status: 200, body: { actions: [...CSMS_ACTIONS], byVersion: { '1.6': [...CSMS_ACTIONS], '2.0.1': [...CSMS_ACTIONS_201] } } });
  });

  it('answers 404 for other paths and 405 with Allow for other methods', async () => {
    expect(await get('/nothing')).toMatchObject({ status: 404, body: { kind: 'notFound' } });
    const res = await fetch(`${base}/chargers`, { method: 'DELETE', signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('refuses a Host header that is not an address or localhost (DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${base}/chargers`, { headers: { host }, timeout: 5000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('attacker.example:8080')).toBe(403);
    expect(await status(`localhost:${new URL(base).port}`)).toBe(200);
    expect(await status(new URL(base).host)).toBe(200);
  });
});

describe('docs/csms-api.openapi.yaml', () => {
  it('documents every route the API serves, every action and every error kind', async () => {
    const spec = parse(await readFile(new URL('../../docs/csms-api.openapi.yaml', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: { CsmsAction: { enum: string[] }; CsmsAction201: { enum: string[] }; Error: { properties: { kind: { enum: string[] } } } } };
    };
    expect(spec.components.schemas.CsmsAction.enum).toEqual([...CSMS_ACTIONS]);
    expect(spec.components.schemas.CsmsAction201.enum).toEqual([...CSMS_ACTIONS_201]);
    expect(spec.components.schemas.Error.properties.kind.enum).toEqual(expect.arrayContaining(Object.keys(STATUS_OF)));
    await connectStub(url, 'CP001');
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of Object.keys(item).filter((m) => ['get', 'post', 'put', 'delete'].includes(m))) {
        const res = await fetch(`${base}${path.replace('{id}', 'CP001').replace('{action}', 'ClearCache')}?timeoutMs=50`, {
          method: method.toUpperCase(),
          headers: { 'content-type': 'application/json' },
          ...(method === 'get' ? {} : { body: '{}' }),
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json()) as { kind?: string };
        expect([res.status, body.kind], `${method} ${path}`).not.toEqual([404, 'notFound']);
        expect(res.status, `${method} ${path}`).not.toBe(405);
      }
    }
  });
});
