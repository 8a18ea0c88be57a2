/**
 * Small durable files (configuration, availability): written so that a power cut leaves either the
 * old or the new content on disk, never a mix. The journal's compaction replaces its file the same
 * way and makes the directory entry durable with {@link syncDirectory} too.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/**
 * Replaces `file` so that a crash leaves either the old or the new content, never a mix. `mode`
 * (e.g. 0o600 for secrets) is set on the new file before any content is written.
 */
export async function writeAtomically(file: string, data: string, mode?: number): Promise<void> {
  const dir = dirname(file);
  const tmp = `${file}.tmp`;
  await mkdir(dir, { recursive: true });
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      // A temporary file left by a crash keeps its old mode through open(): set it again.
      if (mode !== undefined) await fh.chmod(mode);
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  // Makes the rename itself durable.
  await syncDirectory(dir);
}

/**
 * The next write of a small state file that is written again on each change: after `previous`
 * (so the last body asked for is the one left on disk), atomically. Resolves true once `body` is on
 * disk, false when the write failed, logged as "cannot persist the <what>" (never rejects).
 */
export function writeAfter(previous: Promise<unknown>, file: string, body: string, log: Logger, what: string): Promise<boolean> {
  return previous.then(() =>
    writeAtomically(file, body).then(
      () => true,
      (err: unknown) => {
        log.error({ err, file }, `cannot persist the ${what}`);
        return false;
      },
    ),
  );
}

/**
 * Makes a directory's entries (a new or renamed file) durable: fsync of the directory. Not
 * possible on every platform (e.g. Windows): best effort.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const dh = await open(dir, 'r').catch(() => undefined);
  try {
    await dh?.sync();
  } catch {
    /* see above */
  } finally {
    await dh?.close();
  }
}
