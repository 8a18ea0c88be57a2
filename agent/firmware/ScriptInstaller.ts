/**
 * A board's firmware installer: an executable from the settings (`firmware.installer`), run as
 *
 *   <script> install <image-file>   stage the image for the next start (verify it fits the board,
 *                                   write the inactive slot, …); print the image's version as the
 *                                   last line of stdout; exit non-zero with a one-line reason on
 *                                   stderr to refuse it (the running firmware stays);
 *   <script> activate               at every start of the agent: make a staged image the running
 *                                   firmware if there is one (it may reboot the machine, after
 *                                   which the agent starts again); print the running version.
 *
 * Each run is bounded (a hung script fails the step rather than the charger).
 */
import { execFile } from 'node:child_process';
import type { FirmwareInstaller } from './FirmwareInstaller.js';

export interface ScriptInstallerOptions {
  script: string;
  /** Longest a run may take, ms. */
  timeoutMs?: number;
}

function lastLine(text: string): string | undefined {
  return text.trim().split(/\r?\n/).at(-1)?.trim() || undefined;
}

export class ScriptInstaller implements FirmwareInstaller {
  constructor(private readonly o: ScriptInstallerOptions) {}

  private run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.o.script, args, { timeout: this.o.timeoutMs ?? 600_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${this.o.script} ${args[0]!} failed: ${lastLine(String(stderr)) ?? err.message}`));
        else resolve(String(stdout));
      });
    });
  }

  async install(imageFile: string): Promise<{ version: string }> {
    const version = lastLine(await this.run(['install', imageFile]));
    if (!version) throw new Error(`${this.o.script} install printed no version`);
    return { version };
  }

  async activate(): Promise<string | undefined> {
    return lastLine(await this.run(['activate']));
  }
}
