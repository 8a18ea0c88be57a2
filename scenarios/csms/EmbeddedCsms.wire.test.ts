/** The embedded CSMS at the wire: hostile frames, strict validation, auth, waiting, stopping. */
import { createHash } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { WaitTimeoutError } from './TrafficLog.js';
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

describe('traffic log', () => {
  it('records every message both ways with action, kind and message id', async () => {
    const cp = await connectStub(url, 'CP001');
    await cp.call('BootNotification', BOOT);
    const [call, result] = csms.traffic();
    expect(call).toMatchObject({ seq: 1, chargePointId: 'CP001', direction: 'in', kind: 'call', action: 'BootNotification', payload: BOOT });
    expect(result).toMatchObject({ seq: 2, direction: 'out', kind: 'result', action: 'BootNotification', messageId: call?.messageId });
    expect(JSON.parse(result!.raw)).toEqual([3, call?.messageId, result?.payload]);
  });
});

describe('strict validation of what charge points send', () => {
  it('answers an invalid call with a CallError and records the violation', async () => {
    const lax = await connectStub(url, 'CP001', { strictMode: false });
    await expect(lax.call('StartTransaction', { connectorId: 1, meterStart: 0, timestamp: '2025-01-01T00:00:00Z' })).rejects.toMatchObject({
      rpcErrorCode: 'OccurrenceConstraintViolation',
    });
    expect(csms.violations()).toMatchObject([{ chargePointId: 'CP001', by: 'chargePoint', kind: 'invalidCall', action: 'StartTransaction' }]);
    const answer = csms.traffic((r) => r.direction === 'out').at(-1);
    expect(answer).toMatchObject({ kind: 'error', action: 'StartTransaction', payload: { errorCode: 'OccurrenceConstraintViolation' } });
    expect(csms.transactions()).toEqual([]);
  });

  it('records a frame that is not OCPP-J as malformed and as a violation', async () => {
    const lax = await connectStub(url, 'CP001', { strictMode: false });
    lax.sendRaw('{"not":"an array"}');
    const malformed = await csms.waitFor((r) => r.kind === 'malformed', 2000);
    expect(malformed.raw).toBe('{"not":"an array"}');
    await expect.poll(() => csms.violations().map((v) => v.kind)).toEqual(['badFrame']);
  });

  it('has no violations for a well-behaved charge point', async () => {
    const cp = await connectStub(url, 'CP001');
    await cp.call('BootNotification', BOOT);
    await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    expect(csms.violations()).toEqual([]);
  });
});

describe('raw frames to a charge point (hostile input)', () => {
  it('sends malformed JSON; the charge point answers with a CallError, which is expected', async () => {
    await connectStub(url, 'CP001');
    const mark = csms.mark();
    csms.sendRaw('CP001', '[2, "abc", "Reset", {');
    const answer = await csms.waitFor((r) => r.direction === 'in' && r.kind === 'error', { since: mark, timeoutMs: 2000 });
    expect(answer.payload).toMatchObject({ errorCode: 'RpcFrameworkError' });
    expect(csms.traffic((r) => r.seq > mark && r.direction === 'out')).toMatchObject([{ kind: 'malformed', raw: '[2, "abc", "Reset", {' }]);
    expect(csms.violations()).toEqual([]);
  });

  it('sends an unknown message type id', async () => {
    await connectStub(url, 'CP001');
    csms.sendRaw('CP001', [7, 'm-1', 'Reset', {}]);
    const answer = await csms.waitFor((r) => r.direction === 'in' && r.kind === 'error', 2000);
    // ocpp-rpc checks the type before it reads the id, so its answer carries id "-1".
    expect(answer).toMatchObject({ messageId: '-1', payload: { errorCode: 'MessageTypeNotSupported' } });
    expect(csms.violations()).toEqual([]);
  });

  it('sends a call whose payload violates the schema; the answer is tied to its action', async () => {
    const cp = await connectStub(url, 'CP001');
    cp.handle('Reset', () => ({ status: 'Accepted' })); // ocpp-rpc validates only calls it has a handler for
    csms.sendRaw('CP001', [2, 'raw-1', 'Reset', { type: 'Sideways' }]);
    const answer = await csms.waitFor((r) => r.direction === 'in' && r.messageId === 'raw-1', 2000);
    expect(answer).toMatchObject({ kind: 'error', action: 'Reset', payload: { errorCode: 'FormationViolation' } });
    expect(csms.violations()).toEqual([]);
  });
});

