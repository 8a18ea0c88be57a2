/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of zlib, PNG and gzip, which
 * guards each journal line: node:zlib's, in Node since 20.15 and 22.2 (hence `engines` in
 * package.json).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 of `bytes` as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes);
}
