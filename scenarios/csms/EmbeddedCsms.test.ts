import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { NO_REPLY, callError } from './ocppRpcServer.js';
import { BOOT, closeAll, connectStub } from './stubChargePoint.js';

let csms: EmbeddedCsms;
let url: string;

beforeEach(async () => {
  csms = new EmbeddedCsms();
  ({ url } = await csms.start());
});

afterEach(async () => {
  await closeAll();
  await csms.stop();
});

const startTx = (connectorId: number, idTag: string, meterStart = 0) => ({ connectorId, idTag, meterStart, timestamp: '2025-01-01T10:00:00.000Z' });

describe('EmbeddedCsms: registration', () => {
  it('listens on loopback and accepts a boot with the default interval', async () => {
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const cp = await connectStub(url, 'CP001');
    const res = (await cp.call('BootNotification', BOOT)) as { status: string; interval: number; currentTime: string };
    expect(res.status).toBe('Accepted');
    expect(res.interval).toBe(300);
    expect(Number.isNaN(Date.parse(res.currentTime))).toBe(false);
    expect(csms.chargePoint('CP001')).toMatchObject({ connected: true, connections: 1, registration: 'Accepted', lastBoot: BOOT });
  });

  it('answers the first N boots Pending, then Accepted', async () => {
    csms.setBootPolicy({ interval: 60, first: { status: 'Pending', count: 2, interval: 5 } });
    const cp = await connectStub(url, 'CP001');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await cp.call('BootNotification', BOOT)) as { status: string; interval: number });
    expect(statuses.map((s) => [s.status, s.interval])).toEqual([['Pending', 5], ['Pending', 5], ['Accepted', 60]]);
    expect(csms.chargePoint('CP001')?.registration).toBe('Accepted');
  });

  it('counts boots per charge point: Rejected first for each', async () => {
    const strict = new EmbeddedCsms({ bootPolicy: { first: { status: 'Rejected', count: 1 } } });
    const { url: u } = await strict.start();
    try {
      const a = await connectStub(u, 'A');
      const b = await connectStub(u, 'B');
      expect(((await a.call('BootNotification', BOOT)) as { status: string }).status).toBe('Rejected');
      expect(((await b.call('BootNotification', BOOT)) as { status: string }).status).toBe('Rejected');
      expect(((await a.call('BootNotification', BOOT)) as { status: string }).status).toBe('Accepted');
      expect(strict.chargePoint('B')?.registration).toBe('Rejected');
    } finally {
      await closeAll();
      await strict.stop();
    }
  });
});

