/** Clean-ups of a test file's resources (processes, servers, temporary directories). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CleanupStack {
  /** Clean-ups run by {@link CleanupStack.release}, last pushed first. */
  cleanups: (() => Promise<unknown>)[];
  /** Runs every clean-up, last in first out, ignoring their failures (use as `afterEach(release)`). */
  release(): Promise<void>;
  /** A fresh temporary directory named `prefix…`, removed on release. */
  tempDir(prefix: string): Promise<string>;
}

export function cleanupStack(): CleanupStack {
  const cleanups: (() => Promise<unknown>)[] = [];
  return {
    cleanups,
    async release() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    },
    async tempDir(prefix) {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
