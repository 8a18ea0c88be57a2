/**
 * The line both durable logs are made of (the transaction journal, journalFormat.ts, and the
 * session history, sessionHistoryFormat.ts):
 *
 *     <crc32 of the JSON, 8 lowercase hex digits> <JSON>\n
 *
 * JSON never contains a raw newline, so a line cannot split; a torn write or a flipped bit fails
 * the checksum.
 */
import { crc32 } from './crc32.js';

const SPACE = 0x20;
const HEX8 = /^[0-9a-f]{8}$/;

/** `value` as one checksummed line, newline included. */
export function checksummedLine(value: unknown): string {
  const json = JSON.stringify(value);
  return `${crc32(Buffer.from(json, 'utf8')).toString(16).padStart(8, '0')} ${json}\n`;
}

/**
 * The JSON value of one line (without its newline), or undefined when it is not a checksummed
 * line, its checksum does not match, or its JSON does not parse. The shape is the caller's to check.
 */
export function parseChecksummedLine(line: Uint8Array): unknown {
  if (line.length < 11 || line[8] !== SPACE) return undefined;
  const hex = Buffer.from(line.subarray(0, 8)).toString('ascii');
  if (!HEX8.test(hex)) return undefined;
  const json = line.subarray(9);
  if (crc32(json) !== Number.parseInt(hex, 16)) return undefined;
  try {
    return JSON.parse(Buffer.from(json).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
