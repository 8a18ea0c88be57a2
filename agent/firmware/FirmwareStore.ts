/**
 * Where a firmware update keeps its state between restarts (`update.json`, written atomically) and
 * its image while it is downloaded and checked (`image.bin`), in one directory of the data dir.
 * An update must survive the reboot it causes: the job says what the next start reports.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeAtomically } from '../store/writeAtomically.js';
import type { FirmwareJob } from './firmwareTypes.js';

export class FirmwareStore {
  private memory: FirmwareJob | undefined;

  private constructor(
    /** Directory of the image (and of `update.json` unless `persist` is false). */
    readonly dir: string,
    private readonly persist: boolean,
    private readonly log: Logger,
  ) {}

  /** A store in `dir` (e.g. `<dataDir>/firmware`). */
  static inDirectory(dir: string, log: Logger): FirmwareStore {
    return new FirmwareStore(dir, true, log);
  }

  /** A store whose job lives in memory and whose image goes to a new temp directory (an Agent built without one). */
  static async inMemory(log: Logger): Promise<FirmwareStore> {
    return new FirmwareStore(await mkdtemp(join(tmpdir(), 'evse-firmware-')), false, log);
  }

  get imageFile(): string {
    return join(this.dir, 'image.bin');
  }

  private get jobFile(): string {
    return join(this.dir, 'update.json');
  }

  async load(): Promise<FirmwareJob | undefined> {
    if (!this.persist) return this.memory;
    const text = await readFile(this.jobFile, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const job = JSON.parse(text) as FirmwareJob;
      if (typeof job.location === 'string' && ['download', 'install', 'reboot'].includes(job.phase)) return job;
    } catch {
      // fall through
    }
    this.log.error({ file: this.jobFile }, 'firmware update state unreadable: the update is dropped');
    return undefined;
  }

  /** Persists the job (undefined: no update under way; the image goes too). */
  async save(job: FirmwareJob | undefined): Promise<void> {
    if (!this.persist) this.memory = job && { ...job };
    else if (job) await writeAtomically(this.jobFile, JSON.stringify(job));
    else await rm(this.jobFile, { force: true });
    if (!job) await this.removeImage();
  }

  async removeImage(): Promise<void> {
    await rm(this.imageFile, { force: true });
  }
}
