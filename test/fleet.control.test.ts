/**
 * The fleet control API end to end: real chargers (Agents with simulated hardware) against the
 * embedded strict CSMS on 127.0.0.1, driven over real HTTP and followed over a real event stream —
 * once with the fleet in this thread, once as an `evse fleet --threads 2 --control-port 0` process.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { EVENT_TYPES, type ChargerView, type FleetControlTarget, type FleetEvent } from '../scenarios/fleet/controlTypes.js';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { FleetControl } from '../scenarios/fleet/FleetControl.js';
import { spawnEvse } from './support/spawnEvse.js';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes, checked with toMatchObject
type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

function client(base: string): Api {
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, { method, ...(body !== undefined && method !== 'GET' && { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    return { status: res.status, body: await res.json() };
  };
}

/**
 * Reads an event stream; resolves once its `ready` event arrived. `events` are the fleet events,
 * `others` the other named events (`fleet-stopped`, `closing`), `done` resolves when the server ends the stream.
 */
async function subscribe(url: string): Promise<{ events: FleetEvent[]; others: { type: string; data: unknown }[]; done: Promise<void>; close: () => void }> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  expect(res.status).toBe(200);
  const events: FleetEvent[] = [];
  const others: { type: string; data: unknown }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  const done = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type === 'ready') ready();
        else if (type && data && (EVENT_TYPES as readonly string[]).includes(type)) events.push(JSON.parse(data) as FleetEvent);
        else if (type && data) others.push({ type, data: JSON.parse(data) });
      }
    }
  })();
  await isReady;
  return { events, others, done, close: () => ac.abort() };
}

