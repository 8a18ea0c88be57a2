/**
 * Which files `evse scenario run` runs: paths, directories (every *.scenario.* inside) and
 * globs (`*`, `**`, `?`). When the runner runs compiled (dist/), a `.ts` scenario of the package
 * is replaced by its compiled twin under dist/ when there is one; other `.ts` files are compiled
 * on import (loadModule.ts); YAML scenarios are read from where they are.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SCENARIO_FILE = /\.scenario\.(ts|js|mjs|ya?ml)$/;

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

/** Expands the command-line arguments into scenario files, sorted, without duplicates. */
export function expandScenarioArgs(args: readonly string[], cwd = process.cwd()): string[] {
  const files = new Set<string>();
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    if (/[*?]/.test(arg)) {
      const base = abs.slice(0, abs.search(/[*?]/)).replace(/[^/]*$/, '') || '/';
      const re = globToRegExp(abs);
      const matched = existsSync(base) ? walk(base).filter((f) => re.test(f)) : [];
      if (matched.length === 0) throw new Error(`no files match ${arg}`);
      matched.sort().forEach((f) => files.add(f));
    } else if (existsSync(abs) && statSync(abs).isDirectory()) {
      const found = walk(abs).filter((f) => SCENARIO_FILE.test(f) && !f.endsWith('.d.ts'));
      if (found.length === 0) throw new Error(`no *.scenario.ts|js|yaml files in ${arg}`);
      found.sort().forEach((f) => files.add(f));
    } else if (existsSync(abs)) files.add(abs);
    else throw new Error(`no such file: ${arg}`);
  }
  return [...files];
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
