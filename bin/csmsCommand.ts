/** `evse csms`: the embedded strict CSMS on its own, printing the traffic (or, `--quiet`/`--summary`, counts). */
import { runCsmsCli } from '../scenarios/csms/runCsmsCli.js';
import { EX_USAGE } from './commandLine.js';
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
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      // The address the options name cannot be had: a usage error, as for `evse fleet --metrics-port`.
      const why = { EADDRINUSE: 'the port is in use', EADDRNOTAVAIL: 'not an address of this machine', EACCES: 'not allowed (a port below 1024 needs privileges)' }[code];
      process.stderr.write(`evse csms: --host/--port: cannot listen on ${opts.host}:${opts.port}: ${why} (${code})\n`);
      return EX_USAGE;
    }
    process.stderr.write(`evse csms: ${(err as Error).message}\n`);
    return 1;
  }
}
