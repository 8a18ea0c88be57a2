/**
 * Which files `evse scenario run` runs: paths, directories (every *.scenario.* inside) and
 * globs (`*`, `**`, `?`). Only files named like scenarios are run: a glob or a directory skips
 * the others (a library's `library.test.ts`, source maps, notes) and says which; a file named
 * on the command line that is not a scenario is an error, before anything is imported. When the
 * runner runs compiled (dist/), a `.ts` scenario of the package is replaced by its compiled twin
 * under dist/ when there is one; other `.ts` files are compiled on import (loadModule.ts); YAML
 * scenarios are read from where they are.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ScenarioUsageError } from './scenario.js';

const SCENARIO_FILE = /\.scenario\.(ts|js|mjs|ya?ml)$/;
/** How scenario files are named, for messages. */
export const SCENARIO_FILE_NAMES = '*.scenario.ts, *.scenario.js, *.scenario.mjs or *.scenario.yaml';

/** A file `evse scenario run` runs: `x.scenario.ts|js|mjs|yaml|yml`, not a declaration file. */
export function isScenarioFile(file: string): boolean {
  return SCENARIO_FILE.test(file) && !file.endsWith('.d.ts');
}

/** The scenario files the arguments name, and the files globs matched that are not scenarios. */
export interface ScenarioSelection {
  /** Absolute paths, in argument order, each argument's matches sorted, without duplicates. */
  readonly files: string[];
  /** Files a glob matched but that are not named like scenarios (absolute, sorted). */
  readonly skipped: string[];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}

/**
 * Expands the command-line arguments into scenario files. Throws a ScenarioUsageError naming the
 * argument when a file does not exist or is not a scenario, or a glob or directory holds none.
 */
export function expandScenarioArgs(args: readonly string[], cwd = process.cwd()): ScenarioSelection {
  const files = new Set<string>();
  const skipped = new Set<string>();
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    if (/[*?]/.test(arg)) {
      const base = abs.slice(0, abs.search(/[*?]/)).replace(/[^/]*$/, '') || '/';
      const re = globToRegExp(abs);
      const matched = existsSync(base) ? walk(base).filter((f) => re.test(f)).sort() : [];
      if (matched.length === 0) throw new ScenarioUsageError(`no files match ${arg}`);
      const scenarios = matched.filter(isScenarioFile);
      if (scenarios.length === 0) {
        throw new ScenarioUsageError(`no scenario files match ${arg}: it matches ${count(matched.length, 'file')}, none named ${SCENARIO_FILE_NAMES}`);
      }
      scenarios.forEach((f) => files.add(f));
      matched.filter((f) => !isScenarioFile(f)).forEach((f) => skipped.add(f));
    } else if (existsSync(abs) && statSync(abs).isDirectory()) {
      const found = walk(abs).filter(isScenarioFile);
      if (found.length === 0) throw new ScenarioUsageError(`no scenario files (${SCENARIO_FILE_NAMES}) in ${arg}`);
      found.sort().forEach((f) => files.add(f));
    } else if (existsSync(abs)) {
      if (!isScenarioFile(abs)) throw new ScenarioUsageError(`not a scenario file: ${arg} (scenario files are named ${SCENARIO_FILE_NAMES})`);
      files.add(abs);
    } else throw new ScenarioUsageError(`no such file: ${arg}`);
  }
  return { files: [...files], skipped: [...skipped].sort() };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * For a runner running compiled: `<root>/x/y.scenario.ts` → `<root>/dist/x/y.scenario.js` when
 * built. `root` is the package root (the directory holding dist/). Any other `.ts` file (outside
 * the package, or not built) stays as it is and is compiled on import (loadModule.ts).
 */
export function compiledTwin(file: string, root: string): string {
  if (!/\.(c|m)?ts$/.test(file) || file.endsWith('.d.ts')) return file;
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return file;
  const twin = path.join(root, 'dist', rel.replace(/\.(c|m)?ts$/, '.js'));
  return existsSync(twin) ? twin : file;
}

/**
 * The source of a compiled scenario of the package, for reports: `<root>/dist/x/y.scenario.js` →
 * `<root>/x/y.scenario.ts` when that file exists (a repository checkout); any other file is its own source.
 */
export function sourceOf(file: string, root: string): string {
  const rel = path.relative(path.join(root, 'dist'), file);
  if (rel.startsWith('..') || path.isAbsolute(rel) || !rel.endsWith('.js')) return file;
  const source = path.join(root, rel.replace(/\.js$/, '.ts'));
  return existsSync(source) ? source : file;
}
