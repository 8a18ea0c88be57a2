/**
 * `evse run` under systemd's Type=notify, without systemd: the test binds a real unix datagram
 * socket (as systemd does for $NOTIFY_SOCKET), starts the built binary with NOTIFY_SOCKET and
 * WATCHDOG_USEC, and reads what it sends: READY=1 once the agent runs, WATCHDOG=1 at half the
 * period, STOPPING=1 on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemdNotifier } from '../bin/systemdNotify.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { endRun, spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';
import type * as UnixSocket from 'node-unix-socket';

const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as typeof UnixSocket;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A unix datagram socket in a temporary directory, collecting the messages it receives. */
async function notifySocket(): Promise<{ path: string; messages: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-notify-'));
  const path = join(dir, 'notify.sock');
  const socket = new DgramSocket();
  const messages: string[] = [];
  socket.on('data', (buf: Buffer) => void messages.push(buf.toString()));
  socket.bind(path);
  cleanups.push(async () => {
    socket.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { path, messages };
}

describe('SystemdNotifier', () => {
  it('is off without NOTIFY_SOCKET, and pings the watchdog only for its own pid', async () => {
    const log = pino({ level: 'silent' });
    expect(SystemdNotifier.fromEnvironment({}, log)).toBeUndefined();
    const { path, messages } = await notifySocket();
    const other = SystemdNotifier.fromEnvironment({ NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '1' }, log, 4242);
    expect(other?.watchdogEveryMs).toBeUndefined();
    other?.close();
    const notifier = SystemdNotifier.fromEnvironment({ NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '4242' }, log, 4242)!;
    cleanups.push(() => notifier.close());
    expect(notifier.watchdogEveryMs).toBe(50);
    notifier.ready('up');
    await until('READY and two pings', () => messages.filter((m) => m === 'WATCHDOG=1').length >= 2, 5000);
    expect(messages[0]).toBe('READY=1\nSTATUS=up');
    notifier.stopping();
    await until('STOPPING', () => messages.includes('STOPPING=1'), 5000);
  });
});

describe('evse run with Type=notify', () => {
  it('sends READY=1 once the agent runs, WATCHDOG=1 while it does, STOPPING=1 on SIGTERM', async () => {
    const { path, messages } = await notifySocket();
    const csms = new EmbeddedCsms();
    const { url } = await csms.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'evse-notify-data-'));
    const agent: EvseProcess = spawnEvse(['run'], { EVSE_CSMS_URL: url, EVSE_CHARGE_POINT_ID: 'NOTIFY-1', EVSE_DATA_DIR: dataDir, EVSE_LOG_LEVEL: 'warn', NOTIFY_SOCKET: path, WATCHDOG_USEC: '400000' });
    cleanups.push(() => endRun(agent, csms, dataDir));
    await until('READY=1', () => messages.some((m) => m.startsWith('READY=1\n')), 15_000);
    expect(messages.find((m) => m.startsWith('READY=1'))).toMatch(/STATUS=charging agent NOTIFY-1 running/);
    await until('watchdog pings', () => messages.filter((m) => m === 'WATCHDOG=1').length >= 3, 10_000);
    expect((await agent.stop('SIGTERM')).code).toBe(0);
    expect(messages).toContain('STOPPING=1');
  });
});
