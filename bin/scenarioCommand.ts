/**
 * `evse scenario run <files|dirs|globs…>`: runs scenario scripts and prints a report. By default
 * against the simulated HAL and the embedded strict CSMS in virtual time; `--csms ws://…` runs
 * them against an external CSMS and `--hal serial` on a serial bench (both on real time).
 * Exit code 1 when any fails, 64 when the command line is wrong (also an `--output` file that
 * cannot be written: checked before the run; a file named that is missing or not a scenario, or a
 * glob/directory that holds none), 78 when the serial bench's configuration is invalid, 73 when
 * the report could not be written at the end (it is printed on stdout instead).
 */
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SCENARIO_FILE_NAMES, compiledTwin, expandScenarioArgs, sourceOf } from '../scenarios/kit/files.js';
import { REPORTERS, counts, report, scenarioRoot, type ReporterName } from '../scenarios/kit/reporters.js';
import { runScenarioFiles, type RunOptions } from '../scenarios/kit/run.js';
import { CHARGE_POINT_ID, ScenarioUsageError } from '../scenarios/kit/scenario.js';
import { parseDuration } from '../scenarios/kit/words.js';
import { EX_USAGE } from './commandLine.js';
import { checkOutputFiles, describeWritten, EX_CANTCREAT, writeOutputFiles } from './outputFiles.js';
import { RIGS, serialBench, type RigName, type SerialBenchSetup } from './scenarioBench.js';
import { EX_CONFIG, SettingsError } from './settings/settings.js';

export interface ScenarioRunOptions {
  reporter: string;
  output?: string;
  seed: number;
  hal: string;
  csms: string;
  timeline?: boolean;
  /** With --hal serial: prompt (default) or sim-devices. */
  rig?: string;
  /** Charge point ids, comma-separated (one per charger of the scenario). */
  id?: string;
  /** Longest single wait on real time ('10m'). */
  maxWait?: string;
  /** How long a prompt waits for the engineer ('5m'). */
  promptTimeout?: string;
  /** The OCPP version the chargers speak (commander checked it is 1.6 or 2.0.1). */
  ocpp?: string;
}

