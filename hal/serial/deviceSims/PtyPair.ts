/**
 * A pair of connected pseudo-terminals made by socat, for testing serial drivers against device
 * simulators: the driver opens {@link PtyPair.driverPath}, the simulator {@link PtyPair.devicePath}.
 *
 * Test support, so it waits in real time (a child process does not run on the injected Clock).
 * socat is killed by its PID on {@link dispose}; {@link unplug}/{@link replug} stop and restart
 * it on the same link paths, which is what a USB serial adapter pulled and plugged back looks like.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const SOCAT_CANDIDATES = ['/usr/bin/socat', '/usr/local/bin/socat', '/bin/socat'];

/** Path of the socat binary, or an Error that says why the serial tests cannot run. */
export function findSocat(): string {
  const found = SOCAT_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'socat is not installed: the serial HAL tests need it to create pseudo-terminal pairs ' +
        `(looked in ${SOCAT_CANDIDATES.join(', ')}). Install it: apt-get install socat.`,
    );
  }
  return found;
}

export class PtyPair {
  readonly driverPath: string;
  readonly devicePath: string;
  private readonly dir: string;
  private child: ChildProcess | undefined;
  private stderr = '';

  private constructor(dir: string) {
    this.dir = dir;
    this.driverPath = join(dir, 'driver');
    this.devicePath = join(dir, 'device');
  }

  /** Starts socat and resolves once both link paths exist. */
  static async create(timeoutMs = 5000): Promise<PtyPair> {
    const pair = new PtyPair(mkdtempSync(join(tmpdir(), 'evse-pty-')));
    await pair.start(timeoutMs);
    return pair;
  }

  /** PID of the running socat, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The adapter vanishes: socat is killed and both ptys disappear. */
  async unplug(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, sleep(2000)]);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    // socat removes its links on a clean exit; make sure, so a replug cannot see stale ones.
    rmSync(this.driverPath, { force: true });
    rmSync(this.devicePath, { force: true });
  }

  /** The adapter comes back on the same paths (new pty devices behind the same links). */
  replug(timeoutMs = 5000): Promise<void> {
    return this.start(timeoutMs);
  }

  async dispose(): Promise<void> {
    await this.unplug();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async start(timeoutMs: number): Promise<void> {
    const socat = findSocat();
    const args = ['-d', '-d', `pty,raw,echo=0,link=${this.driverPath}`, `pty,raw,echo=0,link=${this.devicePath}`];
    const child = spawn(socat, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    for (let waited = 0; ; waited += 10) {
      if (spawnError) throw new Error(`socat could not be started: ${spawnError.message}`);
      if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}: ${this.stderr.trim()}`);
      if (existsSync(this.driverPath) && existsSync(this.devicePath) && /starting data transfer loop/.test(this.stderr)) return;
      if (waited >= timeoutMs) {
        await this.unplug();
        throw new Error(`socat did not create ${this.driverPath} and ${this.devicePath} within ${timeoutMs} ms: ${this.stderr.trim()}`);
      }
      await sleep(10);
    }
  }
}
