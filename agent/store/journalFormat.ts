/**
 * The line format of {@link FileJournal} (see its header): encoding one line, and decoding a whole
 * file into the pending records while telling a torn tail from corruption between good lines.
 * Pure functions over bytes, so they are tested without a disk.
 */
import { checksummedLine, parseChecksummedLine } from './checksummedLine.js';
import { JournalError } from './JournalError.js';
import type { JournalEntry, JournalRecord } from './TransactionJournal.js';

export const FORMAT_VERSION = 1;
const NEWLINE = 0x0a;

/** `E`: the entries of the queue (transaction messages by default); each has a string `kind`. */
export type JournalLine<E = JournalEntry> = { a: number; e: E } | { k: number[] } | { v: number; next: number };

/** One checksummed line (./checksummedLine.ts) as bytes. */
export function encodeLine<E>(line: JournalLine<E>): Buffer {
  return Buffer.from(checksummedLine(line), 'utf8');
}

export interface DecodedJournal<E = JournalEntry> {
  /** Pending records in append order, each with the length of its line. */
  records: { record: JournalRecord<E>; bytes: number }[];
  /** The next sequence number to hand out (never reuses one seen in the file). */
  nextSeq: number;
  /** Offset just after the last valid line; anything after it is a torn tail. */
  validEnd: number;
  /** Invalid lines followed by valid ones (corruption, not a torn write). */
  skippedLines: number;
}

export function decodeJournal<E = JournalEntry>(bytes: Uint8Array): DecodedJournal<E> {
  const pending = new Map<number, { record: JournalRecord<E>; bytes: number }>();
  let nextSeq = 1;
  let validEnd = 0;
  let skippedLines = 0;
  let invalidSinceValid = 0;
  for (let pos = 0; pos < bytes.length; ) {
    const nl = bytes.indexOf(NEWLINE, pos);
    if (nl === -1) break; // a last line without its newline was never completely written
    const line = parseLine<E>(bytes.subarray(pos, nl));
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
function parseLine<E>(line: Uint8Array): JournalLine<E> | undefined {
  const value = parseChecksummedLine(line);
  if (value === undefined) return undefined;
  if (isLine(value)) return value as JournalLine<E>;
  throw new JournalError('JOURNAL_FORMAT', `transaction journal line of unknown format: ${Buffer.from(line.subarray(9)).toString('utf8').slice(0, 80)}`);
}

function isLine(v: unknown): v is JournalLine<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (Number.isSafeInteger(o.a)) return typeof o.e === 'object' && o.e !== null && typeof (o.e as { kind?: unknown }).kind === 'string';
  if (Array.isArray(o.k)) return o.k.every((s) => Number.isSafeInteger(s));
  return o.v === FORMAT_VERSION && Number.isSafeInteger(o.next);
}
