/**
 * GetLog(SecurityLog) over a real link to the strict CSMS, uploading to a real HTTP server on
 * 127.0.0.1: the window of the security log arrives, every stage is reported with
 * LogStatusNotification, failures are retried on the agent's clock, 403 is PermissionDenied.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupLinks, eventually, linkFixture } from '../ocpp/testing/linkFixture.js';
import { SecurityLog } from './SecurityLog.js';
import { SecurityLogUpload } from './SecurityLogUpload.js';

const log = pino({ level: 'silent' });
const servers: Server[] = [];
afterEach(async () => {
  await cleanupLinks();
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** An HTTP server answering PUTs with the given statuses in turn (then 200), recording what arrived. */
async function uploadServer(statuses: number[] = []) {
  const received: { method: string; url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function fixture() {
  const f = await linkFixture({ clockStart: Date.UTC(2026, 5, 1) });
  const securityLog = await SecurityLog.open({ file: null, log });
  for (const [i, type] of ['StartupOfTheDevice', 'InvalidTLSVersion', 'ResetOrReboot'].entries()) {
    await securityLog.append({ timestamp: new Date(Date.UTC(2026, 5, 1, i)).toISOString(), type, critical: type !== 'InvalidTLSVersion' });
  }
  const upload = new SecurityLogUpload({ securityLog, clock: f.clock, log, chargePointId: 'CP1' });
  upload.attach(f.link);
  f.control.logs = upload;
  f.link.start();
  await f.until('accepted');
  const statuses = () => f.csms().calls.filter((c) => c.action === 'LogStatusNotification').map((c) => c.params);
  return { ...f, cp: f.csms().client, statuses };
}

describe('GetLog(SecurityLog)', () => {
  it('uploads the requested window with a PUT and reports Uploading, then Uploaded', async () => {
    const f = await fixture();
    const http = await uploadServer();
    const answer = await f.cp.call('GetLog', { logType: 'SecurityLog', requestId: 7, log: { remoteLocation: `${http.url}/logs/`, oldestTimestamp: '2026-06-01T01:00:00.000Z' } });
    expect(answer).toEqual({ status: 'Accepted', filename: 'security-log-CP1-7.jsonl' });
    await eventually(() => expect(f.statuses()).toEqual([{ status: 'Uploading', requestId: 7 }, { status: 'Uploaded', requestId: 7 }]));
    expect(http.received).toHaveLength(1);
    expect(http.received[0]).toMatchObject({ method: 'PUT', url: '/logs/security-log-CP1-7.jsonl' });
    expect(http.received[0]!.body.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['InvalidTLSVersion', 'ResetOrReboot']);
  });

  it('retries a failed upload after retryInterval, and reports UploadFailure when the retries are used up', async () => {
    const f = await fixture();
    const http = await uploadServer([500, 500, 500]);
    await f.cp.call('GetLog', { logType: 'SecurityLog', requestId: 1, retries: 1, retryInterval: 30, log: { remoteLocation: `${http.url}/a.jsonl` } });
    await eventually(() => expect(http.received).toHaveLength(1));
    // The retry is armed once the failed answer is in: advance the clock until it fires.
    await eventually(() => {
      f.clock.advance(30_000);
      expect(http.received).toHaveLength(2);
    });
    await eventually(() => expect(f.statuses().at(-1)).toEqual({ status: 'UploadFailure', requestId: 1 }));
    expect(http.received).toHaveLength(2);

    await f.cp.call('GetLog', { logType: 'SecurityLog', requestId: 2, retries: 2, retryInterval: 30, log: { remoteLocation: `${http.url}/b.jsonl` } });
    await eventually(() => expect(http.received).toHaveLength(3)); // the third 500
    await eventually(() => {
      f.clock.advance(30_000);
      expect(f.statuses().at(-1)).toEqual({ status: 'Uploaded', requestId: 2 });
    });
    expect(http.received).toHaveLength(4);
  });

  it('reports PermissionDenied at once for 403; refuses FTP and DiagnosticsLog; tells Idle when triggered', async () => {
    const f = await fixture();
    const http = await uploadServer([403]);
    await f.cp.call('GetLog', { logType: 'SecurityLog', requestId: 3, retries: 3, log: { remoteLocation: `${http.url}/x` } });
    await eventually(() => expect(f.statuses().at(-1)).toEqual({ status: 'PermissionDenied', requestId: 3 }));
    expect(http.received).toHaveLength(1);
    expect(await f.cp.call('GetLog', { logType: 'SecurityLog', requestId: 4, log: { remoteLocation: 'ftp://127.0.0.1/x' } })).toEqual({ status: 'Rejected' });
    expect(await f.cp.call('GetLog', { logType: 'DiagnosticsLog', requestId: 5, log: { remoteLocation: `${http.url}/x` } })).toEqual({ status: 'Rejected' });
    expect(await f.cp.call('ExtendedTriggerMessage', { requestedMessage: 'LogStatusNotification' })).toEqual({ status: 'Accepted' });
    await eventually(() => expect(f.statuses().at(-1)).toEqual({ status: 'Idle' }));
  });

  it('a new request cancels the running upload (AcceptedCanceled)', async () => {
    const f = await fixture();
    const http = await uploadServer([500]);
    await f.cp.call('GetLog', { logType: 'SecurityLog', requestId: 8, retries: 1, retryInterval: 600, log: { remoteLocation: `${http.url}/1` } });
    await eventually(() => expect(http.received).toHaveLength(1)); // now waiting to retry
    expect(await f.cp.call('GetLog', { logType: 'SecurityLog', requestId: 9, log: { remoteLocation: `${http.url}/2` } })).toMatchObject({ status: 'AcceptedCanceled' });
    await eventually(() => expect(f.statuses().at(-1)).toEqual({ status: 'Uploaded', requestId: 9 }));
    f.clock.advance(600_000);
    await eventually(() => expect(http.received.map((r) => r.url)).toEqual(['/1', '/2']));
  });
});
