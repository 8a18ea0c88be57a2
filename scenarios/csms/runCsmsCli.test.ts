import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CsmsCounter, formatSummary } from './CsmsCounter.js';
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
    expect(text).toMatch(/CP001 connected from .* \(path \/ocpp, OCPP 1\.6\)/);
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

  it('counts instead of printing in quiet mode: per action, connected, violations, final summary', async () => {
    const lines: string[] = [];
    const cli = await runCsmsCli({ port: 0, summaryIntervalS: 0.05, write: (l) => lines.push(l), handleSignals: false });
    const a = await connectStub(cli.url, 'CP010');
    const b = await connectStub(cli.url, 'CP011');
    await a.call('BootNotification', BOOT);
    await b.call('BootNotification', BOOT);
    await a.call('Heartbeat', {});
    await a.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    // The CSMS is strict: an invalid StatusNotification is a violation and answered by a CallError.
    const invalid = await connectStub(cli.url, 'CP012', { strictMode: false });
    await expect(invalid.call('StatusNotification', { connectorId: 1, status: 'Sleeping' })).rejects.toThrow();
    // A call from the CSMS to a charge point: counted as out / in.
    a.handle('ChangeAvailability', () => ({ status: 'Accepted' }));
    await cli.csms.call('CP010', 'ChangeAvailability', { connectorId: 0, type: 'Operative' });
    await invalid.close({ force: true });
    await new Promise((r) => setTimeout(r, 150));
    const periodic = lines.filter((l) => / \[\d+s\] connected /.test(l));
    expect(periodic.length).toBeGreaterThan(0);
    const live = cli.counter!.summary(true);
    expect(live).toMatchObject({ connected: 2, connects: 3, disconnects: 1, messagesIn: 6, messagesOut: 6, callErrors: 1, violations: 1 });
    expect(live.actions).toEqual({
      BootNotification: { callsIn: 2, resultsOut: 2, callsOut: 0, resultsIn: 0, callErrors: 0, violations: 0 },
      ChangeAvailability: { callsIn: 0, resultsOut: 0, callsOut: 1, resultsIn: 1, callErrors: 0, violations: 0 },
      Heartbeat: { callsIn: 1, resultsOut: 1, callsOut: 0, resultsIn: 0, callErrors: 0, violations: 0 },
      StatusNotification: { callsIn: 2, resultsOut: 1, callsOut: 0, resultsIn: 0, callErrors: 1, violations: 1 },
    });
    await cli.stop();
    // No per-frame or per-connection lines: listening, summaries, the one violation, final, stopped.
    expect(lines.some((l) => /→|←|connected from|disconnected \(/.test(l))).toBe(false);
    expect(lines[0]).toMatch(/ listening on ws:/);
    expect(lines.filter((l) => /^\S+ ! CP012: charge point sent an invalid StatusNotification/.test(l))).toHaveLength(1);
    const final = lines.at(-2)!;
    expect(final).toMatch(/^\d\d:\d\d:\d\d final \[\d+s\] connected 0 {2}msg\/s \d+ {2}in 6 {2}out 6 {2}callErrors 1 {2}violations 1 {2}disconnects 3 {2}refused 0 \| /);
    expect(final).toContain('BootNotification 2/2  ChangeAvailability ⇠1/1  Heartbeat 1/1  StatusNotification 2/1 err 1 viol 1');
    expect(lines.at(-1)).toMatch(/ stopped$/);
    expect(lines).toHaveLength(1 + periodic.length + 1 + 1 + 1);
  });

  it('writes the quiet summaries as JSON lines and rejects a bad interval', async () => {
    await expect(runCsmsCli({ port: 0, summaryIntervalS: 0, write: () => undefined, handleSignals: false })).rejects.toThrow(/positive number/);
    const lines: string[] = [];
    const cli = await runCsmsCli({ port: 0, json: true, summaryIntervalS: 60, write: (l) => lines.push(l), handleSignals: false });
    const cp = await connectStub(cli.url, 'CP020');
    await cp.call('BootNotification', BOOT);
    await cli.stop();
    const events = lines.map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    expect(events.map((e) => e.type)).toEqual(['listening', 'final', 'stopped']);
    expect(events[1]).toMatchObject({ connects: 1, disconnects: 1, connected: 0, messagesIn: 1, messagesOut: 1, actions: { BootNotification: { callsIn: 1, resultsOut: 1 } } });
  });

  it('gives messages/s over the last interval and over the whole run at the end', () => {
    let now = 0;
    const counter = new CsmsCounter(() => now);
    for (let i = 0; i < 100; i++) counter.message({ direction: 'in', kind: 'call', action: 'Heartbeat' });
    now = 2000;
    expect(counter.summary().messagesPerS).toBe(50);
    counter.message({ direction: 'out', kind: 'malformed', action: undefined });
    now = 3000;
    expect(counter.summary().messagesPerS).toBe(1);
    expect(counter.summary(true).messagesPerS).toBeCloseTo(101 / 3);
    expect(formatSummary(counter.summary(true), true)).toBe('final [3s] connected 0  msg/s 34  in 100  out 1  callErrors 0  violations 0 | Heartbeat 100/0');
  });
});

