/**
 * FileJournal on a real full disk: a tmpfs of 64 KiB mounted by the test (root in the test
 * container; skipped where mounting is not allowed) and filled with a file. A compaction that
 * cannot write its new file leaves the old one in use, rejects the acknowledgement that triggered
 * it with JOURNAL_FULL (the acknowledgement itself is durable) and is retried by probe() until
 * space is freed. Nothing journaled before is lost on the way.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from './FileJournal.js';
import type { JournalEntry } from './TransactionJournal.js';

let mounted: string | undefined;
let journal: FileJournal | undefined;

function mount(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'journal-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}
const canMount = (() => {
  const dir = mount();
  if (!dir) return false;
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return true;
})();

afterEach(async () => {
  await journal?.close().catch(() => undefined);
  journal = undefined;
  if (mounted) {
    execFileSync('umount', [mounted]);
    rmSync(mounted, { recursive: true, force: true });
    mounted = undefined;
  }
});

async function fill(file: string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    for (let i = 0; i < 100; i++) await fh.write(Buffer.alloc(4096, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await fh.close();
  }
}

const meter = (localId: string): JournalEntry => ({
  kind: 'meter',
  localId,
  connectorId: 1,
  payload: { connectorId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00.000Z', sampledValue: [{ value: '100' }] }] },
});

describe.runIf(canMount)('FileJournal on a full disk (tmpfs)', () => {
  it('rejects the acknowledgement whose compaction failed, keeps the file consistent, and compacts once space is back', async () => {
    mounted = mount()!;
    const file = join(mounted, 'journal.log');
    journal = await FileJournal.open({ file });
    const a = await journal.append(meter('a'));
    const b = await journal.append(meter('b'));
    await fill(join(mounted, 'filler'));

    await journal.ack(a.seq); // b still pending: no compaction wanted
    await expect(journal.ack(b.seq)).rejects.toMatchObject({ code: 'JOURNAL_FULL' }); // empty now: compaction, which needs a new file
    expect(journal.pending()).toEqual([]); // the acknowledgement line itself is durable
    await expect(journal.probe()).rejects.toMatchObject({ code: 'JOURNAL_FULL' }); // the overdue compaction is part of the probe
    const reopened = await FileJournal.open({ file });
    expect(reopened.pending()).toEqual([]); // nothing acknowledged comes back, nothing torn
    await reopened.close();

    await rm(join(mounted, 'filler'));
    await journal.probe();
    expect(journal.fileBytes).toBeLessThan(100); // compacted to its header
    const c = await journal.append(meter('c'));
    expect(journal.pending()).toEqual([c]);
  });
});
