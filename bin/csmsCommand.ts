/** `evse csms`: the embedded strict CSMS on its own, printing the traffic (or, `--quiet`/`--summary`, counts). */
import { runCsmsCli } from '../scenarios/csms/runCsmsCli.js';
import { createLogger } from './logger.js';

export interface CsmsCommandOptions {
  host: string;
  port: number;
  json: boolean;
  password?: string;
  summaryIntervalS?: number;
  logLevel: string;
  /** Human-readable logs on stderr; undefined: when stderr is a terminal. */
  pretty?: boolean | undefined;
}

export async function runCsmsCommand({ logLevel, pretty, ...opts }: CsmsCommandOptions): Promise<number> {
  try {
    const handle = await runCsmsCli({ ...opts, logger: createLogger(logLevel, { pretty }) });
    process.stderr.write(`evse csms: listening on ${handle.url} (charge points connect to ${handle.url}/<id>)\n`);
    await handle.closed;
    return 0;
  } catch (err) {
    process.stderr.write(`evse csms: ${(err as Error).message}\n`);
    return 1;
  }
}
