/**
 * The durable transaction journal: an append-only log file, one checksummed line per record,
 * `fdatasync` after every append and every acknowledgement.
 *
 * Why a plain log and not an embedded database (figures in ../shared/REFERENCE.md, "Durable
 * storage on Node 20 here", and `npm run bench:journal`): append + fdatasync is as fast as
 * classic-level `{sync:true}` (one fsync per record, ≈ 1,000–1,800 durable appends/s on the dev
 * disk) and writes the fewest bytes per record (≈ one 4 KB data page plus the file-system journal;
 * SQLite WAL writes ~1.5×, LMDB ~2×, a rollback journal ~5× and 4 fsyncs), which is what wears a
 * board's eMMC. It needs no native module (better-sqlite3 compiles from source here, classic-level
 * and lmdb ship prebuilt binaries per platform), and the access pattern is exactly a queue:
 * append at the tail, acknowledge from the head, read everything back once at start.
 *
 * File format, UTF-8 text so a technician can read it with `cat`:
 *
 *     <crc32 of the JSON, 8 hex digits> <JSON>\n
 *     JSON = {"a":seq,"e":entry}   a record (its JournalEntry)
 *          | {"k":[seq,…]}         acknowledgement of one or more records, atomic
 *          | {"v":1,"next":seq}    header written by compaction: format version, next sequence
 *
 * Crash safety: a record counts only once its whole line, newline included, has a matching
 * checksum. A power cut mid-write leaves a torn tail (a partial line, zeros, garbage): on open it
 * is cut off, so the next append starts on a clean line and earlier records are never touched.
 * A bad line *between* good ones (media corruption, not a torn write) is skipped and logged, and
 * the file is rewritten without it. Compaction rewrites the file with only the pending records
 * (temporary file, fsync, rename, directory fsync: the old or the new file survives, never a mix)
 * when nothing is pending any more, or when the file is large and mostly acknowledged records.
 * A compaction that fails (disk full, read-only) leaves the old file in use; the acknowledgement
 * that triggered it rejects, so the disk problem is reported, and it is retried by the next
 * acknowledgement and by probe().
 */
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { JournalError, journalErrorOf } from './JournalError.js';
import type { JournalEntry, JournalRecord, TransactionJournal } from './TransactionJournal.js';
import { decodeJournal, encodeLine, type JournalLine } from './journalFormat.js';
import { syncDirectory } from './writeAtomically.js';

export interface FileJournalOptions {
  /** The log file, e.g. `<dataDir>/journal.log`; created (with its directory) if missing. */
  file: string;
  log?: Logger;
  /**
   * While records are pending, compact once the file exceeds this size and at least half of it is
   * acknowledged records (several connectors may keep the journal from ever being empty).
   * Default 256 KiB.
   */
  compactAtBytes?: number;
  /** What the file is called in log lines (default `transaction journal`). */
  name?: string;
}

/**
 * `E` is the entry type: transaction messages by default; another durable queue (the security
 * events, agent/security) stores its own entries in a file of its own. Each entry has a `kind`.
 */
export class FileJournal<E extends { kind: string } = JournalEntry> implements TransactionJournal<E> {
  private records: JournalRecord<E>[] = [];
  /** Bytes of each pending record's line, to know how much of the file is still live. */
  private readonly lineBytes = new Map<number, number>();
  private liveBytes = 0;
  /** End of the last complete, durable line: where the next one is written. */
  private size = 0;
  /** A failed write may have left a partial line after `size`: cut it before the next write. */
  private dirtyTail = false;
  /** The last compaction failed (disk full?): the file keeps growing until one succeeds. */
  private compactionOverdue = false;
  private closed = false;
  /** File operations run one at a time, in call order (append order is delivery order). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private fh: FileHandle,
    private nextSeq: number,
    private readonly log: Logger | undefined,
    private readonly compactAtBytes: number,
    private readonly name: string,
  ) {}

  /** Opens (or creates) the journal and replays it. Rejects with a {@link JournalError}. */
  static async open<E extends { kind: string } = JournalEntry>(options: FileJournalOptions): Promise<FileJournal<E>> {
    const { file, log } = options;
    const name = options.name ?? 'transaction journal';
    let fh: FileHandle;
    try {
      await mkdir(dirname(file), { recursive: true });
      // A temporary file left by a compaction cut short is never the journal: the rename did not happen.
      await rm(`${file}.tmp`, { force: true });
      fh = await openOrCreate(file);
    } catch (err) {
      throw journalErrorOf(err, `opening ${file}`);
    }
    try {
      // Read exactly the file's size, not "until EOF" (device files in tests never end).
      const { size } = await fh.stat();
      const bytes = Buffer.alloc(size);
      if (size > 0) await fh.read(bytes, 0, size, 0);
      const decoded = decodeJournal<E>(bytes);
      const journal = new FileJournal<E>(file, fh, decoded.nextSeq, log, options.compactAtBytes ?? 256 * 1024, name);
      for (const r of decoded.records) journal.track(r.record, r.bytes);
      journal.size = decoded.validEnd;
      if (decoded.skippedLines > 0) {
        log?.error({ file, skippedLines: decoded.skippedLines }, `${name}: corrupt records skipped; rewriting the file without them`);
        await journal.compactOrFlag().catch((err: unknown) => log?.warn({ err, file }, `${name}: rewrite failed; the corrupt lines stay skipped`));
      } else if (decoded.validEnd < size) {
        log?.warn({ file, tornBytes: size - decoded.validEnd }, `${name}: torn tail from an interrupted write cut off`);
        await fh.truncate(decoded.validEnd);
        await fh.datasync();
      }
      log?.info({ file, pending: journal.records.length, nextSeq: decoded.nextSeq }, `${name} opened`);
      return journal;
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw journalErrorOf(err, `replaying ${file}`);
    }
  }