export interface CommandIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Where `--hal serial` reads EVSE_* settings (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Running compiled (dist/bin/scenarioCommand.js) or from source (bin/scenarioCommand.ts, tests). */
const compiled = import.meta.url.endsWith('.js');
const packageRoot = compiled ? path.resolve(here, '..', '..') : path.resolve(here, '..');

class CommandLineError extends Error {}

/** The note for files a glob matched that are not scenarios (the first few named, relative to the working directory). */
function skippedNote(skipped: readonly string[]): string {
  const shown = skipped.slice(0, 3).map((f) => path.relative(process.cwd(), f) || f);
  const more = skipped.length > shown.length ? `, and ${skipped.length - shown.length} more` : '';
  return `note: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} not a scenario (${SCENARIO_FILE_NAMES}): ${shown.join(', ')}${more}`;
}

export async function runScenarioCommand(args: readonly string[], opts: ScenarioRunOptions, io: CommandIo = process): Promise<number> {
  const err = (line: string) => io.stderr.write(`evse scenario run: ${line}\n`);
  let run: RunOptions;
  let setup: SerialBenchSetup | undefined;
  let files: string[];
  const output = opts.output === undefined ? undefined : { option: '--output', file: opts.output, what: `${opts.reporter} report` };
  try {
    await checkOutputFiles([output]);
    if (!(REPORTERS as readonly string[]).includes(opts.reporter)) throw new CommandLineError(`unknown reporter '${opts.reporter}'; use one of ${REPORTERS.join(', ')}`);
    const patterns = args.length > 0 ? args : [path.join(packageRoot, compiled ? 'dist/scenarios/library' : 'scenarios/library'), path.join(packageRoot, 'scenarios/library/*.scenario.yaml')];
    const selection = expandScenarioArgs(patterns);
    files = [...new Set(selection.files.map((f) => (compiled ? compiledTwin(f, packageRoot) : f)))];
    if (selection.skipped.length > 0) err(skippedNote(selection.skipped));
    run = { seed: opts.seed, ...environment(opts) };
    if (opts.hal === 'serial') {
      const rig = (opts.rig ?? 'prompt') as RigName;
      const answerTimeoutMs = opts.promptTimeout === undefined ? undefined : duration(opts.promptTimeout, '--prompt-timeout');
      setup = serialBench({ rig, input: io.stdin, ...(io.env && { env: io.env }), output: io.stderr, ...(answerTimeoutMs !== undefined && { answerTimeoutMs }) });
      run = { ...run, hal: { kind: 'serial', bench: setup.bench } };
    }
  } catch (e) {
    if (e instanceof ScenarioUsageError) {
      err(e.message);
      return EX_USAGE;
    }
    if (e instanceof SettingsError) {
      for (const issue of e.issues) err(`invalid configuration for --hal serial: ${issue.path}: ${issue.message}`);
      return EX_CONFIG;
    }
    err((e as Error).message);
    return EX_USAGE;
  }
  let results;
  try {
    results = await runScenarioFiles(files, run);
  } finally {
    setup?.dispose();
  }
  // Reports name the source files (not their compiled twins under dist/), relative to the scenario root.
  results = results.map((r) => {
    if (!r.file || !compiled) return r;
    const source = sourceOf(r.file, packageRoot);
    return { ...r, file: source, ...(r.name === r.file && { name: source }) };
  });
  const root = scenarioRoot(results.flatMap((r) => (r.file ? [r.file] : [])), process.cwd());
  const text = report(opts.reporter as ReporterName, results, { timeline: opts.timeline === true, root });
  const { passed, failed, skipped } = counts(results);
  if (output) {
    const [written] = await writeOutputFiles([{ ...output, content: () => text }]);
    io.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}; ${describeWritten(written!)}\n`);
    if (!written!.ok) {
      // The run is not lost: the report goes to stdout instead.
      err(`--output ${output.file}: cannot write the report (${written!.error}); it follows on stdout`);
      io.stdout.write(text);
      return EX_CANTCREAT;
    }
  } else {
    io.stdout.write(text);
  }
  return failed > 0 ? 1 : 0;
}

/** The run options the flags other than --hal serial's bench give; throws CommandLineError. */
function environment(opts: ScenarioRunOptions): Omit<RunOptions, 'seed'> {
  if (opts.hal !== 'sim' && opts.hal !== 'serial') throw new CommandLineError(`--hal must be sim or serial, got '${opts.hal}'`);
  if (opts.rig !== undefined) {
    if (opts.hal !== 'serial') throw new CommandLineError(`--rig ${opts.rig} needs --hal serial (the simulated HAL is its own rig)`);
    if (!(RIGS as readonly string[]).includes(opts.rig)) throw new CommandLineError(`--rig must be one of ${RIGS.join(', ')}, got '${opts.rig}'`);
  }
  if (opts.promptTimeout !== undefined && (opts.hal !== 'serial' || (opts.rig ?? 'prompt') !== 'prompt')) {
    throw new CommandLineError('--prompt-timeout applies to --hal serial --rig prompt only');
  }
  const out: { -readonly [K in keyof RunOptions]: RunOptions[K] } = {};
  if (opts.csms !== 'embedded') out.csms = { kind: 'external', url: csmsUrl(opts.csms) };
  if (opts.id !== undefined) {
    const ids = opts.id.split(',').map((s) => s.trim());
    const bad = ids.find((id) => !CHARGE_POINT_ID.test(id));
    if (bad !== undefined) throw new CommandLineError(`--id: '${bad}' is not a charge point id (1..48 of A-Z a-z 0-9 * _ = + @ . -; several are separated by commas)`);
    out.ids = ids;
  }
  if (opts.maxWait !== undefined) out.maxRealWaitMs = duration(opts.maxWait, '--max-wait');
  if (opts.ocpp !== undefined) out.ocppVersion = opts.ocpp === '2.0.1' ? '2.0.1' : '1.6';
  return out;
}

function csmsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CommandLineError(`--csms must be 'embedded' or a ws:// or wss:// URL, got '${value}'`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new CommandLineError(`--csms must be 'embedded' or a ws:// or wss:// URL, got '${value}'`);
  if (url.search || url.hash) throw new CommandLineError(`--csms ${value}: no query or fragment (the charger id is appended to the path)`);
  return value.replace(/\/+$/, '');
}

function duration(value: string, flag: string): number {
  try {
    const ms = parseDuration(value, flag);
    if (ms <= 0) throw new RangeError(`${flag}: must be more than 0, got '${value}'`);
    return ms;
  } catch (e) {
    throw new CommandLineError((e as Error).message);
  }
}
