/**
 * The charger's local security log (OCPP 1.6 Security Whitepaper, "Security events": every event
 * is logged locally, critical or not): one JSON line per event in `<dataDir>/security/security.log`,
 * readable with `cat`, uploaded by GetLog(SecurityLog).
 *
 * Bounded and rotated: when the file would grow past `maxBytes` it becomes `security.log.1` (the
 * older generations move up, the oldest beyond `generations` is deleted), so the log never takes
 * more than about maxBytes × (generations + 1) of a board's flash. Files are created with mode
 * 0600 (techInfo may name hosts and certificate subjects). A line torn by a power cut is skipped
 * when the log is read. Writes run one at a time in call order; a write that fails is logged and
 * dropped (the event still went to the process log and, if critical, to the CSMS queue).
 *
 * Without a file (fleets, tests) the newest `memoryEntries` entries are kept in memory.
 */
import { appendFile, readFile, rename, rm, stat } from 'node:fs/promises';
import type { Logger } from 'pino';

export interface SecurityLogEntry {
  /** When it happened, ISO 8601 on the agent's clock. */
  timestamp: string;
  type: string;
  techInfo?: string;
  /** Sent to the CSMS (the whitepaper's critical events). */
  critical: boolean;
}

export interface SecurityLogOptions {
  /** The log file; null keeps the newest entries in memory only. */
  file: string | null;
  log: Logger;
  /** Rotate when the file would exceed this many bytes (default 256 KiB). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 3). */
  generations?: number;
  /** Entries kept without a file (default 1000). */
  memoryEntries?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_GENERATIONS = 3;
const DEFAULT_MEMORY_ENTRIES = 1000;
const FILE_MODE = 0o600;

export class SecurityLog {
  private size = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly memory: SecurityLogEntry[] = [];
  private readonly maxBytes: number;
  private readonly generations: number;

  private constructor(private readonly o: SecurityLogOptions) {
    this.maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
    this.generations = o.generations ?? DEFAULT_GENERATIONS;
  }

  static async open(options: SecurityLogOptions): Promise<SecurityLog> {
    const log = new SecurityLog(options);
    if (options.file) log.size = (await stat(options.file).catch(() => undefined))?.size ?? 0;
    return log;
  }

  /** Logs an entry; resolves once it is written (never rejects). */
  append(entry: SecurityLogEntry): Promise<void> {
    return this.inQueue(async () => {
      if (!this.o.file) {
        this.memory.push(entry);
        const max = this.o.memoryEntries ?? DEFAULT_MEMORY_ENTRIES;
        if (this.memory.length > max) this.memory.splice(0, this.memory.length - max);
        return;
      }
      const line = `${JSON.stringify(entry)}\n`;
      const bytes = Buffer.byteLength(line);
      try {
        if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate(this.o.file);
        await appendFile(this.o.file, line, { mode: FILE_MODE });
        this.size += bytes;
      } catch (err) {
        this.o.log.error({ err, file: this.o.file, type: entry.type }, 'security log: cannot write the event');
      }
    });
  }

  /**
   * Entries oldest first (all generations), optionally only those from `oldest` to `latest`
   * (inclusive, epoch ms): what GetLog(SecurityLog) uploads.
   */
  entries(range: { oldest?: number; latest?: number } = {}): Promise<SecurityLogEntry[]> {
    return this.inQueue(async () => {
      const all = this.o.file ? await this.readAll(this.o.file) : [...this.memory];
      return all.filter((e) => {
        const at = Date.parse(e.timestamp);
        return (range.oldest === undefined || at >= range.oldest) && (range.latest === undefined || at <= range.latest);
      });
    });
  }

  /**
   * Every entry as a line of JSON with its `time` (epoch ms): the SecurityLog source of the log
   * uploads (GetLog, agent/diagnostics), which filter by `time`.
   */
  async lines(): Promise<string[]> {
    return (await this.entries()).map((e) => JSON.stringify({ time: Date.parse(e.timestamp), ...e }));
  }

  /** Removes every entry (the caller raises SecurityLogWasCleared, which is then the first entry). */
  clear(): Promise<void> {
    return this.inQueue(async () => {
      this.memory.length = 0;
      if (!this.o.file) return;
      for (let g = this.generations; g >= 0; g--) await rm(generation(this.o.file, g), { force: true });
      this.size = 0;
    });
  }

  /** Settles when every append so far is written. */
  flush(): Promise<void> {
    return this.inQueue(async () => undefined);
  }

  private async rotate(file: string): Promise<void> {
    await rm(generation(file, this.generations), { force: true });
    for (let g = this.generations - 1; g >= 0; g--) {
      await rename(generation(file, g), generation(file, g + 1)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    this.size = 0;
  }

  private async readAll(file: string): Promise<SecurityLogEntry[]> {
    const out: SecurityLogEntry[] = [];
    for (let g = this.generations; g >= 0; g--) {
      const text = await readFile(generation(file, g), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          const entry = JSON.parse(line) as SecurityLogEntry;
          if (typeof entry.type === 'string' && typeof entry.timestamp === 'string') out.push(entry);
        } catch {
          // a line torn by a power cut
        }
      }
    }
    return out;
  }

  private inQueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** `security.log` (0), `security.log.1`, … */
function generation(file: string, n: number): string {
  return n === 0 ? file : `${file}.${n}`;
}