describe('EmbeddedCsms: transactions and state', () => {
  it('hands out increasing transaction ids and records start, meter values and stop', async () => {
    const started: number[] = [];
    csms.on('transactionStarted', (t) => started.push(t.transactionId));
    const cp = await connectStub(url, 'CP001');
    const t1 = (await cp.call('StartTransaction', startTx(1, 'TAG-A'))) as { transactionId: number };
    const t2 = (await cp.call('StartTransaction', startTx(2, 'TAG-B', 500))) as { transactionId: number };
    expect([t1.transactionId, t2.transactionId]).toEqual([1, 2]);
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: 1,
      meterValue: [{ timestamp: '2025-01-01T10:01:00.000Z', sampledValue: [{ value: '120', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    await cp.call('StopTransaction', { transactionId: 1, meterStop: 7000, timestamp: '2025-01-01T11:00:00.000Z', reason: 'EVDisconnected' });
    const tx = csms.transaction(1);
    expect(tx).toMatchObject({ chargePointId: 'CP001', connectorId: 1, idTag: 'TAG-A', meterStart: 0, idTagStatus: 'Accepted' });
    expect(tx?.stop).toEqual({ meterStop: 7000, timestamp: '2025-01-01T11:00:00.000Z', reason: 'EVDisconnected' });
    expect(tx?.meterValues).toHaveLength(1);
    expect(csms.transaction(2)?.stop).toBeUndefined();
    expect(started).toEqual([1, 2]);
  });

  it('flags a resent StartTransaction and a stop for an id it never handed out', async () => {
    const cp = await connectStub(url, 'CP001');
    await cp.call('StartTransaction', startTx(1, 'TAG-A'));
    await cp.call('StartTransaction', startTx(1, 'TAG-A'));
    await cp.call('StopTransaction', { transactionId: -1, meterStop: 10, timestamp: '2025-01-01T11:00:00.000Z' });
    expect(csms.transactions('CP001').map((t) => [t.transactionId, t.duplicateOf])).toEqual([[1, undefined], [2, 1]]);
    expect(csms.chargePoint('CP001')?.unknownStops.map((s) => s.transactionId)).toEqual([-1]);
  });

  it('tracks connector status and heartbeats', async () => {
    const cp = await connectStub(url, 'CP001');
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    await cp.call('Heartbeat', {});
    const state = csms.chargePoint('CP001');
    expect(state?.connectors[1]).toMatchObject({ status: 'Charging', errorCode: 'NoError' });
    expect(state?.heartbeats).toBe(1);
  });
});

describe('EmbeddedCsms: scripted replies', () => {
  it('authorizes from a map (unknown tags Invalid) and uses it for StartTransaction', async () => {
    csms.setAuthorization({ GOOD: 'Accepted', OLD: { status: 'Expired', expiryDate: '2020-01-01T00:00:00.000Z' } });
    const cp = await connectStub(url, 'CP001');
    expect(await cp.call('Authorize', { idTag: 'GOOD' })).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await cp.call('Authorize', { idTag: 'OLD' })).toEqual({ idTagInfo: { status: 'Expired', expiryDate: '2020-01-01T00:00:00.000Z' } });
    expect(await cp.call('Authorize', { idTag: 'WHO' })).toEqual({ idTagInfo: { status: 'Invalid' } });
    expect(((await cp.call('StartTransaction', startTx(1, 'WHO'))) as { idTagInfo: unknown }).idTagInfo).toEqual({ status: 'Invalid' });
    expect(csms.transaction(1)?.idTagStatus).toBe('Invalid');
  });

  it('authorizes with a function of idTag and charge point', async () => {
    csms.setAuthorization((idTag, cp) => (cp === 'CP001' && idTag.startsWith('04') ? 'Accepted' : 'Blocked'));
    const cp = await connectStub(url, 'CP001');
    expect(await cp.call('Authorize', { idTag: '04A1B2' })).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await cp.call('Authorize', { idTag: 'FFFF' })).toEqual({ idTagInfo: { status: 'Blocked' } });
  });

  it('plays once-replies in order before the permanent override, per charge point', async () => {
    csms.respondTo('Heartbeat', { currentTime: '2030-01-01T00:00:00.000Z' });
    csms.respondOnce('Heartbeat', { currentTime: '2031-01-01T00:00:00.000Z' });
    csms.respondOnce('Heartbeat', { currentTime: '2032-01-01T00:00:00.000Z' });
    csms.respondTo('Heartbeat', { currentTime: '2040-01-01T00:00:00.000Z' }, { chargePointId: 'OTHER' });
    const cp = await connectStub(url, 'CP001');
    const times = [];
    for (let i = 0; i < 3; i++) times.push(((await cp.call('Heartbeat', {})) as { currentTime: string }).currentTime.slice(0, 4));
    expect(times).toEqual(['2031', '2032', '2030']);
  });

  it('lets a reply function build on the default and see the call count', async () => {
    const undo = csms.respondTo('BootNotification', (req, ctx) => ({ ...ctx.defaultReply(), interval: ctx.nth * 10 + ('chargePointModel' in req && req.chargePointModel === 'test' ? 1 : 0) }));
    const cp = await connectStub(url, 'CP001');
    expect(((await cp.call('BootNotification', BOOT)) as { interval: number }).interval).toBe(11);
    expect(((await cp.call('BootNotification', BOOT)) as { interval: number }).interval).toBe(21);
    undo();
    expect(((await cp.call('BootNotification', BOOT)) as { interval: number }).interval).toBe(300);
  });

  it('answers with a CallError, or not at all', async () => {
    csms.respondOnce('DataTransfer', callError('NotSupported', 'no vendor extensions'));
    csms.respondOnce('Heartbeat', NO_REPLY);
    const cp = await connectStub(url, 'CP001', { callTimeoutMs: 300 });
    await expect(cp.call('DataTransfer', { vendorId: 'x' })).rejects.toMatchObject({ rpcErrorCode: 'NotSupported' });
    await expect(cp.call('Heartbeat', {})).rejects.toThrow(/timeout/i);
    expect(await cp.call('DataTransfer', { vendorId: 'x' })).toEqual({ status: 'UnknownVendorId' });
  });
});

describe('EmbeddedCsms: calls to a charge point', () => {
  it('calls the charge point, records both directions and returns its typed answer', async () => {
    const cp = await connectStub(url, 'CP001');
    cp.handle('Reset', () => ({ status: 'Accepted' }));
    const res = await csms.call('CP001', 'Reset', { type: 'Soft' });
    expect(res.status).toBe('Accepted');
    const traffic = csms.traffic((r) => r.action === 'Reset');
    expect(traffic.map((r) => [r.direction, r.kind])).toEqual([['out', 'call'], ['in', 'result']]);
  });

  it("rejects with the charge point's CallError and when the charge point is not connected", async () => {
    await connectStub(url, 'CP001');
    await expect(csms.call('CP001', 'UnlockConnector', { connectorId: 1 })).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });
    await expect(csms.call('NOPE', 'Reset', { type: 'Hard' })).rejects.toThrow('charge point NOPE is not connected');
  });

  it('refuses to send a call that violates the schema and records it as its own violation', async () => {
    await connectStub(url, 'CP001');
    await expect(csms.call('CP001', 'Reset', { type: 'Sideways' } as never)).rejects.toMatchObject({ rpcErrorCode: expect.any(String) });
    expect(csms.violations('CP001')).toMatchObject([{ by: 'csms', kind: 'invalidCall', action: 'Reset' }]);
    expect(csms.traffic((r) => r.action === 'Reset')).toEqual([]);
  });

  it('validates the Security Whitepaper messages both ways', async () => {
    // A lax stub, so that its invalid call reaches the CSMS.
    const cp = await connectStub(url, 'CP001', { strictMode: false });
    await cp.call('BootNotification', BOOT);
    // Ours: a certificateType that does not exist is never sent.
    await expect(csms.call('CP001', 'InstallCertificate', { certificateType: 'OtherRootCertificate', certificate: 'x' } as never)).rejects.toMatchObject({ rpcErrorCode: expect.any(String) });
    expect(csms.violations('CP001')).toMatchObject([{ by: 'csms', kind: 'invalidCall', action: 'InstallCertificate' }]);
    // Theirs: a SecurityEventNotification without its timestamp is refused; a valid one answered.
    await expect(cp.call('SecurityEventNotification', { type: 'StartupOfTheDevice' })).rejects.toMatchObject({ rpcErrorCode: expect.any(String) });
    expect(await cp.call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: '2026-01-01T00:00:00.000Z' })).toEqual({});
    expect(csms.violations('CP001').map((v) => [v.by, v.action])).toContainEqual(['chargePoint', 'SecurityEventNotification']);
  });

  it('disconnects a charge point and keeps its state', async () => {
    const cp = await connectStub(url, 'CP001');
    const closed = new Promise<{ code: number }>((resolve) => cp.once('close', resolve));
    expect(await csms.disconnect('CP001', { code: 4000, reason: 'test' })).toBe(true);
    expect((await closed).code).toBe(4000);
    expect(csms.isConnected('CP001')).toBe(false);
    expect(csms.chargePoint('CP001')).toMatchObject({ connected: false, lastClose: { code: 4000, reason: 'test' } });
    expect(await csms.disconnect('CP001')).toBe(false);
  });
});
