/** FileJournal on a real file: replay, torn tails, corruption, compaction, disk errors. */
import { mkdtemp, readFile, rm, stat, symlink, writeFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from './FileJournal.js';
import { JournalError, journalErrorOf } from './JournalError.js';
import { encodeLine } from './journalFormat.js';
import type { JournalEntry } from './TransactionJournal.js';

const dirs: string[] = [];
const journals: FileJournal[] = [];
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function fresh(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  dirs.push(dir);
  return join(dir, 'data', 'journal.log');
}

async function openAt(file: string, compactAtBytes?: number): Promise<FileJournal> {
  const j = await FileJournal.open({ file, ...(compactAtBytes !== undefined && { compactAtBytes }) });
  journals.push(j);
  return j;
}

const meter = (localId: string, value = '1'): JournalEntry => ({
  kind: 'meter',
  localId,
  connectorId: 1,
  payload: { connectorId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00.000Z', sampledValue: [{ value }] }] },
});
const localIds = (j: FileJournal) => j.pending().map((r) => r.entry.localId);

describe('FileJournal', () => {
  it('replays pending records in order after a reopen, without the acknowledged ones, and keeps numbering', async () => {
    const file = await fresh();
    const a = await openAt(file);
    // Concurrent appends keep their call order.
    await Promise.all(['t1', 't2', 't3', 't4'].map((id) => a.append(meter(id))));
    await a.ack(2, 3);
    const b = await openAt(file); // no close: a power cut
    expect(b.pending()).toEqual([
      { seq: 1, entry: meter('t1') },
      { seq: 4, entry: meter('t4') },
    ]);
    expect((await b.append(meter('t5'))).seq).toBe(5);
  });

  it('cuts a torn tail off and appends after the last good record', async () => {
    const file = await fresh();
    const a = await openAt(file);
    await a.append(meter('t1'));
    const good = (await stat(file)).size;
    await appendFile(file, encodeLine({ a: 2, e: meter('t2') }).subarray(0, 30)); // power cut mid-write
    const b = await openAt(file);
    expect(localIds(b)).toEqual(['t1']);
    expect((await stat(file)).size).toBe(good);
    await b.append(meter('t3'));
    expect(localIds(await openAt(file))).toEqual(['t1', 't3']);
  });

  it('ignores a complete-looking last line whose checksum does not match', async () => {
    const file = await fresh();
    const a = await openAt(file);
    await a.append(meter('t1'));
    const line = encodeLine({ a: 2, e: meter('t2') });
    line[0] = line[0] === 0x30 ? 0x31 : 0x30; // wrong checksum digit
    await appendFile(file, line);
    expect(localIds(await openAt(file))).toEqual(['t1']);
  });

  it('skips a corrupt record between good ones (not a torn write) and rewrites the file without it', async () => {
    const file = await fresh();
    const a = await openAt(file);
    for (const id of ['t1', 't2', 't3']) await a.append(meter(id, '12345'));
    const bytes = await readFile(file);
    const at = bytes.indexOf('"t2"') + 2;
    bytes[at] = bytes[at]! ^ 0x01; // one flipped bit in the middle record
    await writeFile(file, bytes);
    const b = await openAt(file);
    expect(localIds(b)).toEqual(['t1', 't3']);
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(3); // header + 2
    expect(localIds(await openAt(file))).toEqual(['t1', 't3']);
  });

  it('compacts to a header once everything is acknowledged (bounded growth over many transactions)', async () => {
    const file = await fresh();
    const j = await openAt(file);
    for (let i = 0; i < 200; i++) {
      const r = await j.append(meter(`t${i}`));
      await j.ack(r.seq);
    }
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(j.fileBytes).toBe((await stat(file)).size);
    expect((await openAt(file)).pending()).toEqual([]);
    expect((await j.append(meter('next'))).seq).toBe(201);
  });

  it('also compacts while a record stays pending for long (another connector still charging)', async () => {
    const file = await fresh();
    const j = await openAt(file, 4096);
    await j.append(meter('long-running'));
    for (let i = 0; i < 300; i++) await j.ack((await j.append(meter(`t${i}`))).seq);
    expect((await stat(file)).size).toBeLessThan(2 * 4096);
    expect(localIds(await openAt(file))).toEqual(['long-running']);
  });

  it('leaves no temporary file behind and ignores one a cut-short compaction left', async () => {
    const file = await fresh();
    const j = await openAt(file);
    await j.ack((await j.append(meter('t1'))).seq);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    await j.append(meter('t2'));
    await writeFile(`${file}.tmp`, 'half a compaction');
    expect(localIds(await openAt(file))).toEqual(['t2']);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('rejects an append with JOURNAL_FULL when the disk is full, and keeps what it had', async () => {
    if (!existsSync('/dev/full')) return;
    const file = await fresh();
    await openAt(join(file, '..', 'probe.log')); // creates the directory
    await symlink('/dev/full', file); // every write: ENOSPC
    const j = await openAt(file);
    const failure = await j.append(meter('t1')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(JournalError);
    expect(failure).toMatchObject({ code: 'JOURNAL_FULL', message: expect.stringContaining('full') });
    expect(j.pending()).toEqual([]);
  });

  it('maps read-only and I/O errors to their codes', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(journalErrorOf(err('EROFS'), 'writing x').code).toBe('JOURNAL_READ_ONLY');
    expect(journalErrorOf(err('EACCES'), 'writing x').code).toBe('JOURNAL_READ_ONLY');
    expect(journalErrorOf(err('EDQUOT'), 'writing x').code).toBe('JOURNAL_FULL');
    expect(journalErrorOf(err('EIO'), 'writing x')).toMatchObject({ code: 'JOURNAL_IO', cause: err('EIO') });
  });

  it('rejects with JOURNAL_CLOSED after close, and with JOURNAL_FORMAT for a file of an unknown version', async () => {
    const file = await fresh();
    const j = await openAt(file);
    await j.close();
    await expect(j.append(meter('t1'))).rejects.toMatchObject({ code: 'JOURNAL_CLOSED' });
    await writeFile(file, encodeLine({ v: 99, next: 1 } as never));
    await expect(FileJournal.open({ file })).rejects.toMatchObject({ code: 'JOURNAL_FORMAT' });
  });
});
