/**
 * `evse csms`: the embedded strict CSMS on its own, printing the traffic (or, `--quiet`/`--summary`,
 * counts), driven from a prompt (`--interactive`, default on a terminal) and an HTTP API
 * (`--api-port`). The options for driving charge points are declared here; the CSMS itself is
 * loaded only when the command runs.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import YAML from 'yaml';
import { parseTariff, type Tariff } from '../scenarios/csms/CsmsTariff.js';
import { EX_USAGE, port } from './commandLine.js';

/** What the driving options parse to (commander's camel-cased names). */
export interface CsmsDriveFlags {
  /** --interactive / --no-interactive; undefined: prompt when stdin is a terminal. */
  interactive?: boolean;
  apiPort?: number;
  apiHost: string;
  /** Seconds. */
  callTimeout: number;
  /** Prices and costs sent to the chargers (OCA California Pricing), from --tariff. */
  tariff?: Tariff;
  /** --sites: a fleet profile file with a `sites:` list (read when the command runs: ./csmsSites.ts). */
  sites?: string;
  /** --site-chargers: the fleet's charger count (sites given as a share need it). */
  siteChargers?: number;
  siteIdPrefix?: string;
}

export interface CsmsCommandOptions extends Partial<CsmsDriveFlags> {
  host: string;
  port: number;
  json: boolean;
  password?: string;
  summaryIntervalS?: number;
  logLevel: string;
  /** Human-readable logs on stderr; undefined: when stderr is a terminal. */
  pretty?: boolean | undefined;
}

function callTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new InvalidArgumentError('expected seconds, more than 0 and at most 600');
  return n;
}

/** `--tariff <file>`: a YAML or JSON tariff; a file that cannot be read or is wrong is a usage error naming the key. */
function tariffFile(file: string): Tariff {
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return parseTariff(raw);
  } catch (err) {
    throw new InvalidArgumentError(`${file}: ${(err as Error).message}`);
  }
}

function chargerCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new InvalidArgumentError('expected the number of chargers in the fleet, 1 to 10000000');
  return n;
}

/** Adds the options for driving charge points to the `evse csms` command. */
export function addCsmsDriveOptions(command: Command): Command {
  return command
    .option('--interactive', 'read commands for the charge points from stdin, e.g. `CP001 remote-start ABC 1` (default when stdin is a terminal; `help` lists them)')
    .option('--no-interactive', 'do not read stdin, also on a terminal')
    .option('--api-port <port>', 'serve the HTTP API (GET /chargers, POST /chargers/<id>/calls/<Action>) on this port; 0 = any free port, printed at start', port)
    .option('--api-host <host>', 'address of the HTTP API (it has no authentication)', '127.0.0.1')
    .option('--call-timeout <seconds>', 'how long a call to a charge point waits for the answer', callTimeout, 10)
    .option('--sites <file>', 'share each site\'s grid limit among its transactions with SetChargingProfile (TxDefaultProfile 0 A, TxProfile per transaction): the sites: list of a fleet profile (docs/fleet.md, Sites)')
    .option('--site-chargers <n>', 'the fleet\'s charger count (`evse fleet --count`), for sites given as a share', chargerCount)
    .option('--site-id-prefix <prefix>', 'the fleet\'s charger id prefix (`evse fleet --id-prefix`)', 'CP')
    .option('--tariff <file>', 'send prices and costs to the chargers (OCA California Pricing): a YAML/JSON tariff with currency, flatFee, kWhPrice, hourPrice, idle {graceMinutes, hourPrice}, priceText, receiptUrl (docs/display.md)', tariffFile);
}

export async function runCsmsCommand(opts: CsmsCommandOptions): Promise<number> {
  const [{ runCsmsCli }, { createLogger }, { csmsSites, describeSites }] = await Promise.all([import('../scenarios/csms/runCsmsCli.js'), import('./logger.js'), import('./csmsSites.js')]);
  const sites = csmsSites(opts);
  if (typeof sites === 'string') {
    process.stderr.write(`evse csms: ${sites}\n`);
    return EX_USAGE;
  }
  const interactive = opts.interactive ?? process.stdin.isTTY === true;
  // Prompt, line editing and completion only when both ends are the terminal; else plain lines.
  const terminal = interactive && process.stdin.isTTY === true && process.stdout.isTTY === true ? process.stdout : undefined;
  try {
    const handle = await runCsmsCli({
      host: opts.host,
      port: opts.port,
      json: opts.json,
      ...(opts.password !== undefined && { password: opts.password }),
      ...(opts.summaryIntervalS !== undefined && { summaryIntervalS: opts.summaryIntervalS }),
      logger: createLogger(opts.logLevel, { pretty: opts.pretty }),
      callTimeoutMs: Math.round((opts.callTimeout ?? 10) * 1000),
      ...(opts.apiPort !== undefined && { api: { host: opts.apiHost ?? '127.0.0.1', port: opts.apiPort } }),
      ...(opts.tariff && { tariff: opts.tariff }),
      ...(sites && { sites }),
      ...(interactive && { console: { input: process.stdin, ...(terminal && { terminal }) } }),
    });
    // On a terminal with the prompt, stdout already shows these lines (and the prompt is up).
    if (!terminal) {
      process.stderr.write(`evse csms: listening on ${handle.url} (charge points connect to ${handle.url}/<id>)\n`);
      if (handle.apiUrl) process.stderr.write(`evse csms: HTTP API on ${handle.apiUrl}\n`);
      if (sites) for (const line of describeSites(sites)) process.stderr.write(`evse csms: ${line}\n`);
    }
    await handle.closed;
    return 0;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      // The address the options name cannot be had: a usage error, as for `evse fleet --metrics-port`.
      // (The HTTP API's address is checked the same way: its error names --api-host/--api-port.)
      const why = { EADDRINUSE: 'the port is in use', EADDRNOTAVAIL: 'not an address of this machine', EACCES: 'not allowed (a port below 1024 needs privileges)' }[code];
      const api = (err as { api?: boolean }).api === true;
      const where = api ? `--api-host/--api-port: cannot listen on ${opts.apiHost}:${opts.apiPort}` : `--host/--port: cannot listen on ${opts.host}:${opts.port}`;
      process.stderr.write(`evse csms: ${where}: ${why} (${code})\n`);
      return EX_USAGE;
    }
    process.stderr.write(`evse csms: ${(err as Error).message}\n`);
    return 1;
  }
}
