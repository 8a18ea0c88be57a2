/**
 * ResetRetries honoured by `evse run` as a process, against the embedded strict CSMS: a Hard reset
 * opens the transaction journal again, as a reboot would. The data directory is made unusable
 * between boot and reset (moved away, a plain file in its place: ENOTDIR for every file in it,
 * which also holds for root), so the restart fails for real; it is retried ResetRetries times with
 * a back-off, then the process exits 70, or it succeeds once the directory is back.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { cleanupStack } from './support/cleanupStack.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';

const { cleanups, tempDir, release } = cleanupStack();
afterEach(release);

interface Bench {
  cp: string;
  csms: EmbeddedCsms;
  evse: EvseProcess;
  dataDir: string;
}

async function boot(cp: string): Promise<Bench> {
  const csms = new EmbeddedCsms();
  await csms.start();
  cleanups.push(() => csms.stop());
  const dataDir = await tempDir('evse-reset-');
  cleanups.push(() => rm(`${dataDir}.away`, { recursive: true, force: true }));
  const evse = spawnEvse(['run'], { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: dataDir, EVSE_LOG_LEVEL: 'warn' });
  cleanups.push(async () => {
    if (evse.child.exitCode === null && evse.child.signalCode === null) await evse.stop('SIGKILL');
  });
  await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, 15_000);
  return { cp, csms, evse, dataDir };
}

/** The data directory's storage goes away: its path now names a plain file. */
async function breakDataDir(dataDir: string): Promise<void> {
  await rename(dataDir, `${dataDir}.away`);
  await writeFile(dataDir, 'not a directory');
}

async function repairDataDir(dataDir: string): Promise<void> {
  await rm(dataDir);
  await rename(`${dataDir}.away`, dataDir);
}

interface LogLine {
  level: number;
  msg: string;
  attempt?: number;
  retryInMs?: number;
  resetRetries?: number;
}

const logLines = (evse: EvseProcess): LogLine[] =>
  evse
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
const failedAttempts = (evse: EvseProcess): LogLine[] => logLines(evse).filter((l) => l.msg.startsWith('restart after the Reset failed'));

describe('evse run: ResetRetries', () => {
  it('a Hard reset whose restart keeps failing is tried 1 + ResetRetries times, 2 s then 4 s apart, then exits 70', async () => {
    const { cp, csms, evse, dataDir } = await boot('RETRY-CP');
    expect(await csms.call(cp, 'ChangeConfiguration', { key: 'ResetRetries', value: '2' })).toEqual({ status: 'Accepted' });
    await breakDataDir(dataDir);
    const since = csms.mark();
    const t0 = performance.now();
    expect(await csms.call(cp, 'Reset', { type: 'Hard' })).toEqual({ status: 'Accepted' });
    expect(await evse.exited).toBe(70);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(6000 - 50); // the two back-offs were waited
    const attempts = failedAttempts(evse);
    expect(attempts.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(attempts.map((l) => l.retryInMs)).toEqual([2000, 4000, undefined]);
    expect(attempts.every((l) => l.resetRetries === 2)).toBe(true);
    expect(attempts.at(-1)!.msg).toMatch(/retries used up/);
    expect(csms.traffic((r) => r.seq > since && r.chargePointId === cp && r.action === 'BootNotification')).toEqual([]);
  }, 30_000);

  it('succeeds when the cause goes away before the retries (default 3) are used up: boots again, same process', async () => {
    const { cp, csms, evse, dataDir } = await boot('HEAL-CP');
    expect((await csms.call(cp, 'GetConfiguration', { key: ['ResetRetries'] })).configurationKey).toEqual([{ key: 'ResetRetries', readonly: false, value: '3' }]);
    await breakDataDir(dataDir);
    const since = csms.mark();
    expect(await csms.call(cp, 'Reset', { type: 'Hard' })).toEqual({ status: 'Accepted' });
    await until('the first restart attempt to fail', () => failedAttempts(evse).length === 1);
    await repairDataDir(dataDir);
    await csms.waitForCall(cp, 'BootNotification', undefined, { timeoutMs: 10_000, since });
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Available' }, { timeoutMs: 10_000, since });
    expect(failedAttempts(evse).map((l) => l.attempt)).toEqual([1]);
    expect(evse.child.exitCode).toBeNull();
    // The reopened journal takes a session.
    expect(await csms.call(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'HEALED' })).toEqual({ status: 'Accepted' });
    expect(csms.violations(cp)).toEqual([]);
    const { code } = await evse.stop('SIGTERM');
    expect(code).toBe(0);
  }, 30_000);

  it('SIGTERM while waiting for the next attempt stops cleanly (exit 0, within 5 s)', async () => {
    const { cp, csms, evse, dataDir } = await boot('TERM-CP');
    await breakDataDir(dataDir);
    expect(await csms.call(cp, 'Reset', { type: 'Hard' })).toEqual({ status: 'Accepted' });
    await until('the first restart attempt to fail', () => failedAttempts(evse).length === 1);
    const { code, elapsedMs } = await evse.stop('SIGTERM', 8000);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(5000);
    expect(failedAttempts(evse)).toHaveLength(1);
  }, 30_000);
});
