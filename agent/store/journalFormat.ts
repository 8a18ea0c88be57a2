/**
 * The line format of {@link FileJournal} (see its header): encoding one line, and decoding a whole
 * file into the pending records while telling a torn tail from corruption between good lines.
 * Pure functions over bytes, so they are tested without a disk.
 */
import { crc32 } from './crc32.js';
import { JournalError } from './JournalError.js';
import type { JournalEntry, JournalRecord } from './TransactionJournal.js';

export const FORMAT_VERSION = 1;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const HEX8 = /^[0-9a-f]{8}$/;

export type JournalLine = { a: number; e: JournalEntry } | { k: number[] } | { v: number; next: number };

/** `<crc32 hex> <json>\n` as bytes. JSON never contains a raw newline, so lines cannot split. */
export function encodeLine(line: JournalLine): Buffer {
  const json = Buffer.from(JSON.stringify(line), 'utf8');
  return Buffer.concat([Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} `, 'ascii'), json, Buffer.from('\n')]);
}

export interface DecodedJournal {
  /** Pending records in append order, each with the length of its line. */
  records: { record: JournalRecord; bytes: number }[];
  /** The next sequence number to hand out (never reuses one seen in the file). */
  nextSeq: number;
  /** Offset just after the last valid line; anything after it is a torn tail. */
  validEnd: number;
  /** Invalid lines followed by valid ones (corruption, not a torn write). */
  skippedLines: number;
}

export function decodeJournal(bytes: Uint8Array): DecodedJournal {
  const pending = new Map<number, { record: JournalRecord; bytes: number }>();
  let nextSeq = 1;
  let validEnd = 0;
  let skippedLines = 0;
  let invalidSinceValid = 0;
  for (let pos = 0; pos < bytes.length; ) {
    const nl = bytes.indexOf(NEWLINE, pos);
    if (nl === -1) break; // a last line without its newline was never completely written
    const line = parseLine(bytes.subarray(pos, nl));
    const lineBytes = nl + 1 - pos;
    pos = nl + 1;
    if (!line) {
      invalidSinceValid++;
      continue;
    }
    skippedLines += invalidSinceValid;
    invalidSinceValid = 0;
    validEnd = pos;
    if ('a' in line) {
      pending.set(line.a, { record: { seq: line.a, entry: line.e }, bytes: lineBytes });
      nextSeq = Math.max(nextSeq, line.a + 1);
    } else if ('k' in line) {
      for (const seq of line.k) pending.delete(seq);
    } else {
      nextSeq = Math.max(nextSeq, line.next);
    }
  }
  return { records: [...pending.values()], nextSeq, validEnd, skippedLines };
}

/** A line whose checksum matches, or undefined. A checksummed line of unknown shape is a newer format. */
function parseLine(line: Uint8Array): JournalLine | undefined {
  if (line.length < 11 || line[8] !== SPACE) return undefined;
  const hex = Buffer.from(line.subarray(0, 8)).toString('ascii');
  if (!HEX8.test(hex)) return undefined;
  const json = line.subarray(9);
  if (crc32(json) !== Number.parseInt(hex, 16)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch {
    return undefined;
  }
  if (isLine(value)) return value;
  throw new JournalError('JOURNAL_FORMAT', `transaction journal line of unknown format: ${Buffer.from(json).toString('utf8').slice(0, 80)}`);
}

function isLine(v: unknown): v is JournalLine {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (Number.isSafeInteger(o.a)) return typeof o.e === 'object' && o.e !== null && typeof (o.e as { kind?: unknown }).kind === 'string';
  if (Array.isArray(o.k)) return o.k.every((s) => Number.isSafeInteger(s));
  return o.v === FORMAT_VERSION && Number.isSafeInteger(o.next);
}
