/** Counters every framing parser keeps, so a driver can report line quality. */
export interface ParserStats {
  /** Bytes fed into the parser. */
  bytes: number;
  /** Well-formed frames recognised. */
  frames: number;
  /** Frames rejected (bad checksum, bad length, bad characters). */
  errors: number;
  /** Bytes skipped while looking for the start of a frame (noise). */
  discardedBytes: number;
}

export function emptyStats(): ParserStats {
  return { bytes: 0, frames: 0, errors: 0, discardedBytes: 0 };
}