describe('waiting', () => {
  it('finds a call already recorded, or only later ones with since', async () => {
    const cp = await connectStub(url, 'CP001');
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const seen = await csms.waitForCall('CP001', 'StatusNotification', { connectorId: 1 });
    expect(seen.payload.status).toBe('Available');
    const mark = csms.mark();
    const next = csms.waitForCall('CP001', 'StatusNotification', (req) => req.status === 'Preparing', { since: mark });
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    expect((await next).seq).toBeGreaterThan(mark);
  });

  it('times out with an error naming what it waited for and listing the last messages', async () => {
    const cp = await connectStub(url, 'CP001');
    await cp.call('BootNotification', BOOT);
    const err = await csms.waitForCall('CP001', 'StartTransaction', { connectorId: 2 }, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    const message = (err as Error).message;
    expect(message).toContain('timed out after 100 ms waiting for CP001 → StartTransaction matching {"connectorId":2}');
    expect(message).toContain('last 2 of 2 messages:');
    expect(message).toMatch(/CP001 → BootNotification \{chargePointVendor:"evse-agent"/);
    expect(message).toMatch(/CP001 ← BootNotification ✓ \{status:"Accepted"/);
  });

  it('waits for a connection, or says who did not connect', async () => {
    const connected = csms.waitForConnection('LATE', 2000);
    await connectStub(url, 'LATE');
    await expect(connected).resolves.toBeUndefined();
    await expect(csms.waitForConnection('NOBODY', 50)).rejects.toThrow('timed out after 50 ms waiting for NOBODY to connect');
  });

  it('rejects pending waits when the CSMS stops', async () => {
    const pending = csms.waitFor(() => false, 10_000);
    await csms.stop();
    await expect(pending).rejects.toThrow('the embedded CSMS stopped');
  });
});

describe('connections', () => {
  it('checks the basic-auth password with the auth callback', async () => {
    const auth = new EmbeddedCsms({ auth: (r) => r.password === 'secret-password-1' && r.endpoint === '/ocpp' });
    const { url: u } = await auth.start();
    const refused: number[] = [];
    auth.on('refused', (e) => refused.push(e.status));
    try {
      await expect(connectStub(u, 'CP001', { password: 'wrong' })).rejects.toMatchObject({ code: 401 });
      await expect(connectStub(u, 'CP001')).rejects.toMatchObject({ code: 401 });
      await connectStub(u, 'CP001', { password: 'secret-password-1' });
      expect(auth.isConnected('CP001')).toBe(true);
      expect(refused).toEqual([401, 401]);
    } finally {
      await closeAll();
      await auth.stop();
    }
  });

  it('refuses a client that offers neither ocpp1.6 nor ocpp2.0.1', async () => {
    await expect(connectStub(url, 'CP001', { protocols: ['ocpp2.1'], strictMode: false })).rejects.toMatchObject({ code: 400 });
    expect(csms.isConnected('CP001')).toBe(false);
  });

  it('replaces an older connection of the same identity', async () => {
    const first = await connectStub(url, 'CP001');
    const firstClosed = new Promise<{ reason: string }>((resolve) => first.once('close', resolve));
    const second = await connectStub(url, 'CP001');
    expect((await firstClosed).reason).toBe('replaced by a new connection');
    await second.call('Heartbeat', {});
    expect(csms.chargePoint('CP001')).toMatchObject({ connected: true, connections: 2, heartbeats: 1 });
  });

  it('stop() closes every client with 1001', async () => {
    const cp = await connectStub(url, 'CP001');
    const closed = new Promise<{ code: number }>((resolve) => cp.once('close', resolve));
    await csms.stop();
    expect((await closed).code).toBe(1001);
    expect(csms.isConnected('CP001')).toBe(false);
  });

  it('stop() is bounded even when a peer never answers the closing handshake', async () => {
    const socket = await rawWebSocket(new URL(url), '/ocpp/SILENT');
    await csms.waitForConnection('SILENT', 2000);
    const started = Date.now();
    await csms.stop({ timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(1500);
    // The CSMS cut the connection: the silent peer sees its socket close.
    const peerClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume();
    await peerClosed;
  });
});

/** A WebSocket upgrade by hand, after which the peer reads nothing and answers nothing. */
async function rawWebSocket(server: URL, path: string): Promise<Socket> {
  const key = Buffer.from('evse-agent-test!').toString('base64');
  const socket = tcpConnect(Number(server.port), server.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    [`GET ${path} HTTP/1.1`, `Host: ${server.host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: ocpp1.6', '', ''].join('\r\n'),
  );
  const response = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  if (!response.startsWith('HTTP/1.1 101') || !response.includes(accept)) throw new Error(`upgrade failed: ${response}`);
  socket.pause();
  return socket;
}
