/** `evse csms`: the embedded strict CSMS on its own, printing the traffic (or, `--quiet`/`--summary`, counts). */
import { runCsmsCli } from '../scenarios/csms/runCsmsCli.js';
import { createLogger } from './logger.js';

export async function runCsmsCommand(opts: { host: string; port: number; json: boolean; password?: string; summaryIntervalS?: number }): Promise<number> {
  try {
    const handle = await runCsmsCli({ ...opts, logger: createLogger('warn') });
    process.stderr.write(`evse csms: listening on ${handle.url} (charge points connect to ${handle.url}/<id>)\n`);
    await handle.closed;
    return 0;
  } catch (err) {
    process.stderr.write(`evse csms: ${(err as Error).message}\n`);
    return 1;
  }
}
