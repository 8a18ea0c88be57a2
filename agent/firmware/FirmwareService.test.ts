/**
 * The firmware service on its own, on a SimulatedClock, downloading from an HTTP server on
 * 127.0.0.1. The installer here is a stand-in that never finishes (an installer script that hangs
 * cannot be had otherwise); the charger port records what the service asks of it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { ImageServer, simImage } from '../../test/support/firmwareRig.js';
import type { FirmwareInstaller } from './FirmwareInstaller.js';
import { FirmwareService } from './FirmwareService.js';
import { FirmwareStore } from './FirmwareStore.js';
import { fixedManufacturerRoots } from './ManufacturerRoots.js';
import type { FirmwareStatus } from './firmwareTypes.js';

const log = pino({ level: 'silent' });
let server: ImageServer;
let dir: string;

beforeAll(async () => {
  server = await ImageServer.start();
  dir = await mkdtemp(join(tmpdir(), 'evse-fwsvc-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FirmwareService.stop()', () => {
  it('does not wait for an installer that hangs beyond its bound, and the install phase runs again at the next start', async () => {
    const hanging: FirmwareInstaller = { install: () => new Promise(() => undefined), activate: async () => undefined };
    const clock = new SimulatedClock();
    const store = FirmwareStore.inDirectory(join(dir, 'hang'), log);
    const statuses: FirmwareStatus[] = [];
    const asked: string[] = [];
    const service = new FirmwareService({
      store,
      installer: hanging,
      roots: fixedManufacturerRoots([]),
      security: { raise: () => undefined },
      charger: { transactionsRunning: () => 0, onTransactionEnded: () => () => undefined, holdSessions: () => void asked.push('hold'), reboot: async () => void asked.push('reboot') },
      runningVersion: '1.0.0',
      clock,
      log,
    });
    service.on('status', (e) => void statuses.push(e.status));
    await service.start();
    const url = server.put('/svc/hang.bin', { body: simImage('2.0.0') });
    expect(await service.request({ location: url, retrieveAt: clock.now(), retries: 0, retryIntervalS: 0 })).toBe('Accepted');
    await vi.waitFor(() => expect(statuses).toContain('Installing'), { timeout: 5000, interval: 5 });

    const t0 = performance.now();
    await service.stop();
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(asked).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, 'hang', 'update.json'), 'utf8'))).toMatchObject({ phase: 'install', location: url });
  });
});

describe('FirmwareService.settled()', () => {
  it('waits while start() reads the persisted update (real I/O a virtual clock must not run past)', async () => {
    let release = (): void => undefined;
    const loading = new Promise<void>((resolve) => (release = resolve));
    const slowStore = { load: () => loading.then(() => undefined) } as unknown as FirmwareStore; // a disk that takes its time
    const service = new FirmwareService({
      store: slowStore,
      installer: { install: () => new Promise(() => undefined), activate: async () => undefined },
      roots: fixedManufacturerRoots([]),
      security: { raise: () => undefined },
      charger: { transactionsRunning: () => 0, onTransactionEnded: () => () => undefined, holdSessions: () => undefined, reboot: async () => undefined },
      runningVersion: '1.0.0',
      clock: new SimulatedClock(),
      log,
    });
    const started = service.start();
    let settled = false;
    void service.settled().then(() => (settled = true));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await started;
    await service.settled();
    expect(settled).toBe(true);
  });
});

describe('FirmwareService.request()', () => {
  it('decides requests that arrive together one after the other: the second cancels the first', async () => {
    const clock = new SimulatedClock();
    const service = new FirmwareService({
      store: FirmwareStore.inDirectory(join(dir, 'together'), log),
      installer: { install: () => new Promise(() => undefined), activate: async () => undefined },
      roots: fixedManufacturerRoots([]),
      security: { raise: () => undefined },
      charger: { transactionsRunning: () => 0, onTransactionEnded: () => () => undefined, holdSessions: () => undefined, reboot: async () => undefined },
      runningVersion: '1.0.0',
      clock,
      log,
    });
    const later = clock.now() + 3_600_000; // both wait for their retrieve time: nothing else happens
    const answers = await Promise.all([
      service.request({ location: server.url('/svc/a.bin'), retrieveAt: later, retries: 0, retryIntervalS: 0 }),
      service.request({ location: server.url('/svc/b.bin'), retrieveAt: later, retries: 0, retryIntervalS: 0 }),
    ]);
    expect(answers).toEqual(['Accepted', 'AcceptedCanceled']);
    expect(JSON.parse(await readFile(join(dir, 'together', 'update.json'), 'utf8'))).toMatchObject({ location: server.url('/svc/b.bin') });
    await service.stop();
  });
});
