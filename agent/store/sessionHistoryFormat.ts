/**
 * The line format of the session history (SessionHistory.ts), and decoding a whole file. Pure
 * functions over bytes, tested without a disk.
 *
 *     <crc32 of the JSON, 8 hex digits> <JSON>\n      (./checksummedLine.ts)
 *     JSON = {"h":{"v":1,"since":ms,"connectors":n,"chargePointId":id}}   header (the last one counts)
 *          | {"s":SessionRecord,"c":1}    a session as it is now ("c": complete); the last line of an id counts
 *          | {"i":UsageInterval}          an interval as it is now; the last line of connector/kind/from counts
 *          | {"a":ms}                     the agent was alive then (written while something is open)
 *
 * Every change is a new line, so a crash loses at most the line being written: a last line without
 * its newline is a torn write and is ignored (the writer cuts it off before appending); a line whose
 * checksum or shape is wrong is skipped and counted, never fatal.
 */
import { checksummedLine, parseChecksummedLine } from './checksummedLine.js';
import { intervalKey, INTERVAL_KINDS, type SessionRecord, type UsageInterval } from './usageTypes.js';

export const HISTORY_VERSION = 1;

export interface HistoryHeader {
  v: number;
  /** The history is complete from this moment on (creation, or where the cap last cut it). */
  since: number;
  connectors: number;
  chargePointId?: string;
}

export type HistoryLine = { h: HistoryHeader } | { s: SessionRecord; c?: 1 } | { i: UsageInterval } | { a: number };

export function encodeHistoryLine(line: HistoryLine): string {
  return checksummedLine(line);
}

export interface DecodedHistory {
  header: HistoryHeader | undefined;
  /** By id, in the order ids first appeared, with whether the session is complete. */
  sessions: Map<string, { record: SessionRecord; complete: boolean }>;
  /** By {@link intervalKey}. */
  intervals: Map<string, UsageInterval>;
  /** The latest moment the file tells of (alive marks and every time in its records). */
  aliveAt: number | undefined;
  /** Valid lines read. */
  lines: number;
  /** Complete lines that were not valid (bad checksum, JSON or shape). */
  skippedLines: number;
  /** Offset just after the last complete line: bytes after it are a torn write. */
  validEnd: number;
}

const NEWLINE = 0x0a;

export function decodeHistory(bytes: Uint8Array): DecodedHistory {
  const out: DecodedHistory = { header: undefined, sessions: new Map(), intervals: new Map(), aliveAt: undefined, lines: 0, skippedLines: 0, validEnd: 0 };
  const seen = (t: number | undefined) => {
    if (t !== undefined && (out.aliveAt === undefined || t > out.aliveAt)) out.aliveAt = t;
  };
  for (let pos = 0; pos < bytes.length; ) {
    const nl = bytes.indexOf(NEWLINE, pos);
    if (nl === -1) break; // a last line without its newline was never completely written
    const line = parseLine(bytes.subarray(pos, nl));
    pos = nl + 1;
    out.validEnd = pos;
    if (!line) {
      out.skippedLines++;
      continue;
    }
    out.lines++;
    if ('h' in line) out.header = line.h;
    else if ('a' in line) seen(line.a);
    else if ('i' in line) {
      out.intervals.set(intervalKey(line.i), line.i);
      seen(line.i.to ?? line.i.from);
    } else {
      const r = line.s;
      out.sessions.set(r.id, { record: r, complete: line.c === 1 });
      for (const t of [r.startedAt, r.stoppedAt, r.unpluggedAt, r.chargeEndedAt]) seen(t);
    }
  }
  return out;
}

function parseLine(line: Uint8Array): HistoryLine | undefined {
  const value = parseChecksummedLine(line);
  return isLine(value) ? value : undefined;
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isLine(v: unknown): v is HistoryLine {
  if (!isObject(v)) return false;
  if ('h' in v) return isObject(v.h) && v.h.v === HISTORY_VERSION && isTime(v.h.since) && Number.isInteger(v.h.connectors);
  if ('a' in v) return isTime(v.a);
  if ('i' in v) {
    const i = v.i;
    return isObject(i) && Number.isInteger(i.connectorId) && INTERVAL_KINDS.includes(i.kind as never) && isTime(i.from) && (i.to === undefined || isTime(i.to));
  }
  if ('s' in v) {
    const s = v.s;
    return isObject(s) && typeof s.id === 'string' && Number.isInteger(s.connectorId) && isTime(s.startedAt) && isTime(s.chargingMs) && Array.isArray(s.faults);
  }
  return false;
}
