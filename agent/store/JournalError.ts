/**
 * Why the journal could not store something. The agent must refuse charging it cannot journal
 * (a transaction nobody will ever be billed for) and report the disk problem, so callers need
 * the reason as a code, not a message to parse.
 */
export type JournalErrorCode =
  /** No space left (ENOSPC, EDQUOT). */
  | 'JOURNAL_FULL'
  /** The data directory or file cannot be written (EROFS, EACCES, EPERM). */
  | 'JOURNAL_READ_ONLY'
  /** Any other I/O failure, e.g. EIO from failing flash. */
  | 'JOURNAL_IO'
  /** The journal was closed (shutdown or a simulated power cut). */
  | 'JOURNAL_CLOSED'
  /** The file was written by an unknown format version. */
  | 'JOURNAL_FORMAT';

export class JournalError extends Error {
  override readonly name = 'JournalError';
  constructor(
    readonly code: JournalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps a Node file-system error to a {@link JournalError}, keeping it as the cause. */
export function journalErrorOf(err: unknown, doing: string): JournalError {
  if (err instanceof JournalError) return err;
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail = `${doing}: ${(err as Error | undefined)?.message ?? String(err)}`;
  switch (errno) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new JournalError('JOURNAL_FULL', `transaction journal is full (${detail})`, { cause: err });
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new JournalError('JOURNAL_READ_ONLY', `transaction journal is not writable (${detail})`, { cause: err });
    default:
      return new JournalError('JOURNAL_IO', `transaction journal I/O failed (${detail})`, { cause: err });
  }
}