/** GET /events that must be refused: its status and JSON body. */
async function refusedStream(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

const accepted = async (api: Api, n: number) => {
  const { body } = await api('GET', '/chargers?limit=1000');
  return (body.chargers as ChargerView[]).filter((c) => c.accepted).length === n;
};

describe('fleet control API, fleet in this thread', () => {
  it('lists, adds, removes, plugs, taps, faults, drops connections, changes the ramp; refuses bad requests', { timeout: 45_000 }, async () => {
    const log = pino({ level: 'silent' });
    const csms = new EmbeddedCsms({ logger: log });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const fleet = new Fleet({ csmsUrl: url, count: 3, idPrefix: 'K', rampPerSecond: 100, log, behaviour: false, ocpp: { RetryBackOffWaitMinimum: 0, RetryBackOffRandomRange: 1, RetryBackOffRepeatTimes: 0 } });
    cleanups.push(() => fleet.stop(3000));
    const control = new FleetControl({ target: fleet });
    const { url: base } = await control.start();
    cleanups.push(() => control.stop());
    const api = client(base);
    void fleet.start();
    await until('3 chargers accepted', () => accepted(api, 3));

    const list = await api('GET', '/chargers');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(3);
    expect(list.body.chargers.map((c: ChargerView) => c.id)).toEqual(['K00001', 'K00002', 'K00003']);
    expect(list.body.chargers[0]).toMatchObject({ connection: 'accepted', accepted: true, connectors: [{ connectorId: 1, status: 'Available', plugged: false }] });
    expect((await api('GET', '/chargers?prefix=K0000&offset=1&limit=1')).body).toMatchObject({ total: 3, chargers: [{ id: 'K00002' }] });

    // Bad requests: 4xx with a message, nothing changes at the charger or the CSMS.
    const framesBefore = csms.traffic().length;
    expect(await api('GET', '/chargers/NOPE')).toMatchObject({ status: 404, body: { error: expect.stringMatching(/no charger NOPE/) } });
    expect(await api('POST', '/chargers', '{"count": 2')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/not valid JSON/) } });
    expect(await api('POST', '/chargers', { count: 0 })).toMatchObject({ status: 422, body: { field: 'count', error: expect.stringMatching(/^count: expected an integer 1\.\.10000, got 0/) } });
    expect(await api('POST', '/chargers', { count: 1, colour: 'red' })).toMatchObject({ status: 422, body: { field: 'colour' } });
    expect(await api('POST', '/chargers/K00001/faults', { device: 'toaster', kind: 'E' })).toMatchObject({ status: 422, body: { field: 'device' } });
    expect(await api('POST', '/chargers/K00001/connectors/2/plug')).toMatchObject({ status: 404, body: { error: expect.stringMatching(/no connector 2/) } });
    expect(await api('POST', '/chargers/K00001/rfid', { uid: 'not-hex' })).toMatchObject({ status: 422, body: { field: 'uid' } });
    expect(await api('PUT', '/ramp', { perSecond: -1 })).toMatchObject({ status: 422, body: { field: 'perSecond' } });
    expect(await api('POST', '/chargers/K00001/connectors/1/transaction', { action: 'stop' })).toMatchObject({ status: 409 });
    expect(await api('PATCH', '/chargers')).toMatchObject({ status: 405 });
    expect((await api('GET', '/chargers/K00001')).body).toMatchObject({ connection: 'accepted', connectors: [{ status: 'Available', plugged: false, faults: [] }] });
    expect((await api('GET', '/ramp')).body).toMatchObject({ perSecond: 100, planned: 3 });
    // An event filter for a charger the fleet does not have: refused, not a stream that stays silent.
    expect(await refusedStream(`${base}/events?charger=K00001,NOPE`)).toEqual({ status: 404, body: { field: 'charger', error: expect.stringMatching(/^charger: no charger NOPE in this fleet/) } });
    expect(await refusedStream(`${base}/events?charger=K00004`)).toMatchObject({ status: 404, body: { error: expect.stringMatching(/no charger K00004/) } });
    await new Promise((r) => setTimeout(r, 200));
    expect(csms.traffic().length).toBe(framesBefore);

    // Plug in and tap a card: the transaction starts at the CSMS; the stream shows it (and only K00002).
    // Listeners are attached only to the charger asked for, and only while someone listens.
    const agentOf = (id: string) => fleet.chargers.find((c) => c.id === id)!.agent;
    const listeners = (id: string) => agentOf(id).listenerCount('traffic') + agentOf(id).listenerCount('status');
    const baseline = { K00001: listeners('K00001'), K00002: listeners('K00002') };
    const stream = await subscribe(`${base}/events?charger=K00002&type=status,traffic,transaction`);
    cleanups.push(async () => stream.close());
    expect(listeners('K00001')).toBe(baseline.K00001);
    expect(listeners('K00002')).toBe(baseline.K00002 + 2);
    expect((await api('POST', '/chargers/K00002/connectors/1/plug')).status).toBe(200);
    expect(await api('POST', '/chargers/K00002/connectors/1/plug')).toMatchObject({ status: 409 });
    expect(await api('POST', '/chargers/K00002/rfid', { uid: 'aa:bb:cc:dd' })).toMatchObject({ status: 202, body: { uid: 'AABBCCDD' } });
    await until('the transaction at the CSMS', () => csms.transactions('K00002').some((t) => t.idTag === 'AABBCCDD' && !t.stop));
    await until('Charging on the stream', () => stream.events.some((e) => e.type === 'status' && e.data.status === 'Charging'));
    await until('the transaction event', () => stream.events.some((e) => e.type === 'transaction' && e.data.phase === 'started'));
    expect(stream.events.some((e) => e.type === 'traffic' && e.data.action === 'StartTransaction' && e.data.direction === 'out')).toBe(true);
    expect(stream.events.every((e) => e.charger === 'K00002' && e.type !== 'connection')).toBe(true);
    const view = (await api('GET', '/chargers/K00002')).body as ChargerView;
    expect(view.connectors[0]).toMatchObject({ status: 'Charging', hasTransaction: true, transactionId: csms.transactions('K00002')[0]!.transactionId });

    // Add 3: ids continue after the last; remove the charging one: its transaction ends at the CSMS.
    expect(await api('POST', '/chargers', { count: 3 })).toMatchObject({ status: 201, body: { added: ['K00004', 'K00005', 'K00006'], planned: 6 } });
    await until('6 chargers accepted', () => accepted(api, 6));
    expect(await api('DELETE', '/chargers/K00002')).toMatchObject({ status: 200, body: { id: 'K00002', removed: true, transactionsStopped: 1 } });
    expect(csms.transactions('K00002')[0]!.stop).toMatchObject({ reason: 'Other' });
    await until('the stopped event', () => stream.events.some((e) => e.type === 'transaction' && e.data.phase === 'stopped'));
    expect(await api('GET', '/chargers/K00002')).toMatchObject({ status: 404, body: { error: expect.stringMatching(/was removed/) } });
    expect(await refusedStream(`${base}/events?charger=K00002`)).toMatchObject({ status: 404, body: { error: expect.stringMatching(/charger K00002 was removed/) } });
    const watcher = await subscribe(`${base}/events?type=connection`);
    expect(listeners('K00001')).toBe(baseline.K00001);
    expect(agentOf('K00001').link.listenerCount('state')).toBeGreaterThan(0);
    const linkListeners = agentOf('K00001').link.listenerCount('state');
    watcher.close();
    await until('the connection listeners detached', () => agentOf('K00001').link.listenerCount('state') === linkListeners - 1, 5000);
    expect((await api('GET', '/chargers')).body.total).toBe(5);

    // Close a connection: dropped as by the network, no reconnect until opened, then a new boot.
    const boots = () => csms.traffic((r) => r.chargePointId === 'K00003' && r.action === 'BootNotification' && r.kind === 'call').length;
    const bootsBefore = boots();
    expect(await api('POST', '/chargers/K00003/connection', { action: 'close' })).toMatchObject({ status: 202, body: { connection: 'stopped' } });
    await until('K00003 offline at the CSMS', () => !csms.isConnected('K00003'), 5000);
    expect(csms.chargePoint('K00003')!.lastClose!.code).toBe(1006);
    await new Promise((r) => setTimeout(r, 1000)); // longer than the reconnect window
    expect(csms.isConnected('K00003')).toBe(false);
    expect((await api('GET', '/chargers/K00003')).body).toMatchObject({ connection: 'stopped', closedByControl: true });
    expect(await api('POST', '/chargers/K00003/connection', { action: 'close' })).toMatchObject({ status: 409 });
    expect(await api('POST', '/chargers/K00003/connection', { action: 'open' })).toMatchObject({ status: 202 });
    await until('K00003 booted again', () => boots() > bootsBefore && csms.chargePoint('K00003')?.registration === 'Accepted');

    // A pilot fault: Faulted at the CSMS; cleared: Available again.
    expect(await api('POST', '/chargers/K00001/faults', { device: 'pilot', kind: 'F' })).toMatchObject({ status: 201 });
    await until('Faulted at the CSMS', () => csms.chargePoint('K00001')?.connectors[1]?.status === 'Faulted');
    expect(await api('DELETE', '/chargers/K00001/faults?device=pilot')).toMatchObject({ status: 200 });
    await until('Available at the CSMS', () => csms.chargePoint('K00001')?.connectors[1]?.status === 'Available');

    // Start and stop a transaction on a connector directly.
    // The identifier's kind is checked; a 1.6 CSMS sees the idTag alone (its strict schema has no kind).
    expect(await api('POST', '/chargers/K00004/connectors/1/transaction', { action: 'start', idTag: 'TAG-1', idTokenType: 'Card' })).toMatchObject({ status: 422, body: { error: expect.stringContaining('idTokenType') } });
    expect(await api('POST', '/chargers/K00004/connectors/1/transaction', { action: 'start', idTag: 'TAG-1', idTokenType: 'KeyCode' })).toMatchObject({ status: 202, body: { authorization: 'Accepted' } });
    await until('TAG-1 transaction at the CSMS', () => csms.transactions('K00004').some((t) => t.idTag === 'TAG-1'));
    expect(await api('POST', '/chargers/K00004/connectors/1/transaction', { action: 'stop' })).toMatchObject({ status: 202 });
    await until('TAG-1 stopped', () => csms.transactions('K00004')[0]?.stop?.reason === 'Local');

    // Removing a charger whose connection is closed while it charges: it reconnects first, so its
    // StopTransaction (journaled in memory) still reaches the CSMS; nothing is left undelivered.
    expect(await api('POST', '/chargers/K00004/connectors/1/transaction', { action: 'start', idTag: 'TAG-2' })).toMatchObject({ status: 202 });
    await until('TAG-2 transaction at the CSMS', () => csms.transactions('K00004').some((t) => t.idTag === 'TAG-2'));
    expect(await api('POST', '/chargers/K00004/connection', { action: 'close' })).toMatchObject({ status: 202 });
    await until('K00004 offline at the CSMS', () => !csms.isConnected('K00004'), 5000);
    expect(await api('DELETE', '/chargers/K00004')).toMatchObject({ status: 200, body: { removed: true, transactionsStopped: 1, undelivered: 0 } });
    expect(csms.transactions('K00004').find((t) => t.idTag === 'TAG-2')!.stop).toMatchObject({ reason: 'Other' });

    // Ramp 0 pauses the ramp: an added charger waits until the ramp resumes.
    expect(await api('PUT', '/ramp', { perSecond: 0 })).toMatchObject({ status: 200, body: { perSecond: 0 } });
    expect(await api('POST', '/chargers', { count: 1 })).toMatchObject({ status: 201, body: { added: ['K00007'] } });
    await new Promise((r) => setTimeout(r, 300));
    expect(await api('GET', '/chargers/K00007')).toMatchObject({ status: 409, body: { error: expect.stringMatching(/not started yet/) } });
    // A charger still to start may be followed: its events flow once it starts.
    const upcoming = await subscribe(`${base}/events?charger=K00007&type=connection`);
    cleanups.push(async () => upcoming.close());
    expect(await api('PUT', '/ramp', { perSecond: 50 })).toMatchObject({ status: 200, body: { perSecond: 50, planned: 7 } });
    await until('K00007 accepted', async () => (await api('GET', '/chargers/K00007')).body.accepted === true);
    await until('K00007 accepted on its stream', () => upcoming.events.some((e) => e.charger === 'K00007' && e.data.state === 'accepted'));

    // The counts say what their names say: 7 chargers started and accepted, each once; 2 removed
    // (they still count as started and accepted); K00003's re-boot after its connection was opened
    // again, and K00004's before its removal, count among the BootNotification results only.
    const report = await api('GET', '/report');
    expect(report.body.chargers).toEqual({ planned: 7, started: 7, accepted: 7, removed: 2, connected: 5 });
    expect(report.body.bootResults).toEqual({ Accepted: 9 });
    expect(csms.violations()).toEqual([]);

    // Every documented route exists (an unknown charger is 404 for the charger, not for the path).
    const spec = parse(await readFile(new URL('../docs/fleet-api.openapi.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, item] of Object.entries(spec.paths)) {
      if (path === '/events') continue;
      for (const method of Object.keys(item).filter((m) => ['get', 'post', 'put', 'delete'].includes(m))) {
        const r = await api(method.toUpperCase(), path.replace('{id}', 'NOPE').replace('{connector}', '1'), {});
        expect(r.status, `${method} ${path}`).not.toBe(405);
        expect(r.body.error ?? '', `${method} ${path}`).not.toMatch(/no such resource/);
      }
    }

    // The fleet stops: a stream gets the stop's events, then `fleet-stopped` with the totals, then it ends.
    const last = await subscribe(`${base}/events?type=status`);
    expect(await api('POST', '/chargers/K00001/connectors/1/plug')).toMatchObject({ status: 200 });
    const final = await fleet.stop(3000);
    await control.stop(final);
    await last.done;
    expect(last.events.some((e) => e.charger === 'K00001' && e.data.status === 'Preparing')).toBe(true);
    expect(last.others).toEqual([
      {
        type: 'fleet-stopped',
        data: expect.objectContaining({
          chargers: { planned: 7, started: 7, accepted: 7, removed: 2, connected: 0 },
          bootResults: { Accepted: 9 },
          transactions: { started: final.transactions.started, stopped: final.transactions.stopped },
          callErrors: 0,
        }),
      },
    ]);
  });
});

