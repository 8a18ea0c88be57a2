/**
 * Starts the built `evse` CLI (dist/bin/evse.js) as a separate process, the way a board or an
 * acceptance harness runs it. `npm test` builds first; a missing build is a clear failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

// From the sources (vitest) the build is ../../dist/bin; from the build itself (benchmarks) ../../bin.
const compiled = fileURLToPath(import.meta.url).includes('/dist/');
export const EVSE_BIN = fileURLToPath(new URL(compiled ? '../../bin/evse.js' : '../../dist/bin/evse.js', import.meta.url));

export interface EvseProcess {
  child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Sends a signal and waits for the exit, failing after `ms`. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<{ code: number | string; elapsedMs: number }>;
}

/**
 * A spawned process reads config/default.yaml (not test.yaml): without these it would wait 3–13 s
 * before its first reconnect (RetryBackOff* defaults). Tests reconnect within a second, as
 * config/test.yaml says for in-process agents; a test's own `env` wins.
 */
const QUICK_RECONNECT = { EVSE_RETRY_BACKOFF_WAIT_MINIMUM: '0', EVSE_RETRY_BACKOFF_RANDOM_RANGE: '1', EVSE_RETRY_BACKOFF_REPEAT_TIMES: '0' };

/** `stdin: 'pipe'` to write to the process (`child.stdin`); default: no stdin. */
export function spawnEvse(args: string[], env: Record<string, string | undefined>, options: { stdin?: 'pipe' | 'ignore' } = {}): EvseProcess {
  if (!existsSync(EVSE_BIN)) throw new Error(`${EVSE_BIN} is missing: run \`npm run build\` first (npm test does)`);
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NODE_ENV: undefined, ...QUICK_RECONNECT, ...env })) if (v !== undefined) childEnv[k] = v;
  const child = spawn(process.execPath, [EVSE_BIN, ...args], { env: childEnv, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM', ms = 10_000) {
      const t0 = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`evse did not exit within ${ms} ms of ${signal}`)), ms))),
      ]).finally(() => clearTimeout(timer));
      return { code, elapsedMs: performance.now() - t0 };
    },
  };
}

/** Ends what a test's `evse run` used: the process (SIGKILL, if it still runs), its CSMS and its data dir. */
export async function endRun(agent: EvseProcess, csms: { stop(): Promise<unknown> }, dataDir: string): Promise<void> {
  if (agent.child.exitCode === null) await agent.stop('SIGKILL').catch(() => undefined);
  await csms.stop();
  await rm(dataDir, { recursive: true, force: true });
}
