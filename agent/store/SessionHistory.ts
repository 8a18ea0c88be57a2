/**
 * The session history of `evse run` (`<dataDir>/sessions.log`): the {@link UsageSink} that keeps
 * session records and connector intervals durably, bounded, for `evse sessions` and planning.
 *
 * - Append-only, one checksummed line per change (./sessionHistoryFormat.ts), `fdatasync` after
 *   each, so a SIGKILL or power cut loses at most the line being written; a torn last line is cut
 *   off at open and a bad line is skipped, never fatal. A session is a few lines (start, charging
 *   stretches, stop, unplug): next to the transaction journal's line per meter sample this is noise
 *   for the flash.
 * - While a session or interval is open, an alive mark is written when nothing else was for
 *   `aliveEveryMs` (default 60 s): after a crash, open intervals end at the last sign of life.
 * - Bounded: at open, and whenever the file has grown to twice its live lines, it is rewritten
 *   (writeAtomically: the old or the new file survives) with the newest `maxSessions` complete
 *   sessions, none older than `maxDays`, the open ones, and the intervals of the period kept;
 *   the header's `since` moves to where the history is complete.
 * - Usage data is for planning, not billing (the journal is for that): a write that fails is
 *   logged and the agent goes on charging.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/index.js';
import { intervalKey, type SessionRecord, type UsageInterval, type UsageResume, type UsageSink } from './usageTypes.js';
import { decodeHistory, encodeHistoryLine, HISTORY_VERSION, type DecodedHistory, type HistoryHeader, type HistoryLine } from './sessionHistoryFormat.js';
import { writeAtomically } from './writeAtomically.js';

const DAY_MS = 86_400_000;
/** Compaction waits for at least this many lines beyond the live ones. */
const MIN_GROWTH_LINES = 1000;
/** Intervals kept beside the sessions: this many per session allowed, plus a margin. */
const INTERVALS_PER_SESSION = 10;

export interface SessionHistoryOptions {
  /** The history file, e.g. `<dataDir>/sessions.log`; created (with its directory) if missing. */
  file: string;
  clock: Clock;
  log?: Logger;
  /** Complete sessions kept (the oldest are dropped), at least 1. */
  maxSessions: number;
  /** Sessions and intervals older than this many days are dropped; 0: no age limit. */
  maxDays: number;
  /** Connectors of the charger (the denominator of the time shares). */
  connectors: number;
  chargePointId?: string;
  /** Alive mark at most this often while something is open (default 60 000 ms of clock time). */
  aliveEveryMs?: number;
  /** Compaction waits for at least this many lines beyond the live ones (default 1000). */
  growthLines?: number;
}

/** What `evse sessions` reads. */
export interface HistoryContents {
  since: number | undefined;
  connectors: number | undefined;
  chargePointId: string | undefined;
  /** Oldest first. */
  sessions: SessionRecord[];
  /** Oldest first. */
  intervals: UsageInterval[];
  /** The latest moment the file tells of: intervals still open end there. */
  aliveAt: number | undefined;
  skippedLines: number;
}