describe('fleet control API, event-stream back-pressure', () => {
  // A stub target here: the point is a flood far beyond what a few real chargers produce in a test.
  it('drops a client that does not read instead of buffering without bound', async () => {
    const target: FleetControlTarget = {
      execute: () => Promise.resolve({ status: 200, body: {} }),
      report: () => ({}) as ReturnType<FleetControlTarget['report']>,
      watch: (_filter, listener) => {
        setImmediate(() => {
          const payload = 'x'.repeat(1000);
          for (let i = 0; i < 30_000; i++) listener({ type: 'traffic', charger: 'S1', at: new Date().toISOString(), data: { payload } });
        });
        return Promise.resolve(() => undefined);
      },
    };
    const control = new FleetControl({ target, maxClientBufferBytes: 256 * 1024 });
    const { url } = await control.start();
    cleanups.push(() => control.stop());
    const req = get(`${url}/events`, (res) => res.pause()); // never reads
    req.on('error', () => undefined);
    cleanups.push(async () => req.destroy());
    await until('the slow client dropped', () => control.droppedClients === 1, 10_000).catch((err: Error) => {
      throw new Error(`${err.message} (dropped ${control.droppedClients})`);
    });
    expect((await client(url)('GET', '/ramp')).status).toBe(200);
  });
});

