/**
 * The session history file on a real temporary directory: durable lines, torn and corrupt lines
 * skipped, the cap (count and age), compaction, and what a restart takes over.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, mkdtemp, open as openFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import type { SessionRecord } from './usageTypes.js';
import { SessionHistory, type SessionHistoryOptions } from './SessionHistory.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

let dir: string;
let file: string;
let clock: SimulatedClock;
const open: SessionHistory[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evse-history-'));
  file = join(dir, 'sessions.log');
  clock = new SimulatedClock(T0);
});
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  await rm(dir, { recursive: true, force: true });
});

async function history(options: Partial<SessionHistoryOptions> = {}): Promise<SessionHistory> {
  const h = await SessionHistory.open({ file, clock, maxSessions: 100, maxDays: 0, connectors: 2, chargePointId: 'CP1', ...options });
  open.push(h);
  return h;
}

const record = (id: string, startedAt: number, over: Partial<SessionRecord> = {}): SessionRecord => ({ id, connectorId: 1, startedAt, chargingMs: 0, faults: [], ...over });
const done = (id: string, startedAt: number) => record(id, startedAt, { stoppedAt: startedAt + H, unpluggedAt: startedAt + 2 * H, energyWh: 5000, stopReason: 'Local' });

describe('SessionHistory', () => {
  it('keeps the latest version of each session and interval; a restart takes over what is open', async () => {
    const h = await history();
    h.session(record('a', T0), false);
    h.interval({ connectorId: 1, kind: 'plugged', from: T0 });
    h.session({ ...record('a', T0), stoppedAt: T0 + H, energyWh: 7000 }, false);
    h.session(done('b', T0 + 2 * H), true);
    h.interval({ connectorId: 2, kind: 'charging', from: T0 + 2 * H, to: T0 + 3 * H });
    await h.close();

    const read = (await SessionHistory.read(file))!;
    expect(read).toMatchObject({ since: T0, connectors: 2, chargePointId: 'CP1', skippedLines: 0, aliveAt: T0 + 4 * H });
    expect(read.sessions.map((s) => [s.id, s.energyWh])).toEqual([['a', 7000], ['b', 5000]]);
    expect(read.intervals).toEqual([
      { connectorId: 1, kind: 'plugged', from: T0 },
      { connectorId: 2, kind: 'charging', from: T0 + 2 * H, to: T0 + 3 * H },
    ]);

    const again = await history();
    expect(again.resumeState()).toEqual({
      sessions: [expect.objectContaining({ id: 'a', stoppedAt: T0 + H })],
      intervals: [{ connectorId: 1, kind: 'plugged', from: T0 }],
      aliveAt: T0 + 4 * H,
    });
  });

  it("finds a driver's sessions by the hash of their identifier; erasing takes the hash out of the ended ones, on disk, and leaves the running one and other drivers", async () => {
    const h = await history();
    h.session({ ...done('a', T0), idTagHash: 'driver-1' }, true);
    h.session({ ...done('b', T0 + 3 * H), idTagHash: 'driver-2' }, true);
    h.session({ ...done('c', T0 + 6 * H), idTagHash: 'driver-1' }, true);
    h.session({ ...record('d', T0 + 9 * H), idTagHash: 'driver-1' }, false);
    const found = await h.driverSessions('driver-1', false);
    expect(found.complete.map((r) => r.id)).toEqual(['a', 'c']);
    expect(found.open.map((r) => r.id)).toEqual(['d']);
    expect((await SessionHistory.read(file))!.sessions.filter((r) => r.idTagHash === 'driver-1')).toHaveLength(3);

    const erased = await h.driverSessions('driver-1', true);
    expect(erased.complete.map((r) => r.id)).toEqual(['a', 'c']);
    const after = (await SessionHistory.read(file))!.sessions;
    expect(after.map((r) => [r.id, r.idTagHash])).toEqual([['a', undefined], ['b', 'driver-2'], ['c', undefined], ['d', 'driver-1']]);
    expect(after.find((r) => r.id === 'a')).toMatchObject({ energyWh: 5000, stopReason: 'Local' }); // the session itself stays for planning
    // It goes on being written after the rewrite, and a restart reads the same.
    h.session({ ...done('d', T0 + 9 * H), idTagHash: 'driver-1' }, true);
    await h.close();
    expect((await SessionHistory.read(file))!.sessions.map((r) => [r.id, r.idTagHash])).toEqual([['a', undefined], ['b', 'driver-2'], ['c', undefined], ['d', 'driver-1']]);
    expect((await (await history()).driverSessions('driver-1', false)).complete.map((r) => r.id)).toEqual(['d']);
  });

  it('a torn last line (SIGKILL mid-write) is skipped when read and cut off when opened; the next line is whole', async () => {
    const h = await history();
    h.session(done('a', T0), true);
    await h.close();
    const good = (await stat(file)).size;
    await appendFile(file, '1234abcd {"s":{"id":"half');
    expect((await SessionHistory.read(file))!.sessions.map((s) => s.id)).toEqual(['a']);

    const h2 = await history();
    expect((await stat(file)).size).toBe(good);
    h2.session(done('b', T0 + H), true);
    await h2.flush();
    const read = (await SessionHistory.read(file))!;
    expect(read.sessions.map((s) => s.id)).toEqual(['a', 'b']);
    expect(read.skippedLines).toBe(0);
  });

  it('a corrupt line between good ones is skipped and counted, never fatal', async () => {
    const h = await history();
    h.session(done('a', T0), true);
    await h.close();
    await appendFile(file, '00000000 {"s":{"id":"bad checksum"}}\nnot a line at all\n');
    const h2 = await history();
    h2.session(done('b', T0 + H), true);
    await h2.close();
    const read = (await SessionHistory.read(file))!;
    expect(read.sessions.map((s) => s.id)).toEqual(['a', 'b']);
    expect(read.skippedLines).toBe(2);
    await history(); // opens fine
  });

  it('keeps the newest maxSessions complete sessions and every open one; the history starts at the oldest kept', async () => {
    const h = await history();
    h.session(record('open', T0), false);
    for (let i = 0; i < 5; i++) {
      h.session(done(`s${i}`, T0 + i * 3 * H), true);
      h.interval({ connectorId: 1, kind: 'plugged', from: T0 + i * 3 * H, to: T0 + i * 3 * H + 2 * H });
    }
    await h.close();
    await (await history({ maxSessions: 3 })).close();
    const read = (await SessionHistory.read(file))!;
    expect(read.sessions.map((s) => s.id)).toEqual(['open', 's2', 's3', 's4']);
    expect(read.since).toBe(T0 + 6 * H);
    expect(read.intervals.map((i) => i.from)).toEqual([T0 + 6 * H, T0 + 9 * H, T0 + 12 * H]);
  });

  it('drops sessions older than maxDays', async () => {
    const h = await history();
    h.session(done('old', T0), true);
    h.session(done('new', T0 + 20 * 24 * H), true);
    await h.close();
    clock.advance(25 * 24 * H);
    await (await history({ maxDays: 10 })).close();
    const read = (await SessionHistory.read(file))!;
    expect(read.sessions.map((s) => s.id)).toEqual(['new']);
    expect(read.since).toBe(T0 + 15 * 24 * H);
  });

  it('compacts while it runs: the file stays bounded however often a session changes', async () => {
    const h = await history({ growthLines: 40 });
    for (let i = 0; i < 300; i++) h.session(record('a', T0, { chargingMs: i }), false);
    await h.flush();
    const lines = (await readFile(file, 'utf8')).split('\n').length - 1;
    expect(lines).toBeLessThanOrEqual(45);
    const read = (await SessionHistory.read(file))!;
    expect(read.sessions).toEqual([expect.objectContaining({ id: 'a', chargingMs: 299 })]);
  });

  it('while something is open, marks that it is alive when nothing else was written for a minute', async () => {
    const h = await history();
    h.interval({ connectorId: 1, kind: 'unavailable', from: T0 });
    await clock.advanceAsync(10 * 60_000, () => h.flush(), 60_000);
    await h.flush();
    expect((await SessionHistory.read(file))!.aliveAt).toBe(T0 + 10 * 60_000);
    h.interval({ connectorId: 1, kind: 'unavailable', from: T0, to: clock.now() });
    await clock.advanceAsync(10 * 60_000, () => h.flush(), 60_000);
    await h.flush();
    expect((await SessionHistory.read(file))!.aliveAt).toBe(T0 + 10 * 60_000); // nothing open: no marks
  });

  it('a file that is not a history at all is read as empty lines skipped', async () => {
    await writeFile(file, 'hello\nworld\n');
    expect(await SessionHistory.read(file)).toMatchObject({ sessions: [], intervals: [], skippedLines: 2 });
    expect(await SessionHistory.read(join(dir, 'missing.log'))).toBeUndefined();
  });

  // A real full disk: a 64 KiB tmpfs mounted by the test (root in the test container; skipped where mounting is not allowed).
  it.skipIf(!canMount())('a full disk loses the changes meanwhile, never throws, and the file stays clean for what comes after', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'evse-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    try {
      file = join(mount, 'sessions.log');
      const h = await history();
      h.session(done('before', T0), true);
      await h.flush();
      const filler = await openFile(join(mount, 'filler'), 'w');
      try {
        for (;;) await filler.write(Buffer.alloc(4096, 1));
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      await filler.close();
      // Larger than the slack of the file's last page: it needs a page the disk does not have.
      h.session({ ...done('lost', T0 + H), faults: Array.from({ length: 10 }, (_, i) => `OtherError: ${String(i).repeat(900)}`) }, true);
      await h.flush();
      await rm(join(mount, 'filler'));
      h.session(done('after', T0 + 2 * H), true);
      await h.close();
      const read = (await SessionHistory.read(file))!;
      expect(read.sessions.map((s) => s.id)).toEqual(['before', 'after']);
      expect(read.skippedLines).toBe(0);
    } finally {
      execFileSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

function canMount(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'evse-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
