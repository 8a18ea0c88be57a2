#!/usr/bin/env node
/**
 * `evse`: the command line of evse-agent.
 *   evse run    the on-device agent with the configured HAL
 *   evse demo   an embedded CSMS and one simulated charger, one session in virtual time (--dashboard: real time, driven from the web page)
 *   evse csms   the embedded strict CSMS on its own, printing traffic (or counts, --quiet)
 *   evse scenario run   scenario scripts (simulated hardware in virtual time, or a serial bench / external CSMS)
 *   evse fleet  many virtual chargers against a CSMS (load tests); evse fleet merge: merge shard reports
 *   evse sessions   the session history `evse run` keeps, with a utilisation summary
 */
import { Command } from 'commander';
import { integerIn, nonNegativeInteger, ocppVersionOption, parseCommandLine, parsedBy, port, positiveInteger, positiveNumber, reportUsageErrors, seed, withLogOptions, type LogOptions } from './commandLine.js';
import { addCsmsDriveOptions, addCsmsSecurityOptions, type CsmsDriveFlags, type CsmsSecurityFlags } from './csmsCommand.js';
import type { FleetCommandOptions } from './fleetCommand.js';
import type { ScenarioRunOptions } from './scenarioCommand.js';
import { packageVersion } from './packageInfo.js';
import { parseDuration } from '../scenarios/fleet/fleetIds.js';
import type { OcppVersion } from '../agent/ocpp/ProtocolFace.js';

const program = new Command('evse')
  .description('Charge-point agent: HAL, charging state machine and OCPP 1.6J client')
  .version(packageVersion(), '-v, --version');

withLogOptions(
  program.command('run').description('run the agent with the configured hardware (config/*.yaml, EVSE_* environment variables; log level: log.level)'),
).action(async (opts: LogOptions) => {
  const { runAgent } = await import('./runAgent.js');
  process.exitCode = await runAgent({ pretty: opts.pretty });
});

withLogOptions(
  program
    .command('demo')
    .description('start an embedded strict CSMS and one simulated charger; plug in, tap a card, charge, unplug (virtual time)')
    .option('--json', 'print the timeline as JSON lines for machines (stdout has nothing else)')
    .option('--minutes <n>', 'minutes of (virtual) charging', positiveNumber, 60)
    .option('--security', 'OCPP security profile 2: wss:// with a throwaway CA and an HTTP Basic password (docs/security.md)')
    .addOption(ocppVersionOption())
    .option('--dashboard', 'instead: run the charger in real time with its web dashboard on 127.0.0.1 until Ctrl-C, and drive it from the page')
    .option('--dashboard-port <port>', 'port of the dashboard (0 = any free port)', port, 8080),
  'warn',
).action(async (opts: { json?: boolean; minutes: number; dashboard?: boolean; dashboardPort: number; logLevel: string; pretty?: boolean; security?: boolean; ocpp: OcppVersion }) => {
  if (opts.dashboard) {
    const { runDashboardDemo } = await import('./demoDashboard.js');
    process.exitCode = await runDashboardDemo({ port: opts.dashboardPort, json: opts.json === true, logLevel: opts.logLevel, pretty: opts.pretty, ocppVersion: opts.ocpp });
    return;
  }
  const { runDemo } = await import('./demo.js');
  process.exitCode = await runDemo({ json: opts.json === true, minutes: opts.minutes, logLevel: opts.logLevel, pretty: opts.pretty, security: opts.security === true, ocppVersion: opts.ocpp });
});