describe('fleet control API, evse fleet over two worker threads', () => {
  it('routes commands to the worker that runs the charger and streams its events', { timeout: 45_000 }, async () => {
    const csms = new EmbeddedCsms({ logger: pino({ level: 'silent' }) });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const dir = await mkdtemp(path.join(tmpdir(), 'evse-fleet-control-'));
    const reportFile = path.join(dir, 'report.json');
    const proc = spawnEvse(['fleet', '--csms', url, '--count', '4', '--threads', '2', '--id-prefix', 'W', '--idle', '3600', '--control-port', '0', '--progress', '60', '--report', reportFile], {});
    cleanups.push(() => proc.stop('SIGKILL', 2000));
    await until('the control API address', () => /control API on (http:\/\/\S+)/.test(proc.stderr()), 10_000);
    const base = /control API on (http:\/\/\S+)/.exec(proc.stderr())![1]!;
    const api = client(base);
    await until('4 chargers accepted', () => accepted(api, 4));
    expect((await api('GET', '/chargers')).body.chargers.map((c: ChargerView) => c.id)).toEqual(['W00001', 'W00002', 'W00003', 'W00004']);
    expect((await api('GET', '/ramp')).body).toMatchObject({ perSecond: 100, planned: 4, started: 4 });

    const stream = await subscribe(`${base}/events?charger=W00002`);
    cleanups.push(async () => stream.close());
    expect((await api('POST', '/chargers/W00002/connectors/1/plug')).status).toBe(200);
    expect((await api('POST', '/chargers/W00002/rfid', { idTag: '0A0B0C0D' })).status).toBe(202);
    await until('the transaction at the CSMS', () => csms.transactions('W00002').some((t) => !t.stop));
    await until('status and traffic events', () => stream.events.some((e) => e.type === 'status' && e.data.status === 'Charging') && stream.events.some((e) => e.type === 'traffic'));
    expect(stream.events.every((e) => e.charger === 'W00002')).toBe(true);

    expect(await api('POST', '/chargers', { count: 2 })).toMatchObject({ status: 201, body: { added: ['W00005', 'W00006'], planned: 6 } });
    await until('6 chargers accepted', () => accepted(api, 6));
    expect(await api('DELETE', '/chargers/W00002')).toMatchObject({ status: 200, body: { transactionsStopped: 1 } });
    expect(csms.transactions('W00002')[0]!.stop).toMatchObject({ reason: 'Other' });
    expect(await api('GET', '/chargers/W00002')).toMatchObject({ status: 404 });
    expect(await api('GET', '/chargers/X1')).toMatchObject({ status: 404 });
    expect(await api('POST', '/chargers/W00003/faults', { device: 'relay', kind: 'melted' })).toMatchObject({ status: 422, body: { field: 'kind' } });
    // Event filters are checked by the worker that runs the charger (it knows which were removed).
    expect(await refusedStream(`${base}/events?charger=X1`)).toMatchObject({ status: 404, body: { field: 'charger', error: expect.stringMatching(/no charger X1/) } });
    expect(await refusedStream(`${base}/events?charger=W00003,W00002`)).toMatchObject({ status: 404, body: { error: expect.stringMatching(/charger W00002 was removed/) } });
    expect(await refusedStream(`${base}/events?charger=W00007`)).toMatchObject({ status: 404 });

    // SIGTERM: the stream sees the stop's transaction events, then `fleet-stopped` with the totals, then ends.
    const last = await subscribe(`${base}/events?type=transaction`);
    expect((await api('POST', '/chargers/W00003/connectors/1/transaction', { action: 'start', idTag: 'TAG-W' })).status).toBe(202);
    await until('the W00003 transaction', () => last.events.some((e) => e.charger === 'W00003' && e.data.phase === 'started'));
    const { code } = await proc.stop('SIGTERM', 10_000);
    expect(code).toBe(0);
    await last.done;
    expect(last.events.some((e) => e.charger === 'W00003' && e.data.phase === 'stopped' && e.data.reason === 'Other')).toBe(true);
    expect(last.others).toEqual([{ type: 'fleet-stopped', data: expect.objectContaining({ chargers: { planned: 6, started: 6, accepted: 6, removed: 1, connected: 0 } }) }]);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as FleetReport;
    expect(report.chargers).toEqual({ planned: 6, started: 6, accepted: 6, removed: 1, connected: 0 });
    expect(report.bootResults).toEqual({ Accepted: 6 });
    expect(csms.violations()).toEqual([]);
  });
});
