import { afterEach, describe, expect, it } from 'vitest';
import { runCsmsCli } from './runCsmsCli.js';
import { BOOT, closeAll, connectStub } from './stubChargePoint.js';

afterEach(closeAll);

describe('runCsmsCli', () => {
  it('prints connections and traffic for people and stops when aborted', async () => {
    const lines: string[] = [];
    const abort = new AbortController();
    const cli = await runCsmsCli({ port: 0, write: (l) => lines.push(l), signal: abort.signal, handleSignals: false });
    const cp = await connectStub(cli.url, 'CP001');
    await cp.call('BootNotification', BOOT);
    abort.abort();
    await cli.closed;
    const text = lines.join('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d listening on ws:\/\/127\.0\.0\.1:\d+: charge points connect to ws:\/\/127\.0\.0\.1:\d+\/<chargePointId>/);
    expect(text).toMatch(/CP001 connected from .* \(path \/ocpp\)/);
    expect(text).toMatch(/CP001 → BootNotification \{chargePointVendor:"evse-agent", chargePointModel:"test"\}/);
    expect(text).toMatch(/CP001 ← BootNotification ✓ \{status:"Accepted", interval:300/);
    expect(lines.at(-1)).toMatch(/ stopped$/);
    expect(cli.csms.isConnected('CP001')).toBe(false);
  });

  it('prints JSON lines and requires the password when one is set', async () => {
    const lines: string[] = [];
    const cli = await runCsmsCli({ port: 0, json: true, password: 'pw-0123456789abcdef', heartbeatInterval: 42, write: (l) => lines.push(l), handleSignals: false });
    await expect(connectStub(cli.url, 'CP002', { password: 'nope' })).rejects.toMatchObject({ code: 401 });
    const cp = await connectStub(cli.url, 'CP002', { password: 'pw-0123456789abcdef' });
    await cp.call('BootNotification', BOOT);
    await cli.stop();
    const events = lines.map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    expect(events.map((e) => e.type)).toEqual(['listening', 'refused', 'connect', 'message', 'message', 'disconnect', 'stopped']);
    expect(events[4]).toMatchObject({ type: 'message', chargePointId: 'CP002', direction: 'out', kind: 'result', action: 'BootNotification', payload: { interval: 42 } });
    expect(typeof events[4]?.t).toBe('string');
  });

  it('rejects when the port is taken', async () => {
    const first = await runCsmsCli({ port: 0, write: () => undefined, handleSignals: false });
    try {
      const port = Number(new URL(first.url).port);
      await expect(runCsmsCli({ port, write: () => undefined, handleSignals: false })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.stop();
    }
  });
});
