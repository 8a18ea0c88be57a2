#!/usr/bin/env node
/**
 * `evse`: the command line of evse-agent.
 *   evse run    the on-device agent with the configured HAL
 *   evse demo   an embedded CSMS and one simulated charger, one session in virtual time
 *   evse csms   the embedded strict CSMS on its own, printing traffic (or counts, --quiet)
 *   evse scenario run   scenario scripts against simulated hardware in virtual time
 *   evse fleet  many virtual chargers against a CSMS (load tests)
 */
import { Command, InvalidArgumentError } from 'commander';
import type { FleetCommandOptions } from './fleetCommand.js';
import { packageVersion } from './packageInfo.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return n;
}

const program = new Command('evse')
  .description('Charge-point agent: HAL, charging state machine and OCPP 1.6J client')
  .version(packageVersion(), '-v, --version')
  .showHelpAfterError();

program
  .command('run')
  .description('run the agent with the configured hardware (config/*.yaml, EVSE_* environment variables)')
  .action(async () => {
    const { runAgent } = await import('./runAgent.js');
    process.exitCode = await runAgent();
  });

program
  .command('demo')
  .description('start an embedded strict CSMS and one simulated charger; plug in, tap a card, charge, unplug (virtual time)')
  .option('--json', 'print the timeline as JSON lines for machines')
  .option('--minutes <n>', 'minutes of (virtual) charging', positiveNumber, 60)
  .option('--log-level <level>', 'agent log level on stderr', 'warn')
  .action(async (opts: { json?: boolean; minutes: number; logLevel: string }) => {
    const { runDemo } = await import('./demo.js');
    process.exitCode = await runDemo({ json: opts.json === true, minutes: opts.minutes, logLevel: opts.logLevel });
  });

program
  .command('csms')
  .description('run the embedded strict OCPP 1.6 CSMS on its own and print the traffic (or only counts: --quiet)')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 = any free port)', port, 9000)
  .option('--json', 'print traffic as JSON lines')
  .option('--quiet', 'counting mode: no per-frame lines, a summary line every 10 s and a final summary on stop')
  .option('--summary <seconds>', 'counting mode with a summary line every <seconds> (implies --quiet)', positiveNumber)
  .action(async (opts: { host: string; port: number; json?: boolean; quiet?: boolean; summary?: number }) => {
    const { runCsmsCommand } = await import('./csmsCommand.js');
    const summaryIntervalS = opts.summary ?? (opts.quiet === true ? 10 : undefined);
    process.exitCode = await runCsmsCommand({ host: opts.host, port: opts.port, json: opts.json === true, ...(summaryIntervalS === undefined ? {} : { summaryIntervalS }) });
  });

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('expected an integer 0..4294967295');
  return n;
}

program
  .command('scenario')
  .description('scenario scripts (see docs/scenarios.md)')
  .command('run')
  .description('run scenario files (*.scenario.js|yaml; .ts sources run from their compiled dist/ twin), directories or globs; default: the starter library')
  .argument('[files...]', 'scenario files, directories or globs')
  .option('--reporter <name>', 'pretty, json or junit', 'pretty')
  .option('--output <file>', 'write the report to a file instead of stdout')
  .option('--seed <n>', 'seed for everything random (runs are deterministic per seed)', seed, 1)
  .option('--timeline', 'pretty reporter: print the timeline of passing scenarios too')
  .option('--hal <hal>', 'hardware: sim (serial is not supported yet)', 'sim')
  .option('--csms <csms>', 'CSMS: embedded (an external ws:// CSMS is not supported yet)', 'embedded')
  .action(async (files: string[], opts: { reporter: string; output?: string; seed: number; timeline?: boolean; hal: string; csms: string }) => {
    const { runScenarioCommand } = await import('./scenarioCommand.js');
    process.exitCode = await runScenarioCommand(files, opts);
  });

program
  .command('fleet')
  .description('run N virtual chargers (real agents, simulated hardware, wall clock) against a CSMS for load tests (docs/fleet.md)')
  .requiredOption('--csms <url>', 'CSMS base URL (ws:// or wss://); charger <id> connects to <url>/<id>')
  .requiredOption('--count <n>', 'chargers in the whole fleet (all shards)', positiveNumber)
  .option('--id-prefix <p>', 'charger id prefix: ids are <p>00001, <p>00002, …', 'CP')
  .option('--ramp <r>', 'chargers started per second', positiveNumber, 100)
  .option('--duration <d>', 'stop gracefully after this long: seconds, or with a unit (30m, 2h)')
  .option('--connectors <k>', 'connectors per charger', positiveNumber, 1)
  .option('--shard <i/n>', 'run only slice i (0-based) of n: a disjoint, stable part of the ids')
  .option('--report <file>', 'write the final report as JSON')
  .option('--seed <n>', 'seed for reconnect jitter and behaviour', seed, 1)
  .option('--idle <a-b>', 'seconds a connector stays idle before an EV arrives', '30-600')
  .option('--charge <a-b>', 'seconds an EV charges', '60-1800')
  .option('--progress <s>', 'seconds between progress lines on stderr', positiveNumber, 5)
  .option('--threads <n>', 'worker threads, or auto (one per core)', 'auto')
  .option('--log-level <level>', 'agent log level on stderr', 'warn')
  .action(async (opts: FleetCommandOptions) => {
    const { runFleetCommand } = await import('./fleetCommand.js');
    process.exitCode = await runFleetCommand(opts);
  });

await program.parseAsync(process.argv);