addCsmsSecurityOptions(addCsmsDriveOptions(
  withLogOptions(
    program
      .command('csms')
      .description('run the embedded strict OCPP 1.6 / 2.0.1 CSMS on its own and print the traffic (or only counts: --quiet); drive charge points from a prompt or an HTTP API')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on (0 = any free port)', port, 9000)
      .option('--json', 'print traffic as JSON lines')
      .option('--quiet', 'counting mode: no per-frame lines, a summary line every 10 s and a final summary on stop')
      .option('--summary <seconds>', 'counting mode with a summary line every <seconds> (implies --quiet)', positiveNumber),
    'warn',
  ),
)).action(async (opts: { host: string; port: number; json?: boolean; quiet?: boolean; summary?: number } & LogOptions & CsmsDriveFlags & CsmsSecurityFlags) => {
  const { runCsmsCommand } = await import('./csmsCommand.js');
  const summaryIntervalS = opts.summary ?? (opts.quiet === true ? 10 : undefined);
  process.exitCode = await runCsmsCommand({
    host: opts.host,
    port: opts.port,
    json: opts.json === true,
    ...(summaryIntervalS === undefined ? {} : { summaryIntervalS }),
    logLevel: opts.logLevel!,
    pretty: opts.pretty,
    ...(opts.interactive !== undefined && { interactive: opts.interactive }),
    ...(opts.apiPort !== undefined && { apiPort: opts.apiPort }),
    apiHost: opts.apiHost,
    callTimeout: opts.callTimeout,
    ...(opts.tariff && { tariff: opts.tariff }),
    ...(opts.password !== undefined && { password: opts.password }),
    ...(opts.tlsCert && { tlsCert: opts.tlsCert }),
    ...(opts.tlsKey && { tlsKey: opts.tlsKey }),
    ...(opts.tlsClientCa && { tlsClientCa: opts.tlsClientCa }),
    ...(opts.tlsDemo !== undefined && { tlsDemo: opts.tlsDemo }),
    ...(opts.sites !== undefined && { sites: opts.sites }),
    ...(opts.siteChargers !== undefined && { siteChargers: opts.siteChargers }),
    ...(opts.siteIdPrefix !== undefined && { siteIdPrefix: opts.siteIdPrefix }),
  });
});

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
  .option('--hal <hal>', 'hardware: sim (virtual time) or serial (the devices `evse run` is configured with, real time)', 'sim')
  .option('--rig <rig>', 'with --hal serial: prompt (the engineer does each step) or sim-devices (device simulators on socat ptys)')
  .option('--csms <csms>', "CSMS: embedded, or an external ws(s):// URL (real time; the kit observes the charger's own traffic)", 'embedded')
  .option('--id <ids>', 'charge point id(s), comma-separated, one per charger of the scenario')
  .option('--max-wait <d>', 'real time: longest single wait a step may ask for (e.g. 10m)')
  .option('--prompt-timeout <d>', 'with --rig prompt: how long each question waits for an answer (default 5m)')
  .addOption(ocppVersionOption("the OCPP version the chargers speak (default: the scenario's onlyOcpp, else 1.6); a scenario for the other version only is skipped", undefined))
  .action(async (files: string[], opts: ScenarioRunOptions) => {
    const { runScenarioCommand } = await import('./scenarioCommand.js');
    process.exitCode = await runScenarioCommand(files, opts);
  });

