/**
 * Journal failures after start (issue 4, item 5): the data disk fills up or stops taking new files
 * in the middle of a session, exactly while the CSMS answers a StopTransaction, so the write that
 * records the delivery (the compaction after the acknowledgement) is the one that fails.
 *
 * Real file-system failures, no fs wrapper: the journal lives on a tmpfs of 256 KiB mounted by the
 * test (root in the test container), filled with a file (ENOSPC) or made immutable with
 * `chattr +i` (EPERM on creating the compaction file; read as "read-only") from inside the CSMS's
 * reply. `mount -o remount,ro` cannot be used: the kernel refuses it (EBUSY) while the journal is
 * open for writing, and chmod does not stop root. Skipped where mounting is not allowed.
 * The acknowledgement line itself failing is covered in TransactionSender.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from '../store/FileJournal.js';
import { CP, agentFixture, cleanupAgents, startSession, type AgentFixture } from '../../test/support/agentFixture.js';

const CARD = '04A1B2C3D4E5F6';
const mounts: string[] = [];

function mountTmpfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evse-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
  mounts.push(dir);
  return dir;
}

const canMount = (() => {
  try {
    const dir = mountTmpfs();
    execFileSync('umount', [dir]);
    mounts.pop();
    rmSync(dir, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
})();

const immutable = (dir: string, on: boolean): void => void execFileSync('chattr', [on ? '+i' : '-i', dir]);

/** Writes a file until the file system is full (ENOSPC). */
async function fill(file: string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    for (let i = 0; i < 1000; i++) await fh.write(Buffer.alloc(4096, 1));
    throw new Error('tmpfs never filled up');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await fh.close();
  }
}

const journals: FileJournal[] = [];
afterEach(async () => {
  await cleanupAgents();
  for (const j of journals.splice(0)) await j.close().catch(() => undefined);
  for (const dir of mounts.splice(0)) {
    execFileSync('chattr', ['-i', dir]);
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function chargingOnTmpfs(): Promise<{ f: AgentFixture; dir: string; journal: FileJournal }> {
  const dir = mountTmpfs();
  const journal = await FileJournal.open({ file: join(dir, 'journal.log') });
  journals.push(journal);
  const f = await agentFixture({ journal, ocpp: { MeterValueSampleInterval: 60 } });
  await startSession(f, CARD);
  await f.advance(2 * 60_000);
  return { f, dir, journal };
}

/** Stops the running transaction remotely; `beforeAnswer` runs inside the CSMS, before it answers. */
async function remoteStop(f: AgentFixture, beforeAnswer: () => Promise<void> | void): Promise<void> {
  f.csms.respondOnce('StopTransaction', async (_req, ctx) => {
    await beforeAnswer();
    return ctx.defaultReply();
  });
  const { transactionId } = f.csms.transactions(CP)[0]!;
  expect(await f.csms.call(CP, 'RemoteStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
}

/** A new session: the card is refused (or not) before the contactor closes. */
async function tryNewSession(f: AgentFixture): Promise<void> {
  f.sim.connectors[0]!.ev.unplug();
  await f.advance(1000);
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(1000);
  f.sim.rfid.tap(CARD);
  await f.advance(2000);
}

describe.runIf(canMount)('journal write fails after start (tmpfs)', () => {
  it('data directory read-only mid-session: the failed compaction is a STORAGE_FAULT, sessions wait until it is writable', async () => {
    const { f, dir, journal } = await chargingOnTmpfs();
    await remoteStop(f, () => immutable(dir, true));
    await f.advance(30_000);

    expect(f.sent('StopTransaction')).toHaveLength(1);
    expect(journal.pending()).toEqual([]); // the acknowledgement itself was durable
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(f.sent('StatusNotification').find((s) => s.errorCode === 'OtherError')).toMatchObject({ status: 'Faulted', info: expect.stringContaining('read-only') });
    await tryNewSession(f);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');

    await f.advance(61_000); // the periodic probe retries the compaction: still refused
    expect(f.agent.connectors[0]!.status).toBe('Faulted');

    immutable(dir, false);
    await f.advance(61_000);
    expect(f.agent.connectors[0]!.status).not.toBe('Faulted');
    expect(journal.fileBytes).toBeLessThan(100); // compacted to its header
    expect(f.sent('StopTransaction')).toHaveLength(1);
    await tryNewSession(f);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sent('StartTransaction')).toHaveLength(2);
  });

  it('disk full mid-session: the compaction after the acknowledgement fails, is reported, and retried until space is freed', async () => {
    const { f, dir, journal } = await chargingOnTmpfs();
    const filler = join(dir, 'filler');
    await remoteStop(f, () => fill(filler));
    await f.advance(30_000);

    expect(f.sent('StopTransaction')).toHaveLength(1);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(f.sent('StatusNotification').find((s) => s.errorCode === 'OtherError')).toMatchObject({ status: 'Faulted', info: expect.stringContaining('full') });
    await tryNewSession(f);
    expect(f.sent('StartTransaction')).toHaveLength(1);

    await f.advance(61_000); // the periodic probe retries the compaction: still full
    expect(f.agent.connectors[0]!.status).toBe('Faulted');

    await rm(filler);
    await f.advance(61_000);
    expect(f.agent.connectors[0]!.status).not.toBe('Faulted');
    expect(journal.fileBytes).toBeLessThan(100); // compacted to its header
    await tryNewSession(f);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sent('StopTransaction')).toHaveLength(1);
  });
});
