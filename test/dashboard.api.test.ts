/**
 * The dashboard's JSON API (docs/dashboard-api.openapi.yaml) on a real `evse run` process with
 * simulated hardware, against a strict embedded CSMS: what the API says and does is what the
 * charger does on the OCPP side.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HAL_ERRORS } from '../hal/errors.js';
import { evseRig } from './support/evseRig.js';
import { followEvents, startDashboardProcess } from './support/dashboardProcess.js';
import { until } from './support/until.js';

const rig = evseRig();
afterEach(rig.release);

const JSON_TYPE = { 'content-type': 'application/json' };

async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_TYPE) {
  const res = await fetch(new URL(path, base), { method, headers, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> & { error?: string } };
}

type Status = { ocpp: { state: string; accepted: boolean }; connectors: { status: string; plugged: boolean; powerW?: number; transaction?: { idTag: string; energyWh?: number; cost?: { amount: number; currency: string } }; faults: { code: string; explanation: string; remedy: string }[]; screen: { source: string; lines: string[] } }[] };
const statusOf = async (base: string) => (await api(base, 'GET', '/api/status')).body as unknown as Status;

describe('evse run: dashboard API', () => {
  it('drives a session with the simulated hardware: plug, card, charging, fault, unplug', { timeout: 40_000 }, async () => {
    const { url, csms, chargePointId: cp } = await startDashboardProcess(rig);
    let s = await statusOf(url);
    expect(s.ocpp).toMatchObject({ state: 'accepted', accepted: true });
    expect(s.connectors[0]).toMatchObject({ status: 'Available', plugged: false, faults: [], screen: { source: 'status', lines: ['Ready', 'Plug in or tap your card'] } });

    const plugged = await api(url, 'POST', '/api/connectors/1/plug', {});
    expect(plugged.status).toBe(200);
    expect((plugged.body.charger as Status).connectors[0]!.plugged).toBe(true);
    expect(await api(url, 'POST', '/api/connectors/1/plug', {})).toMatchObject({ status: 409, body: { error: `connector 1 of ${cp} is already plugged in` } });

    expect(await api(url, 'POST', '/api/rfid', { uid: '04:a2:b3:c4' })).toMatchObject({ status: 202, body: { uid: '04A2B3C4' } });
    await csms.waitForCall(cp, 'StartTransaction', { idTag: '04A2B3C4' }, 10_000);
    await until('Charging with power', () => s.connectors[0]?.status === 'Charging' && (s.connectors[0].powerW ?? 0) > 0, 10_000, 100, async () => (s = await statusOf(url)));
    expect(s.connectors[0]!.transaction).toMatchObject({ idTag: '04A2…' });
    expect(s.connectors[0]!.screen.lines[0]).toBe('Charging');
    const { body: running } = await api(url, 'GET', '/api/transactions');
    expect(running.transactions).toEqual([expect.objectContaining({ connectorId: 1, idTag: '04A2…', transactionId: expect.any(Number), cost: null })]);

    const fault = await api(url, 'POST', '/api/faults', { device: 'pilot', kind: 'E', connector: 1 });
    expect(fault).toMatchObject({ status: 201, body: { device: 'pilot', kind: 'E', connector: 1, shows: 'now' } });
    await until('Faulted', () => s.connectors[0]?.status === 'Faulted', 10_000, 100, async () => (s = await statusOf(url)));
    expect(s.connectors[0]!.faults).toEqual([expect.objectContaining({ code: 'PILOT_FAULT', explanation: HAL_ERRORS.PILOT_FAULT.text, remedy: expect.stringMatching(/clears by itself/) })]);
    expect(s.connectors[0]!.screen.lines).toEqual(['Out of order', HAL_ERRORS.PILOT_FAULT.text]);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Faulted' }, 10_000);
    expect((await api(url, 'DELETE', '/api/faults?connector=1')).status).toBe(200);
    await until('the fault cleared', () => s.connectors[0]?.faults.length === 0 && s.connectors[0].status !== 'Faulted', 10_000, 100, async () => (s = await statusOf(url)));

    expect((await api(url, 'POST', '/api/connectors/1/unplug', {})).status).toBe(200);
    const stop = await csms.waitForCall(cp, 'StopTransaction', undefined, 10_000);
    let rows: { stoppedAt?: string; energyWh?: number; stopReason?: string }[] = [];
    await until('the stopped transaction in the list', () => rows[0]?.stoppedAt !== undefined, 10_000, 100, async () => (rows = (await api(url, 'GET', '/api/transactions')).body.transactions as typeof rows));
    expect(rows[0]).toMatchObject({ stopReason: stop.payload.reason ?? 'Local', energyWh: stop.payload.meterStop - csms.transactions(cp)[0]!.meterStart });
    expect(rows[0]!.energyWh).toBeGreaterThan(0);
  });

  it("shows what the charger's driver display shows, and the cost the CSMS told (OCA California Pricing)", { timeout: 40_000 }, async () => {
    const { url, csms, chargePointId: cp } = await startDashboardProcess(rig, { EVSE_DISPLAY: 'sim' });
    let s = await statusOf(url);
    await until('the display text', () => s.connectors[0]?.screen.source === 'display', 10_000, 100, async () => (s = await statusOf(url)));
    expect(s.connectors[0]!.screen.lines[0]).toBe('Ready to charge');
    await api(url, 'POST', '/api/connectors/1/plug', {});
    await api(url, 'POST', '/api/rfid', { uid: '04A2B3C4' });
    await csms.waitForCall(cp, 'StartTransaction', { idTag: '04A2B3C4' }, 10_000);
    await until('the CSMS answered the start', () => csms.transactions(cp)[0]?.transactionId !== undefined, 10_000);
    const [tx] = csms.transactions(cp);
    await csms.call(cp, 'DataTransfer', {
      vendorId: 'org.openchargealliance.costmsg',
      messageId: 'RunningCost',
      data: JSON.stringify({ transactionId: tx!.transactionId, timestamp: new Date().toISOString(), meterValue: 0, cost: 1.25, state: 'Charging', chargingPrice: { kWhPrice: 0.3, hourPrice: 0, flatFee: 0 } }),
    });
    // The CSMS's cost, plus what was used since at its prices: the cost so far, as the display shows it.
    let rows: { cost: { amount: number; currency: string } | null }[] = [];
    await until('the cost in the transaction list', () => (rows[0]?.cost?.amount ?? 0) >= 1.25, 10_000, 100, async () => {
      rows = (await api(url, 'GET', '/api/transactions')).body.transactions as typeof rows;
    });
    expect(rows[0]!.cost!.amount).toBeLessThan(1.25 + 0.3); // < 1 kWh since
    s = await statusOf(url);
    expect(s.connectors[0]!.transaction?.cost?.amount).toBeGreaterThanOrEqual(rows[0]!.cost!.amount);
  });

  it('opens the cabinet of a simulated charger with a tamper switch: session ended, Faulted, TamperDetectionActivated at the CSMS; MaintenanceMode (DataTransfer) puts it back in service', { timeout: 40_000 }, async () => {
    const { url, csms, chargePointId: cp } = await startDashboardProcess(rig, { EVSE_SIM_TAMPER_SWITCH: '1' });
    await api(url, 'POST', '/api/connectors/1/plug', {});
    await api(url, 'POST', '/api/rfid', { uid: '04A2B3C4' });
    await csms.waitForCall(cp, 'StartTransaction', { idTag: '04A2B3C4' }, 10_000);
    expect(await api(url, 'POST', '/api/faults', { device: 'tamper', kind: 'open' })).toMatchObject({ status: 201, body: { device: 'tamper', kind: 'open', shows: 'now' } });
    await csms.waitForCall(cp, 'SecurityEventNotification', { type: 'TamperDetectionActivated' }, 10_000);
    await csms.waitForCall(cp, 'StopTransaction', { reason: 'Other' }, 10_000);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'OtherError' }, 10_000);
    let s = await statusOf(url);
    await until('the tamper fault on the dashboard', () => s.connectors[0]?.faults.some((f) => f.code === 'TAMPER_DETECTED') === true, 10_000, 100, async () => (s = await statusOf(url)));

    expect((await api(url, 'DELETE', '/api/faults?device=tamper')).status).toBe(200); // the door is shut: still out of service
    expect((await statusOf(url)).connectors[0]!.status).toBe('Faulted');
    expect(await csms.call(cp, 'DataTransfer', { vendorId: 'org.evse-agent.maintenance', messageId: 'MaintenanceMode', data: 'true' })).toEqual({ status: 'Accepted', data: 'true' });
    await until('back in service', () => s.connectors[0]?.status !== 'Faulted', 10_000, 100, async () => (s = await statusOf(url)));
    expect(s.connectors[0]!.faults).toEqual([]);
  });

  it('refuses bad requests with { error, field? } and changes nothing', { timeout: 40_000 }, async () => {
    const { url } = await startDashboardProcess(rig);
    expect(await api(url, 'GET', '/api/nothing')).toMatchObject({ status: 404, body: { error: 'no such resource: /api/nothing' } });
    const wrongMethod = await api(url, 'PUT', '/api/rfid', {});
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: 'PUT is not allowed on /api/rfid (allowed: POST)' } });
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await api(url, 'POST', '/api/rfid', '{"uid":', JSON_TYPE)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^request body is not valid JSON/) } });
    expect(await api(url, 'POST', '/api/rfid', { uid: '04A2' }, { 'content-type': 'text/plain' })).toMatchObject({ status: 415, body: { error: expect.stringMatching(/content-type: application\/json/) } });
    expect(await api(url, 'POST', '/api/rfid', { uid: 'zz' })).toMatchObject({ status: 422, body: { field: 'uid', error: 'uid: expected a card uid of 1..10 bytes in hex, e.g. 04A2B3C4, got "zz"' } });
    expect(await api(url, 'POST', '/api/faults', { device: 'relay', kind: 'melted' })).toMatchObject({ status: 422, body: { field: 'kind' } });
    expect(await api(url, 'POST', '/api/connectors/2/plug', {})).toMatchObject({ status: 404, body: { error: 'charger DASH-CP has no connector 2 (it has 1)' } });
    expect(await api(url, 'DELETE', '/api/faults?device=rfid')).toMatchObject({ status: 409, body: { error: expect.stringContaining('POST /api/rfid') } });
    expect(await api(url, 'POST', '/api/faults', { device: 'tamper', kind: 'open' })).toMatchObject({ status: 409, body: { error: expect.stringContaining('EVSE_SIM_TAMPER_SWITCH') } });
    expect((await statusOf(url)).connectors[0]).toMatchObject({ status: 'Available', plugged: false });

    // Without a password, only requests addressed to this machine: no DNS rebinding from a web page.
    const viaName = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(new URL('/api/status', url), { headers: { host: 'charger.example.com' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(viaName.status).toBe(403);
    expect(JSON.parse(viaName.text)).toEqual({ error: expect.stringMatching(/^host "charger.example.com" refused/) });
  });

  it('streams a snapshot, then samples and status changes as server-sent events', { timeout: 40_000 }, async () => {
    const { url } = await startDashboardProcess(rig);
    const stream = await followEvents(new URL('/api/events', url).href);
    try {
      expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const snapshot = (await stream.next('snapshot')).data as { status: Status; samples: unknown[]; transactions: unknown[] };
      expect(snapshot.status.connectors[0]!.status).toBe('Available');
      expect(Array.isArray(snapshot.samples) && Array.isArray(snapshot.transactions)).toBe(true);
      expect((await stream.next('sample')).data).toMatchObject({ t: expect.any(Number), connectors: [{ connectorId: 1, energyWh: expect.any(Number) }] });
      await api(url, 'POST', '/api/connectors/1/plug', {});
      await api(url, 'POST', '/api/rfid', { uid: '04A2B3C4' });
      const started = (await stream.next('transactions')).data as { transactions: { idTag: string }[] };
      expect(started.transactions[0]).toMatchObject({ idTag: '04A2…' });
      for (let e = await stream.next('status'); (e.data as Status).connectors[0]!.status !== 'Charging'; e = await stream.next('status'));
    } finally {
      await stream.close();
    }
  });

  it('asks for the password when one is set, and neither logs nor shows it', { timeout: 40_000 }, async () => {
    const password = 'dash-Secret-42';
    const { url, evse } = await startDashboardProcess(rig, { EVSE_DASHBOARD_PASSWORD: password, EVSE_CSMS_PASSWORD: 'csms-Secret-7', EVSE_LOG_LEVEL: 'debug' });
    const none = await api(url, 'GET', '/api/status', undefined, {});
    expect(none).toMatchObject({ status: 401, body: { error: expect.stringMatching(/dashboard\.password/) } });
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="evse dashboard"/);
    const page = await fetch(url);
    expect(page.status).toBe(401);
    const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`anyone:${pw}`).toString('base64')}` });
    expect((await api(url, 'GET', '/api/status', undefined, basic('wrong'))).status).toBe(401);
    expect((await api(url, 'GET', '/api/status', undefined, basic(password))).status).toBe(200);
    expect((await api(url, 'GET', '/api/status', undefined, { authorization: `Bearer ${password}` })).status).toBe(200);
    expect((await fetch(url, { headers: basic(password) })).status).toBe(200);
    const config = await api(url, 'GET', '/api/config', undefined, basic(password));
    const text = JSON.stringify(config.body);
    expect(text).not.toContain(password);
    expect(text).not.toContain('csms-Secret-7');
    expect(config.body).toMatchObject({ settings: { dashboard: { password: '********' }, csms: { password: '********' } } });
    expect((config.body.ocpp as { key: string }[]).map((k) => k.key)).toContain('HeartbeatInterval');
    expect(evse.stderr()).not.toContain(password);
  });

  it('exits 78 naming dashboard.password when bound off loopback without one', async () => {
    const evse = rig.start({ EVSE_DATA_DIR: await rig.tempDir('evse-dashboard-'), EVSE_DASHBOARD: '1', EVSE_DASHBOARD_HOST: '0.0.0.0' });
    expect(await evse.exited).toBe(78);
    expect(evse.stderr()).toBe(
      'evse: invalid configuration: dashboard.password: expected a password of 1 to 255 characters: required when dashboard.host (0.0.0.0) is not a loopback address (127.0.0.1, ::1, localhost)\n',
    );
  });

  it('charges without its dashboard when the port is taken, and says so', { timeout: 40_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    rig.cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;
    const csms = await rig.csms();
    const evse = rig.start({ EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: 'BUSY-CP', EVSE_DATA_DIR: await rig.tempDir('evse-dashboard-'), EVSE_DASHBOARD: '1', EVSE_DASHBOARD_PORT: String(port) });
    await csms.waitForCall('BUSY-CP', 'StatusNotification', { connectorId: 1 }, 15_000);
    expect(evse.stderr()).toContain(`evse: the dashboard cannot start on 127.0.0.1:${port}: listen EADDRINUSE`);
    expect((await evse.stop()).code).toBe(0);
  });

  it('answers every route docs/dashboard-api.openapi.yaml documents', { timeout: 40_000 }, async () => {
    const { url } = await startDashboardProcess(rig);
    const spec = parse(await readFile(new URL('../docs/dashboard-api.openapi.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(spec.paths).length).toBeGreaterThanOrEqual(8);
    for (const [path, item] of Object.entries(spec.paths)) {
      if (path === '/api/events') continue;
      for (const method of Object.keys(item).filter((m) => ['get', 'post', 'put', 'delete'].includes(m))) {
        const r = await api(url, method.toUpperCase(), path.replace('{connector}', '1'), method === 'get' || method === 'delete' ? undefined : {});
        expect(r.status, `${method} ${path}`).not.toBe(405);
        expect(r.body.error ?? '', `${method} ${path}`).not.toMatch(/no such resource/);
      }
    }
  });

  it('outlives a Reset: the event stream stays open, the transactions stay, the actions reach the new agent', { timeout: 40_000 }, async () => {
    const { url, csms, chargePointId: cp } = await startDashboardProcess(rig);
    await api(url, 'POST', '/api/connectors/1/plug', {});
    await api(url, 'POST', '/api/rfid', { uid: '04A2B3C4' });
    await csms.waitForCall(cp, 'StartTransaction', undefined, 10_000);
    const stream = await followEvents(new URL('/api/events', url).href);
    try {
      await stream.next('snapshot');
      const since = csms.mark();
      expect(await csms.call(cp, 'Reset', { type: 'Hard' })).toEqual({ status: 'Accepted' });
      await csms.waitForCall(cp, 'StopTransaction', { reason: 'HardReset' }, { timeoutMs: 10_000, since });
      await csms.waitForCall(cp, 'BootNotification', undefined, { timeoutMs: 15_000, since });
      await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, { timeoutMs: 15_000, since });
      let s = await statusOf(url);
      await until('the new agent accepted', () => s.ocpp?.accepted === true, 10_000, 100, async () => (s = await statusOf(url)));
      const rows = (await api(url, 'GET', '/api/transactions')).body.transactions as { stopReason?: string }[];
      expect(rows[0]).toMatchObject({ stopReason: 'HardReset' });
      // The EV stayed plugged in across the reset (sim-state.json); the new agent's connector hears the unplug.
      expect((await api(url, 'POST', '/api/connectors/1/unplug', {})).status).toBe(200);
      await until('Available on the new agent', () => s.connectors[0]?.status === 'Available', 10_000, 100, async () => (s = await statusOf(url)));
      // The stream that was open before the reset carries the new agent's statuses.
      for (let e = await stream.next('status'); (e.data as Status).connectors[0]!.status !== 'Available'; e = await stream.next('status'));
    } finally {
      await stream.close();
    }
  });

  it('lists the transactions of earlier runs from the session history after a restart', { timeout: 40_000 }, async () => {
    const dataDir = await rig.tempDir('evse-dashboard-');
    const first = await startDashboardProcess(rig, { EVSE_DATA_DIR: dataDir });
    await api(first.url, 'POST', '/api/connectors/1/plug', {});
    await api(first.url, 'POST', '/api/rfid', { uid: '04A2B3C4' });
    const started = await first.csms.waitForCall(first.chargePointId, 'StartTransaction', undefined, 10_000);
    expect((await first.evse.stop()).code).toBe(0);
    const { transactionId } = first.csms.transactions(first.chargePointId)[0]!;

    const second = await startDashboardProcess(rig, { EVSE_DATA_DIR: dataDir });
    const rows = (await api(second.url, 'GET', '/api/transactions')).body.transactions as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ connectorId: 1, transactionId, meterStartWh: started.payload.meterStart, stopReason: 'Reboot', cost: null });
    expect(rows[0]!.stoppedAt).toEqual(expect.any(String));
    expect(rows[0]!.idTag).toBeUndefined(); // the history keeps only a hash of it
  });

  it('ends open event streams with `closing` on SIGTERM and still exits 0 within the 5 s', { timeout: 40_000 }, async () => {
    const { url, evse } = await startDashboardProcess(rig);
    const stream = await followEvents(new URL('/api/events', url).href);
    try {
      await stream.next('snapshot');
      const { code, elapsedMs } = await evse.stop('SIGTERM');
      expect(code).toBe(0);
      expect(elapsedMs).toBeLessThan(5000);
      expect((await stream.next('closing', 1000)).data).toEqual({ reason: 'the charger is stopping' });
    } finally {
      await stream.close();
    }
  });

  it('drops and restores the CSMS connection: the stop made offline is journaled and delivered after the reconnect', { timeout: 40_000 }, async () => {
    const { url, csms, chargePointId: cp } = await startDashboardProcess(rig);
    await api(url, 'POST', '/api/connectors/1/plug', {});
    await api(url, 'POST', '/api/rfid', { uid: '04A2B3C4' });
    await csms.waitForCall(cp, 'StartTransaction', undefined, 10_000);
    expect(await api(url, 'POST', '/api/connection', { action: 'close' })).toMatchObject({ status: 202, body: { connection: 'stopped' } });
    expect(await api(url, 'POST', '/api/connection', { action: 'close' })).toMatchObject({ status: 409, body: { error: `the connection of ${cp} is already closed` } });
    expect(await api(url, 'POST', '/api/connection', { action: 'sideways' })).toMatchObject({ status: 422, body: { field: 'action' } });
    expect((await api(url, 'POST', '/api/connectors/1/unplug', {})).status).toBe(200);
    type Ocpp = { ocpp: { state: string; undelivered: number } };
    let s = (await statusOf(url)) as unknown as Ocpp;
    await until('the StopTransaction journaled', () => s.ocpp.undelivered > 0, 10_000, 100, async () => (s = (await statusOf(url)) as unknown as Ocpp));
    expect(s.ocpp.state).toBe('stopped');
    expect(csms.transactions(cp)[0]!.stop).toBeUndefined();

    expect(await api(url, 'POST', '/api/connection', { action: 'open' })).toMatchObject({ status: 202 });
    await csms.waitForCall(cp, 'StopTransaction', undefined, 15_000);
    await until('delivered and accepted', () => s.ocpp.undelivered === 0 && s.ocpp.state === 'accepted', 10_000, 100, async () => (s = (await statusOf(url)) as unknown as Ocpp));
  });
});