// --csms and --count are required by runFleetCommand, not by commander: `evse fleet merge` needs neither.
const fleet = withLogOptions(
  program
    .command('fleet')
    .description('run N virtual chargers (real agents, simulated hardware, wall clock) against a CSMS for load tests (docs/fleet.md)')
    .option('--csms <url>', 'CSMS base URL (ws:// or wss://); charger <id> connects to <url>/<id> (required)')
    .option('--count <n>', 'chargers in the whole fleet (all shards) (required)', positiveInteger)
    .option('--id-prefix <p>', 'charger id prefix: ids are <p>00001, <p>00002, …', 'CP')
    .option('--ramp <r>', 'chargers started per second', positiveNumber, 100)
    .option('--duration <d>', 'stop gracefully after this long: seconds, or with a unit (30m, 2h)', parsedBy(parseDuration, 'expected seconds, or a number with ms, s, m or h (90s, 30m, 2h), more than 0'))
    .option('--stop-timeout <d>', 'longest graceful stop (default 25s): transactions not ended by then are left open, said in the summary and report, exit 1', parsedBy(parseDuration, 'expected seconds, or a number with ms, s, m or h (90s, 30m, 2h), more than 0'))
    .option('--connectors <k>', 'connectors per charger (1..8)', integerIn(1, 8), 1)
    .option('--shard <i/n>', 'run only slice i (0-based) of n: a disjoint, stable part of the ids')
    .option('--shards <n>', 'run slice JOB_COMPLETION_INDEX of n (Kubernetes Indexed Job)', positiveInteger)
    .option('--report <file>', 'write the final report as JSON (and an HTML page beside it)')
    .option('--html <file>', 'write the HTML report here (default: the --report name with .html)')
    .option('--seed <n>', 'seed for reconnect jitter, sessions and faults', seed, 1)
    .option('--profile <file>', 'behaviour profile, YAML or JSON (default: the default profile, config/fleet/default.yaml)')
    .option('--ocpp <version>', "OCPP version of every charger, 1.6 or 2.0.1, or a mix in percent by position, e.g. 1.6:70,2.0.1:30 (default: the profile's ocppVersions, else 1.6)")
    .option('--idle <a-b>', 'shorthand: seconds a free connector waits for an EV (overrides the arrivals)')
    .option('--charge <a-b>', 'shorthand: seconds an EV charges (overrides the session length and energy)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on http://<metrics-host>:<port>/metrics (0 = any free port)', port)
    .option('--metrics-host <host>', 'address of the metrics endpoint', '127.0.0.1')
    .option('--progress <s>', 'seconds between progress lines on stderr', positiveNumber, 5)
    .option('--threads <n>', 'worker threads, or auto (one per 10,000 chargers, at most one per core)', 'auto')
    .option('--max-booting <n>', 'chargers per thread started but not yet through their first boot (0 = no limit); keeps the ramp from outrunning the CSMS and the memory peak down', nonNegativeInteger, 250)
    .option('--local-address <a,b,...>', 'local source IP addresses, round-robin per charger (one address reaches ~28,000 connections to one CSMS address)')
    .option('--control-port <port>', 'serve the control HTTP API and event stream on this port (0 = any free port; docs/fleet.md)', port)
    .option('--control-host <host>', 'address of the control API', '127.0.0.1')
    .option('--processes <n>', 'run the fleet as n shard processes started by this command (--shard i/n each, --ramp and --local-address split, source addresses 127.0.0.2… towards a CSMS on this machine), then merge their reports; for fleets larger than one process holds (docs/fleet.md)', positiveInteger, 1),
  'warn',
).action(async (opts: FleetCommandOptions) => {
  const { runFleetCommand } = await import('./fleetCommand.js');
  process.exitCode = await runFleetCommand(opts);
});

fleet
  .command('merge')
  .description('merge fleet reports (e.g. of all shards) into one: counts add up, percentiles from the merged histograms')
  .argument('<files...>', 'JSON reports written by evse fleet --report')
  .option('--report <file>', 'write the merged report as JSON')
  .option('--html <file>', 'write the merged report as an HTML page')
  .action(async (files: string[], opts: { report?: string; html?: string }) => {
    const { runFleetMergeCommand } = await import('./fleetMergeCommand.js');
    // `fleet` has --report/--html too and commander gives them to it when they follow `merge`.
    const parent = fleet.opts<{ report?: string; html?: string }>();
    const report = opts.report ?? parent.report;
    const html = opts.html ?? parent.html;
    process.exitCode = await runFleetMergeCommand(files, { ...(report !== undefined && { report }), ...(html !== undefined && { html }) });
  });

program
  .command('sessions')
  .description('the session history evse run keeps (usage data for planning): sessions and a utilisation summary')
  .option('--data-dir <dir>', 'data directory of evse run (default: dataDir / EVSE_DATA_DIR of the configuration)')
  .option('--since <when>', 'from a date (2026-05-01, 2026-05-01T08:00Z) or a duration back from now (90m, 12h, 7d, 4w)')
  .option('--csv', 'one CSV row per session')
  .option('--json', 'sessions and summary as JSON')
  .action(async (opts: { dataDir?: string; since?: string; csv?: boolean; json?: boolean }) => {
    const { runSessionsCommand } = await import('./sessionsCommand.js');
    process.exitCode = await runSessionsCommand(opts);
  });

reportUsageErrors(program);
await parseCommandLine(program, process.argv);