describe('runCsmsCli driving charge points', () => {
  /** Resolves with the first printed line matching `pattern`; fails after `ms`. */
  function lineMatching(lines: string[], pattern: RegExp, ms = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const poll = (): void => {
        const hit = lines.find((l) => pattern.test(l));
        if (hit !== undefined) return resolve(hit);
        if (Date.now() - t0 > ms) return reject(new Error(`no line matching ${pattern} within ${ms} ms; got:\n${lines.join('\n')}`));
        setTimeout(poll, 10);
      };
      poll();
    });
  }

  it('reads commands from the console input, prints the answers, and stops when the input ends', async () => {
    const lines: string[] = [];
    const input = new PassThrough();
    const cli = await runCsmsCli({ port: 0, write: (l) => lines.push(l), handleSignals: false, console: { input } });
    const cp = await connectStub(cli.url, 'CP001');
    await cp.call('BootNotification', BOOT);
    cp.handle('RemoteStartTransaction', () => ({ status: 'Accepted' }));
    cp.handle('GetConfiguration', () => ({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['Nope'] }));
    input.write('CP001 remote-start ABC 1\n');
    expect(await lineMatching(lines, /answered/)).toMatch(/^\d\d:\d\d:\d\d CP001 RemoteStartTransaction answered: \{"status":"Accepted"\}$/);
    input.write('get HeartbeatInterval Nope\nCP001 RemoteStartTransaction {"connectorId":1}\nlist\n');
    expect(await lineMatching(lines, /GetConfiguration answered/)).toMatch(/GetConfiguration answered:\n {2}HeartbeatInterval = 300\n {2}unknown: Nope$/);
    expect(await lineMatching(lines, /error:/)).toMatch(/ error: RemoteStartTransaction not sent: idTag: required, missing$/);
    expect(await lineMatching(lines, /^CP001 {2}connected since/)).toMatch(/boot Accepted {2}evse-agent test/);
    input.end();
    await cli.closed;
    expect(lines.at(-1)).toMatch(/ stopped$/);
    // The invalid payload was never sent.
    expect(cli.csms.traffic((r) => r.direction === 'out' && r.kind === 'call').map((r) => r.action)).toEqual(['RemoteStartTransaction', 'GetConfiguration']);
  });

  it('prints the console answers as JSON lines with --json, and `exit` stops', async () => {
    const lines: string[] = [];
    const input = new PassThrough();
    const cli = await runCsmsCli({ port: 0, json: true, write: (l) => lines.push(l), handleSignals: false, console: { input } });
    const cp = await connectStub(cli.url, 'CP001');
    cp.handle('Reset', () => ({ status: 'Rejected' }));
    input.write('CP001 reset hard\nCP002 reset\nexit\n');
    await cli.closed;
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.type === 'answer')).toMatchObject([{ chargePointId: 'CP001', action: 'Reset', answer: { status: 'Rejected' } }]);
    expect(events.filter((e) => e.type === 'error')).toMatchObject([{ chargePointId: 'CP002', action: 'Reset', kind: 'unknownChargePoint' }]);
    expect(events.at(-1)).toMatchObject({ type: 'stopped' });
  });

  it('on a terminal: prompts, keeps the prompt below the traffic, Ctrl-C clears the line, then stops', async () => {
    const lines: string[] = [];
    const input = new PassThrough();
    const terminal = new PassThrough();
    let screen = '';
    terminal.on('data', (d: Buffer) => (screen += d.toString()));
    const cli = await runCsmsCli({
      port: 0,
      write: (l) => {
        lines.push(l);
        terminal.write(`${l}\n`);
      },
      handleSignals: false,
      console: { input, terminal },
    });
    await lineMatching(lines, /Type `help`/);
    expect(screen).toContain('csms> ');
    const cp = await connectStub(cli.url, 'CP001');
    await cp.call('BootNotification', BOOT);
    // The traffic line clears the prompt line, and the prompt comes back below it.
    expect(screen.slice(screen.indexOf('BootNotification ✓'))).toContain('csms> ');
    // Tab completes the id: the line sent is `CP001 clear-cache`.
    cp.handle('ClearCache', () => ({ status: 'Accepted' }));
    input.write('CP0\t');
    input.write(' clear-cache\r');
    expect(await lineMatching(lines, /answered/)).toMatch(/ CP001 ClearCache answered: \{"status":"Accepted"\}$/);
    input.write('CP001 reset');
    input.write('\x03'); // Ctrl-C with text on the line: the line is cleared, the CSMS runs on
    input.write('list\r');
    await lineMatching(lines, /^CP001 {2}connected/);
    expect(cli.csms.isConnected('CP001')).toBe(true);
    expect(cli.csms.traffic((r) => r.direction === 'out' && r.kind === 'call').map((r) => r.action)).toEqual(['ClearCache']);
    input.write('\x03'); // Ctrl-C on an empty line: stop
    await cli.closed;
    expect(lines.at(-1)).toMatch(/ stopped$/);
  });

  it('serves the HTTP API when asked and closes it on stop', async () => {
    const cli = await runCsmsCli({ port: 0, write: () => undefined, handleSignals: false, api: { port: 0 } });
    expect(cli.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await connectStub(cli.url, 'CP001');
    const res = await fetch(`${cli.apiUrl}/chargers`, { signal: AbortSignal.timeout(5000) });
    expect(await res.json()).toMatchObject([{ id: 'CP001', connected: true }]);
    await cli.stop();
    await expect(fetch(`${cli.apiUrl}/chargers`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  });
});