export class SessionHistory implements UsageSink {
  private readonly openSessions = new Map<string, SessionRecord>();
  private readonly openIntervals = new Map<string, UsageInterval>();
  private aliveAt: number | undefined;
  private lastWriteAt = 0;
  /** Lines in the file, and the count at which it is compacted. */
  private lines = 0;
  private compactAt: number;
  /** End of the last complete line (where the next one goes); a failed write may leave bytes after it. */
  private size = 0;
  private dirtyTail = false;
  private failing = false;
  private closed = false;
  private timer: TimerId | undefined;
  /** File operations one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly o: SessionHistoryOptions,
    private fh: FileHandle,
    private header: HistoryHeader,
  ) {
    this.compactAt = this.growth;
  }

  private get growth(): number {
    return this.o.growthLines ?? MIN_GROWTH_LINES;
  }

  /** Reads a history file without changing it; undefined when there is none. */
  static async read(file: string): Promise<HistoryContents | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const d = decodeHistory(bytes);
    return {
      since: d.header?.since,
      connectors: d.header?.connectors,
      chargePointId: d.header?.chargePointId,
      sessions: [...d.sessions.values()].map((s) => s.record).sort((a, b) => a.startedAt - b.startedAt),
      intervals: [...d.intervals.values()].sort((a, b) => a.from - b.from || a.connectorId - b.connectorId),
      aliveAt: d.aliveAt,
      skippedLines: d.skippedLines,
    };
  }

  /** Opens (or creates) the history, cuts off a torn tail and applies the cap. Rejects when the file cannot be used. */
  static async open(o: SessionHistoryOptions): Promise<SessionHistory> {
    await mkdir(dirname(o.file), { recursive: true });
    const fh = await open(o.file, constants.O_RDWR | constants.O_CREAT);
    try {
      const { size } = await fh.stat();
      const bytes = Buffer.alloc(size);
      if (size > 0) await fh.read(bytes, 0, size, 0);
      const decoded = decodeHistory(bytes);
      const now = o.clock.now();
      const header: HistoryHeader = {
        v: HISTORY_VERSION,
        since: decoded.header?.since ?? now,
        connectors: o.connectors,
        ...(o.chargePointId !== undefined && { chargePointId: o.chargePointId }),
      };
      const history = new SessionHistory(o, fh, header);
      if (decoded.skippedLines > 0) o.log?.warn({ file: o.file, skippedLines: decoded.skippedLines }, 'session history: unreadable lines skipped');
      if (decoded.validEnd < size) {
        o.log?.warn({ file: o.file, tornBytes: size - decoded.validEnd }, 'session history: torn last line from an interrupted write cut off');
        await fh.truncate(decoded.validEnd);
        await fh.datasync();
      }
      history.size = decoded.validEnd;
      history.lines = decoded.lines;
      history.aliveAt = decoded.aliveAt;
      for (const { record, complete } of decoded.sessions.values()) if (!complete) history.openSessions.set(record.id, record);
      for (const [key, i] of decoded.intervals) if (i.to === undefined) history.openIntervals.set(key, i);
      // Rewritten at open when the cap (also a lowered one) drops something, the header changed or it has grown.
      await history.rewrite(decoded, { onlyIfNeeded: decoded.header });
      history.arm();
      return history;
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  session(record: Readonly<SessionRecord>, complete: boolean): void {
    if (complete) this.openSessions.delete(record.id);
    else this.openSessions.set(record.id, structuredClone(record));
    this.append(complete ? { s: record, c: 1 } : { s: record });
  }

  interval(interval: Readonly<UsageInterval>): void {
    const key = intervalKey(interval);
    if (interval.to === undefined) this.openIntervals.set(key, { ...interval });
    else this.openIntervals.delete(key);
    this.append({ i: interval });
  }

  /** The tracker stops (a Reset): open intervals of the next one begin after this. */
  alive(at: number): void {
    this.append({ a: at });
  }

  /** What a new tracker takes over (after a restart, or a Reset within the process). */
  resumeState(): UsageResume {
    return {
      sessions: [...this.openSessions.values()].map((s) => structuredClone(s)),
      intervals: [...this.openIntervals.values()].map((i) => ({ ...i })),
      ...(this.aliveAt !== undefined && { aliveAt: this.aliveAt }),
    };
  }

  /**
   * The sessions of one driver, found by the hash of their identifier (a privacy request, OCPP 2.0.1
   * CustomerInformation), complete and still open. With `erase`, the hash is taken out of the
   * complete ones, on disk before this resolves (the file is rewritten); an open session keeps it,
   * as its record is written again while it goes on.
   */
  driverSessions(idTagHash: string, erase: boolean): Promise<{ complete: SessionRecord[]; open: SessionRecord[] }> {
    const run = async (): Promise<{ complete: SessionRecord[]; open: SessionRecord[] }> => {
      if (this.closed) throw new Error('session history closed');
      const d = await this.readWritten();
      const complete: SessionRecord[] = [];
      const open: SessionRecord[] = [];
      for (const s of d.sessions.values()) if (s.record.idTagHash === idTagHash) (s.complete ? complete : open).push(structuredClone(s.record));
      if (erase && complete.length > 0) {
        for (const s of d.sessions.values()) if (s.complete && s.record.idTagHash === idTagHash) delete s.record.idTagHash;
        await this.rewrite(d);
        this.o.log?.info({ file: this.o.file, sessions: complete.length }, 'session history: a driver\'s identifier erased from their sessions');
      }
      return { complete, open };
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every line handed over so far is on disk (or failed). */
  flush(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Writes what is queued, then closes the file. Later changes are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    await this.queue;
    await this.fh.close().catch(() => undefined);
  }

  private append(line: HistoryLine): void {
    if (this.closed) return;
    const text = encodeHistoryLine(line);
    const now = this.o.clock.now();
    this.lastWriteAt = now;
    this.aliveAt = Math.max(this.aliveAt ?? now, now);
    this.queue = this.queue.then(() => this.write(text));
  }

  private async write(text: string): Promise<void> {
    try {
      if (this.dirtyTail) await this.fh.truncate(this.size);
      this.dirtyTail = true;
      const bytes = Buffer.from(text, 'utf8');
      for (let done = 0; done < bytes.length; ) done += (await this.fh.write(bytes, done, bytes.length - done, this.size + done)).bytesWritten;
      await this.fh.datasync();
      this.dirtyTail = false;
      this.size += bytes.length;
      this.lines++;
      if (this.failing) this.o.log?.info({ file: this.o.file }, 'session history: writes again');
      this.failing = false;
    } catch (err) {
      // Charging goes on; the history misses this change.
      if (!this.failing) this.o.log?.warn({ err, file: this.o.file }, 'session history: write failed; usage data is incomplete until it works again');
      this.failing = true;
      return;
    }
    if (this.lines >= this.compactAt) {
      await this.compact().catch((err: unknown) => {
        this.o.log?.warn({ err, file: this.o.file }, 'session history: compaction failed; retried later');
        this.compactAt = this.lines + this.growth;
      });
    }
  }

  /** Alive marks while something is open and nothing else was written for `aliveEveryMs`. */
  private arm(): void {
    const every = this.o.aliveEveryMs ?? 60_000;
    this.timer = this.o.clock.setTimeout(() => {
      const now = this.o.clock.now();
      if ((this.openSessions.size > 0 || this.openIntervals.size > 0) && now - this.lastWriteAt >= every) this.append({ a: now });
      if (!this.closed) this.arm();
    }, every);
  }

  private async compact(): Promise<void> {
    await this.rewrite(await this.readWritten());
  }

  /** What the file holds up to the last whole line written, decoded. */
  private async readWritten(): Promise<DecodedHistory> {
    const bytes = Buffer.alloc(this.size);
    if (this.size > 0) await this.fh.read(bytes, 0, this.size, 0);
    return decodeHistory(bytes);
  }

  /**
   * Rewrites the file with what the cap keeps (see the header), then appends to the new file.
   * `onlyIfNeeded` (the header in the file): not when that would change nothing but the order of lines.
   */
  private async rewrite(d: DecodedHistory, options: { onlyIfNeeded?: HistoryHeader | undefined } = {}): Promise<void> {
    const kept = retain(d, this.header, this.o, this.o.clock.now());
    const dropped = d.sessions.size - kept.sessions.length;
    const live = 1 + kept.sessions.length + kept.intervals.length;
    if ('onlyIfNeeded' in options) {
      const was = options.onlyIfNeeded;
      const same = was !== undefined && JSON.stringify(was) === JSON.stringify(kept.header);
      if (same && dropped === 0 && kept.intervals.length === d.intervals.size && d.lines < Math.max(2 * live, live + this.growth)) {
        this.compactAt = Math.max(2 * live, live + this.growth);
        return;
      }
    }
    if (dropped > 0) this.o.log?.info({ file: this.o.file, dropped, since: new Date(kept.header.since).toISOString() }, 'session history: oldest sessions dropped (cap)');
    this.header = kept.header;
    const lines: HistoryLine[] = [{ h: kept.header }, ...kept.sessions.map((s) => (s.complete ? { s: s.record, c: 1 as const } : { s: s.record })), ...kept.intervals.map((i) => ({ i }))];
    if (d.aliveAt !== undefined) lines.push({ a: d.aliveAt });
    const text = lines.map(encodeHistoryLine).join('');
    await writeAtomically(this.o.file, text);
    // The handle follows the replaced file: open the new one.
    const fh = await open(this.o.file, constants.O_RDWR);
    const old = this.fh;
    this.fh = fh;
    await old.close().catch(() => undefined);
    this.size = Buffer.byteLength(text, 'utf8');
    this.dirtyTail = false;
    this.lines = lines.length;
    this.compactAt = Math.max(2 * this.lines, this.lines + this.growth);
  }
}

/**
 * What the cap keeps: every open session; the newest `maxSessions` complete ones, none that started
 * before `now − maxDays`; intervals still open or ending after the new `since`, at most
 * {@link INTERVALS_PER_SESSION} per session allowed. `since` moves to the earliest time from which
 * all that is kept is complete.
 */
export function retain(d: DecodedHistory, header: HistoryHeader, caps: Pick<SessionHistoryOptions, 'maxSessions' | 'maxDays'>, now: number): { header: HistoryHeader; sessions: { record: SessionRecord; complete: boolean }[]; intervals: UsageInterval[] } {
  let since = header.since;
  if (caps.maxDays > 0) since = Math.max(since, now - caps.maxDays * DAY_MS);
  const all = [...d.sessions.values()];
  const complete = all.filter((s) => s.complete && s.record.startedAt >= since).sort((a, b) => b.record.startedAt - a.record.startedAt);
  const maxSessions = Math.max(1, caps.maxSessions);
  if (complete.length > maxSessions) {
    // The newest maxSessions stay; the history is complete from the oldest of them on.
    since = Math.max(since, complete[maxSessions - 1]!.record.startedAt);
    complete.length = maxSessions;
  }
  const sessions = [...all.filter((s) => !s.complete), ...complete].sort((a, b) => a.record.startedAt - b.record.startedAt);
  let intervals = [...d.intervals.values()].filter((i) => i.to === undefined || i.to > since).sort((a, b) => a.from - b.from);
  const maxIntervals = INTERVALS_PER_SESSION * maxSessions + MIN_GROWTH_LINES;
  const closed = intervals.filter((i) => i.to !== undefined).sort((a, b) => a.to! - b.to!);
  if (closed.length > maxIntervals) {
    const cut = closed[closed.length - maxIntervals - 1]!.to!;
    since = Math.max(since, cut);
    intervals = intervals.filter((i) => i.to === undefined || i.to > since);
  }
  return { header: { ...header, since }, sessions, intervals };
}
