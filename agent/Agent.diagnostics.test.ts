/**
 * Log uploads end to end: GetDiagnostics and GetLog from the embedded strict CSMS over a real
 * WebSocket, the file PUT to an HTTP server on 127.0.0.1, every stage reported.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CP, T0, agentFixture, cleanupAgents, type AgentFixture } from '../test/support/agentFixture.js';
import { pino } from 'pino';
import { LogRing } from './diagnostics/LogRing.js';
import { SecurityLog } from './security/SecurityLog.js';

interface Upload {
  path: string;
  body: Buffer;
}

let server: Server;
const uploads: Upload[] = [];
/** Answers for the next requests (status codes), then 201. */
const answers: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answers.shift() ?? 201;
      if (req.method === 'PUT' && status < 300) uploads.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(async () => {
  await cleanupAgents();
  uploads.length = 0;
  answers.length = 0;
});

const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const line = (time: number, msg: string) => JSON.stringify({ level: 30, time, msg });

async function charger(): Promise<{ f: AgentFixture; ring: LogRing }> {
  const ring = new LogRing();
  ring.write(`${line(T0 - 3_600_000, 'an hour ago')}\n${line(T0 - 60_000, 'a minute ago')}\n`);
  const f = await agentFixture({
    agent: { diagnostics: { sources: { DiagnosticsLog: { lines: () => ring.snapshot() } } } },
  });
  return { f, ring };
}

async function until(f: AgentFixture, check: () => void): Promise<void> {
  await vi.waitFor(
    async () => {
      await f.advance(1000);
      check();
    },
    { timeout: 10_000, interval: 10 },
  );
}

const logStatuses = (f: AgentFixture) => f.sent('LogStatusNotification').map((s) => `${s.status}#${s.requestId}`);
const diagStatuses = (f: AgentFixture) => f.sent('DiagnosticsStatusNotification').map((s) => s.status);

describe('GetDiagnostics', () => {
  it('answers the file name and PUTs the gzipped log under it to a location ending in /, reporting Uploading then Uploaded', async () => {
    const { f } = await charger();
    const answer = await f.csms.call(CP, 'GetDiagnostics', { location: `${base()}/diag/` });
    expect(answer.fileName).toMatch(new RegExp(`^${CP}-diagnostics-20260101T000000Z\\.log\\.gz$`));
    await until(f, () => expect(diagStatuses(f)).toEqual(['Uploading', 'Uploaded']));
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.path).toBe(`/diag/${answer.fileName!}`);
    const text = gunzipSync(uploads[0]!.body).toString();
    expect(text).toContain('an hour ago');
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ chargePointId: CP, log: 'DiagnosticsLog' });
  });

  it('keeps only the entries between startTime and stopTime', async () => {
    const { f } = await charger();
    await f.csms.call(CP, 'GetDiagnostics', { location: `${base()}/d.gz`, startTime: new Date(T0 - 120_000).toISOString(), stopTime: new Date(T0).toISOString() });
    await until(f, () => expect(diagStatuses(f)).toEqual(['Uploading', 'Uploaded']));
    const text = gunzipSync(uploads[0]!.body).toString();
    expect(text).toContain('a minute ago');
    expect(text).not.toContain('an hour ago');
  });

  it('retries a failed upload after retryInterval on the clock, and reports UploadFailed when the retries are used up', async () => {
    const { f } = await charger();
    answers.push(500, 503);
    await f.csms.call(CP, 'GetDiagnostics', { location: `${base()}/retry.gz`, retries: 2, retryInterval: 30 });
    await f.advance(1000);
    expect(uploads).toHaveLength(0);
    await until(f, () => expect(diagStatuses(f)).toEqual(['Uploading', 'Uploaded']));
    expect(uploads).toHaveLength(1);
    expect(f.clock.now() - T0).toBeGreaterThanOrEqual(60_000); // two waits of 30 s

    answers.push(500, 500);
    await f.csms.call(CP, 'GetDiagnostics', { location: `${base()}/fail.gz`, retries: 1, retryInterval: 10 });
    await until(f, () => expect(diagStatuses(f)).toEqual(['Uploading', 'Uploaded', 'Uploading', 'UploadFailed']));
  });

  it('a triggered DiagnosticsStatusNotification says Idle when nothing is being uploaded', async () => {
    const { f } = await charger();
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'DiagnosticsStatusNotification' })).toEqual({ status: 'Accepted' });
    await until(f, () => expect(diagStatuses(f)).toEqual(['Idle']));
  });
});

