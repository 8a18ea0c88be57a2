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

/** What the security options parse to: `--password`, `--tls-cert`/`--tls-key`, `--tls-client-ca`, `--tls-demo`. */
export interface CsmsSecurityFlags {
  password?: string;
  tlsCert?: PemFile;
  tlsKey?: PemFile;
  tlsClientCa?: PemFile;
  /** A directory for the throwaway certificates (`--tls-demo`). */
  tlsDemo?: string;
}

/** A PEM file read while the options are parsed (a bad one is a usage error naming the option). */
export interface PemFile {
  file: string;
  pem: string;
}

export interface CsmsCommandOptions extends Partial<CsmsDriveFlags>, CsmsSecurityFlags {
  host: string;
  port: number;
  json: boolean;
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

const pemFile = (what: 'certificate' | 'private key') => (file: string): PemFile => {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const marker = what === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;
  if (!marker.test(pem)) throw new InvalidArgumentError(`${file}: expected a PEM ${what}`);
  return { file, pem };
};

/** Adds the security options (wss://, HTTP Basic, client certificates) to the `evse csms` command. */
export function addCsmsSecurityOptions(command: Command): Command {
  return command
    .option('--password <password>', 'require this HTTP Basic password from every charge point that presents no client certificate (security profiles 1 and 2)')
    .option('--tls-cert <file>', "serve wss:// with this certificate (PEM; intermediates may follow it); needs --tls-key", pemFile('certificate'))
    .option('--tls-key <file>', "the private key of --tls-cert (PEM)", pemFile('private key'))
    .option('--tls-client-ca <file>', 'accept client certificates that chain to these CA certificates (PEM) in place of the password (security profile 3); a certificate that does not is refused', pemFile('certificate'))
    .option('--tls-demo <dir>', 'serve wss:// with throwaway certificates made at start (valid one day): writes <dir>/csms-ca.pem (csms.tls.caFile of the charger) and <dir>/charger.pem, <dir>/charger.key (a client certificate for profile 3, csms.tls.certFile/keyFile); never for production');
}

/** The TLS of the CSMS from the security options; a usage error (a line naming the options) for a combination that cannot work. */
async function tlsOf(opts: CsmsSecurityFlags): Promise<{ tls?: { cert: string; key: string; clientCa?: string }; wrote?: string[] } | { error: string }> {
  if (opts.tlsDemo !== undefined) {
    if (opts.tlsCert || opts.tlsKey || opts.tlsClientCa) return { error: '--tls-demo makes its own certificates: leave out --tls-cert, --tls-key and --tls-client-ca' };
    const [{ makeDemoPki }, { mkdir, writeFile }, { join }] = await Promise.all([import('../scenarios/csms/demoCertificates.js'), import('node:fs/promises'), import('node:path')]);
    const pki = makeDemoPki();
    const client = pki.client('evse-demo-charger');
    const dir = opts.tlsDemo;
    try {
      await mkdir(dir, { recursive: true });
      const files: [string, string, number][] = [['csms-ca.pem', pki.ca, 0o644], ['charger.pem', client.cert, 0o644], ['charger.key', client.key, 0o600]];
      for (const [name, text, mode] of files) await writeFile(join(dir, name), text, { mode });
      return { tls: { ...pki.server, clientCa: pki.ca }, wrote: files.map(([name]) => join(dir, name)) };
    } catch (err) {
      return { error: `--tls-demo: cannot write the certificates to ${dir}: ${(err as Error).message}` };
    }
  }
  if (!opts.tlsCert !== !opts.tlsKey) return { error: opts.tlsCert ? '--tls-key: expected the private key of --tls-cert, but it is not given' : '--tls-cert: expected the certificate of --tls-key, but it is not given' };
  if (opts.tlsClientCa && !opts.tlsCert) return { error: '--tls-client-ca: client certificates need wss://: give --tls-cert and --tls-key (or --tls-demo)' };
  if (!opts.tlsCert || !opts.tlsKey) return {};
  return { tls: { cert: opts.tlsCert.pem, key: opts.tlsKey.pem, ...(opts.tlsClientCa && { clientCa: opts.tlsClientCa.pem }) } };
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
  const security = await tlsOf(opts);
  if ('error' in security) {
    process.stderr.write(`evse csms: ${security.error}\n`);
    return EX_USAGE;
  }
  const { tls } = security;
  if (opts.password !== undefined && !tls && !isLoopback(opts.host)) {
    process.stderr.write(`evse csms: warning: --password over plain ws:// on ${opts.host}: the password travels readable; serve wss:// (--tls-cert/--tls-key) outside a trusted network\n`);
  }
  try {
    const handle = await runCsmsCli({
      host: opts.host,
      port: opts.port,
      json: opts.json,
      ...(opts.password !== undefined && { password: opts.password }),
      ...(tls && { tls }),
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
      if (security.wrote) process.stderr.write(`evse csms: throwaway certificates (valid one day): ${security.wrote.join(', ')}\n`);
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

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
