/**
 * Files a command writes its results to (`evse fleet --report/--html`, `evse fleet merge
 * --report/--html`, `evse scenario run --output`). They are checked before the work starts — a
 * typo in a directory must not cost a load test that ran for an hour — and written at the end with
 * each failure reported by its option, so one file that cannot be written does not lose the others
 * or the summary.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Exit code when a result could not be written (sysexits.h EX_CANTCREAT). */
export const EX_CANTCREAT = 73;

/** An output file: the option that named it (`--report`), the path, and what it holds (`JSON report`). */
export interface OutputFile {
  readonly option: string;
  readonly file: string;
  readonly what: string;
}

/** A usage error about an output file; its message names the option and the problem. */
export class OutputFileError extends Error {}

/**
 * Checks that each file can be created or overwritten: its directory exists and is writable, and
 * the file, if it exists, is a writable regular file; and that no two options name the same file.
 * Throws an {@link OutputFileError} for the first problem. Nothing is created.
 */
export async function checkOutputFiles(files: readonly (OutputFile | undefined)[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const out of files) {
    if (!out) continue;
    const path = resolve(out.file);
    const other = seen.get(path);
    if (other !== undefined) throw new OutputFileError(`${out.option} ${out.file}: the same file as ${other}`);
    seen.set(path, out.option);
    await checkOutputFile(out, path);
  }
}

async function checkOutputFile({ option, file }: OutputFile, path: string): Promise<void> {
  const fail = (problem: string) => new OutputFileError(`${option} ${file}: ${problem}`);
  const existing = await stat(path).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? undefined : Promise.reject(fail(`cannot check it (${err.code ?? err.message})`))));
  if (existing) {
    if (existing.isDirectory()) throw fail('is a directory; give a file name');
    if (!existing.isFile()) throw fail('is not a regular file');
    await access(path, constants.W_OK).catch(() => Promise.reject(fail('exists and is not writable')));
    return;
  }
  const dir = dirname(path);
  const parent = await stat(dir).catch(() => undefined);
  if (!parent) throw fail(`directory ${dir} does not exist`);
  if (!parent.isDirectory()) throw fail(`${dir} is not a directory`);
  await access(dir, constants.W_OK | constants.X_OK).catch(() => Promise.reject(fail(`directory ${dir} is not writable`)));
}

/** The outcome of writing one output file. */
export type Written = (OutputFile & { ok: true; path: string }) | (OutputFile & { ok: false; error: string });

/** Writes each file; a failure is returned (not thrown), so the others are still written. */
export async function writeOutputFiles(files: readonly ((OutputFile & { content: () => string }) | undefined)[]): Promise<Written[]> {
  const results: Written[] = [];
  for (const out of files) {
    if (!out) continue;
    const { content, ...file } = out;
    try {
      await writeFile(file.file, content());
      results.push({ ...file, ok: true, path: resolve(file.file) });
    } catch (err) {
      results.push({ ...file, ok: false, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }
  return results;
}

/** A summary line: where the file was written (absolute path), or why not. */
export function describeWritten(r: Written): string {
  return r.ok ? `${r.what} written to ${r.path}` : `${r.what} NOT written to ${r.file} (${r.option}): ${r.error}`;
}
