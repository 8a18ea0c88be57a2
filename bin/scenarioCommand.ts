/**
 * `evse scenario run <files|dirs|globs…>`: runs scenario scripts against the simulated HAL and
 * the embedded strict CSMS in virtual time and prints a report. Exit code 1 when any fails,
 * 2 when the command line is wrong.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledTwin, expandScenarioArgs } from '../scenarios/kit/files.js';
import { REPORTERS, report, type ReporterName } from '../scenarios/kit/reporters.js';
import { runScenarioFiles } from '../scenarios/kit/run.js';

export interface ScenarioRunOptions {
  reporter: string;
  output?: string;
  seed: number;
  hal: string;
  csms: string;
  timeline?: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Running compiled (dist/bin/scenarioCommand.js) or from source (bin/scenarioCommand.ts, tests). */
const compiled = import.meta.url.endsWith('.js');
const packageRoot = compiled ? path.resolve(here, '..', '..') : path.resolve(here, '..');

export async function runScenarioCommand(args: readonly string[], opts: ScenarioRunOptions): Promise<number> {
  const err = (line: string) => process.stderr.write(`evse scenario run: ${line}\n`);
  if (opts.hal !== 'sim') {
    err(`--hal ${opts.hal} is not supported yet: this version runs scenarios against the simulated HAL only (--hal sim)`);
    return 2;
  }
  if (opts.csms !== 'embedded') {
    err(`--csms ${opts.csms} is not supported yet: this version runs scenarios against the embedded strict CSMS only (--csms embedded)`);
    return 2;
  }
  if (!(REPORTERS as readonly string[]).includes(opts.reporter)) {
    err(`unknown reporter '${opts.reporter}'; use one of ${REPORTERS.join(', ')}`);
    return 2;
  }
  let files: string[];
  try {
    const patterns = args.length > 0 ? args : [path.join(packageRoot, compiled ? 'dist/scenarios/library' : 'scenarios/library'), path.join(packageRoot, 'scenarios/library/*.scenario.yaml')];
    files = expandScenarioArgs(patterns).map((f) => (compiled ? compiledTwin(f, packageRoot) : f));
    files = [...new Set(files)];
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  const results = await runScenarioFiles(files, { seed: opts.seed });
  const text = report(opts.reporter as ReporterName, results, { timeline: opts.timeline === true });
  if (opts.output) {
    await writeFile(opts.output, text);
    const failed = results.filter((r) => r.status === 'failed').length;
    process.stdout.write(`${results.length - failed} passed, ${failed} failed; ${opts.reporter} report written to ${opts.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}
