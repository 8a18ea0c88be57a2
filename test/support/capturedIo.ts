/** Standard streams for a command run in-process (`runScenarioCommand`'s CommandIo), capturing what it writes. */
import { PassThrough } from 'node:stream';

export interface CapturedIo {
  stdin: PassThrough;
  stdout: PassThrough;
  stderr: PassThrough;
  env: Record<string, string | undefined>;
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

export function capturedIo(env: Record<string, string | undefined> = process.env): CapturedIo {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdin, stdout, stderr, env, out: () => out, err: () => err };
}