describe('GetLog', () => {
  it('uploads the DiagnosticsLog and reports LogStatusNotification with the requestId', async () => {
    const { f } = await charger();
    const answer = await f.csms.call(CP, 'GetLog', { logType: 'DiagnosticsLog', requestId: 9, log: { remoteLocation: `${base()}/logs/` } });
    expect(answer).toEqual({ status: 'Accepted', filename: expect.stringMatching(/diagnostics-.*\.log\.gz$/) });
    await until(f, () => expect(logStatuses(f)).toEqual(['Uploading#9', 'Uploaded#9']));
    expect(uploads[0]!.path).toBe(`/logs/${answer.filename!}`);
  });

  it('rejects a log this charger does not keep (SecurityLog without a security log)', async () => {
    const { f } = await charger();
    expect(await f.csms.call(CP, 'GetLog', { logType: 'SecurityLog', requestId: 1, log: { remoteLocation: `${base()}/x/` } })).toEqual({ status: 'Rejected' });
  });

  it('uploads the security log (agent/security/SecurityLog.ts) within the asked time range', async () => {
    const securityLog = await SecurityLog.open({ file: null, log: pino({ level: 'silent' }) });
    await securityLog.append({ timestamp: new Date(T0 - 3_600_000).toISOString(), type: 'StartupOfTheDevice', critical: true });
    await securityLog.append({ timestamp: new Date(T0 - 60_000).toISOString(), type: 'InvalidMessages', techInfo: 'invalid frame', critical: false });
    const f = await agentFixture({ agent: { diagnostics: { sources: { SecurityLog: securityLog } } } });
    const oldestTimestamp = new Date(T0 - 120_000).toISOString();
    const answer = await f.csms.call(CP, 'GetLog', { logType: 'SecurityLog', requestId: 4, log: { remoteLocation: `${base()}/sec/`, oldestTimestamp } });
    expect(answer).toEqual({ status: 'Accepted', filename: expect.stringMatching(/security-.*\.log\.gz$/) });
    await until(f, () => expect(logStatuses(f)).toEqual(['Uploading#4', 'Uploaded#4']));
    const text = gunzipSync(uploads[0]!.body).toString();
    expect(text).toContain('InvalidMessages');
    expect(text).not.toContain('StartupOfTheDevice');
  });

  it('reports PermissionDenied without retrying, NotSupportedOperation for ftp:, BadMessage for a location that is no URL', async () => {
    const { f } = await charger();
    answers.push(403);
    await f.csms.call(CP, 'GetLog', { logType: 'DiagnosticsLog', requestId: 1, retries: 3, log: { remoteLocation: `${base()}/denied.gz` } });
    await until(f, () => expect(logStatuses(f)).toEqual(['Uploading#1', 'PermissionDenied#1']));
    await f.csms.call(CP, 'GetLog', { logType: 'DiagnosticsLog', requestId: 2, log: { remoteLocation: 'ftp://127.0.0.1/logs/' } });
    await until(f, () => expect(logStatuses(f).at(-1)).toBe('NotSupportedOperation#2'));
    await f.csms.call(CP, 'GetLog', { logType: 'DiagnosticsLog', requestId: 3, log: { remoteLocation: 'not a url' } });
    await until(f, () => expect(logStatuses(f).at(-1)).toBe('BadMessage#3'));
    expect(uploads).toEqual([]);
  });

  it('a new request cancels the upload waiting for its retry (AcceptedCanceled)', async () => {
    const { f } = await charger();
    answers.push(500);
    await f.csms.call(CP, 'GetLog', { logType: 'DiagnosticsLog', requestId: 1, retries: 3, retryInterval: 600, log: { remoteLocation: `${base()}/a.gz` } });
    await until(f, () => expect(logStatuses(f)).toEqual(['Uploading#1']));
    await vi.waitFor(() => expect(answers).toEqual([])); // the first attempt failed; the retry waits 10 minutes
    expect(f.agent.diagnostics!.logStatus).toEqual({ status: 'Uploading', requestId: 1 }); // what a triggered LogStatusNotification says
    expect(await f.csms.call(CP, 'GetLog', { logType: 'DiagnosticsLog', requestId: 2, log: { remoteLocation: `${base()}/b.gz` } })).toMatchObject({ status: 'AcceptedCanceled' });
    await until(f, () => expect(logStatuses(f)).toEqual(['Uploading#1', 'Uploading#2', 'Uploaded#2']));
    await f.advance(20 * 60_000, 60_000);
    expect(uploads.map((u) => u.path)).toEqual(['/b.gz']);
    expect(f.agent.diagnostics!.logStatus).toEqual({ status: 'Idle' });
  });
});
