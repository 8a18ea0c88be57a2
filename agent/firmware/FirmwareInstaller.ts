/**
 * How a firmware image becomes the running firmware: the board-specific part of an update, behind
 * one interface. {@link VersionFileInstaller} is the simulator's (a version file swap in the data
 * directory); agent/firmware/ScriptInstaller.ts runs a board's installer script.
 *
 * Obligations:
 * - `install` checks the image fits this board and stages it for the next start; it never touches
 *   the running firmware (a failed or refused install leaves it as it was). It resolves with the
 *   version the image carries and rejects with a one-line reason.
 * - `activate` runs at start, before the charger boots with the CSMS: when an image is staged it
 *   makes it the running firmware; it resolves with the running version (undefined: unknown here,
 *   the configured one stands). It is safe to call when nothing is staged.
 */
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from '../store/writeAtomically.js';

export interface FirmwareInstaller {
  install(imageFile: string): Promise<{ version: string }>;
  activate(): Promise<string | undefined>;
}

/** The first line of a simulator firmware image: `EVSE-SIM-FIRMWARE <version>`. */
export const SIM_IMAGE_MAGIC = 'EVSE-SIM-FIRMWARE';
const SIM_HEADER = /^EVSE-SIM-FIRMWARE ([\x21-\x7e]{1,50})\r?\n/;

/**
 * The simulator's installer: an image is a file whose first line is `EVSE-SIM-FIRMWARE <version>`;
 * installing stages that version (`staged-version`), activating at the next start swaps it into
 * `version`, the file the agent reports as its firmwareVersion.
 */
export class VersionFileInstaller implements FirmwareInstaller {
  constructor(private readonly dir: string) {}

  get versionFile(): string {
    return join(this.dir, 'version');
  }

  private get stagedFile(): string {
    return join(this.dir, 'staged-version');
  }

  async install(imageFile: string): Promise<{ version: string }> {
    const fh = await open(imageFile, 'r');
    let head: string;
    try {
      const buf = Buffer.alloc(128);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead).toString('latin1');
    } finally {
      await fh.close();
    }
    const m = head.match(SIM_HEADER);
    if (!m) throw new Error(`not a firmware image for this charger (no "${SIM_IMAGE_MAGIC} <version>" header)`);
    await writeAtomically(this.stagedFile, `${m[1]!}\n`);
    return { version: m[1]! };
  }

  async activate(): Promise<string | undefined> {
    await mkdir(this.dir, { recursive: true });
    const staged = await readFile(this.stagedFile, 'utf8').catch(() => undefined);
    if (staged !== undefined) {
      await rename(this.stagedFile, this.versionFile);
    }
    return this.runningVersion();
  }

  async runningVersion(): Promise<string | undefined> {
    const text = await readFile(this.versionFile, 'utf8').catch(() => undefined);
    return text?.trim() || undefined;
  }

  /** Sets the running version (a fresh simulator's, or a test's starting point). */
  async setRunningVersion(version: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.versionFile, `${version}\n`);
    await rm(this.stagedFile, { force: true });
  }
}

/** An installer that keeps its versions in memory (an Agent built without one, tests). */
export class MemoryInstaller implements FirmwareInstaller {
  private staged: string | undefined;

  constructor(public running: string | undefined = undefined) {}

  async install(imageFile: string): Promise<{ version: string }> {
    const head = (await readFile(imageFile)).subarray(0, 128).toString('latin1');
    const m = head.match(SIM_HEADER);
    if (!m) throw new Error(`not a firmware image for this charger (no "${SIM_IMAGE_MAGIC} <version>" header)`);
    this.staged = m[1]!;
    return { version: this.staged };
  }

  async activate(): Promise<string | undefined> {
    if (this.staged !== undefined) this.running = this.staged;
    this.staged = undefined;
    return this.running;
  }
}