  append(entry: E): Promise<JournalRecord<E>> {
    if (this.closed) return Promise.reject(closedError());
    // Numbered at call time: concurrent appends keep their call order.
    const record: JournalRecord<E> = { seq: this.nextSeq++, entry };
    return this.inQueue(async () => {
      const bytes = await this.writeLine({ a: record.seq, e: entry });
      this.track(record, bytes);
      return record;
    });
  }

  ack(...seqs: number[]): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    return this.inQueue(async () => {
      const known = seqs.filter((s) => this.lineBytes.has(s));
      if (known.length === 0) return;
      await this.writeLine({ k: known });
      for (const s of known) {
        this.liveBytes -= this.lineBytes.get(s) ?? 0;
        this.lineBytes.delete(s);
      }
      this.records = this.records.filter((r) => this.lineBytes.has(r.seq));
      if (this.wantsCompaction()) await this.compactOrFlag();
    });
  }

  pending(): readonly JournalRecord<E>[] {
    return this.records;
  }

  /**
   * Checks that the file still takes a durable write (disk full, read-only remount, failing
   * flash), so the agent can refuse a session *before* it closes a contactor it could not journal.
   * Writes one byte without a newline at the tail and cuts it off again: a crash in between leaves
   * a torn tail, which the next open ignores. Rejects with a {@link JournalError}.
   */
  probe(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    return this.inQueue(async () => {
      try {
        if (this.dirtyTail) await this.fh.truncate(this.size);
        this.dirtyTail = true;
        await writeFully(this.fh, Buffer.from('#'), this.size);
        await this.fh.datasync();
        await this.fh.truncate(this.size);
        this.dirtyTail = false;
      } catch (err) {
        throw journalErrorOf(err, `probing ${this.file}`);
      }
      // A compaction that failed (disk full) is part of "takes writes": retried here.
      if (this.compactionOverdue && this.wantsCompaction()) await this.compactOrFlag();
      this.compactionOverdue = false;
    });
  }

  /** Size of the log file in bytes (for benchmarks and diagnostics). */
  get fileBytes(): number {
    return this.size;
  }

  /** Waits for queued writes, then closes the file. Later appends and acks reject with JOURNAL_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.fh.close();
  }

  private track(record: JournalRecord<E>, bytes: number): void {
    this.records.push(record);
    this.lineBytes.set(record.seq, bytes);
    this.liveBytes += bytes;
  }

  private inQueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Writes one line at the end of the durable part and makes it durable; returns its length. */
  private async writeLine(json: JournalLine<E>): Promise<number> {
    const line = encodeLine(json);
    try {
      if (this.dirtyTail) {
        await this.fh.truncate(this.size);
        this.dirtyTail = false;
      }
      this.dirtyTail = true;
      await writeFully(this.fh, line, this.size);
      await this.fh.datasync();
      this.dirtyTail = false;
    } catch (err) {
      throw journalErrorOf(err, `writing ${this.file}`);
    }
    this.size += line.length;
    return line.length;
  }

  /** Nothing pending any more, or the file is large and mostly acknowledged records. */
  private wantsCompaction(): boolean {
    return this.records.length === 0 || (this.size > this.compactAtBytes && this.liveBytes * 2 < this.size);
  }

  /**
   * Compacts; a failure leaves the old, complete file in use, flags the compaction as overdue
   * (retried at the next acknowledgement and by {@link probe}) and rejects with a JournalError,
   * so that a disk filling up is reported even though the acknowledgement itself was durable.
   */
  private async compactOrFlag(): Promise<void> {
    try {
      await this.compact();
      this.compactionOverdue = false;
    } catch (err) {
      this.compactionOverdue = true;
      throw journalErrorOf(err, `compacting ${this.file}`);
    }
  }

  /** Rewrites the file with a header and the pending records only. */
  private async compact(): Promise<void> {
    const lines = [encodeLine({ v: 1, next: this.nextSeq })];
    for (const r of this.records) lines.push(encodeLine({ a: r.seq, e: r.entry }));
    const content = Buffer.concat(lines);
    const tmp = `${this.file}.tmp`;
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC);
      await writeFully(fh, content, 0);
      await fh.datasync();
      await rename(tmp, this.file);
    } catch (err) {
      // The old file is still complete and consistent: keep appending to it.
      await fh?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      this.log?.warn({ err, file: this.file }, `${this.name} compaction failed; will retry at the next acknowledgement`);
      throw err;
    }
    // The handle follows the renamed file, so no reopen can fail between here and the next append.
    const old = this.fh;
    this.fh = fh;
    await old.close().catch(() => undefined);
    await syncDirectory(dirname(this.file));
    this.size = content.length;
    this.dirtyTail = false;
    this.liveBytes = 0;
    for (const [i, r] of this.records.entries()) {
      const bytes = lines[i + 1]!.length;
      this.lineBytes.set(r.seq, bytes);
      this.liveBytes += bytes;
    }
    this.log?.debug({ file: this.file, bytes: this.size, pending: this.records.length }, `${this.name} compacted`);
  }
}

/** Positional write of all of `bytes` (a write may be short, e.g. at a signal). */
async function writeFully(fh: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

function closedError(): JournalError {
  return new JournalError('JOURNAL_CLOSED', 'transaction journal is closed');
}

/** Opens the file read-write; a new file's directory entry is made durable before any record goes in. */
async function openOrCreate(file: string): Promise<FileHandle> {
  try {
    return await open(file, constants.O_RDWR);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const fh = await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL);
  await syncDirectory(dirname(file));
  return fh;
}
