/**
 * Imports a scenario module. Under a TypeScript-aware host (vitest) a plain import; when the
 * runner runs compiled (dist/, plain Node 20), `.ts` files are compiled on import by tsx's ESM
 * API, wherever they are. There `evse-agent/…` (e.g. `evse-agent/scenarios/kit`) resolves to
 * this package through its `exports` map, so an engineer's file outside the repository needs no
 * node_modules of its own.
 */
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ScenarioUsageError } from './scenario.js';

const compiled = import.meta.url.endsWith('.js');
/** dist/scenarios/kit → the package root (the directory holding package.json). */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), compiled ? '../../..' : '../..');

/**
 * Module hooks, registered before tsx's so that they run after them: `evse-agent/…` resolves
 * from this package (its `exports`), and `.ts` files outside node_modules load as ES modules
 * (a loose `.ts` file in a directory without `"type": "module"` would otherwise be CommonJS,
 * with neither the resolution above nor source lines in its errors).
 */
const HOOKS = `
import { readFile } from 'node:fs/promises';
let parentURL;
export function initialize(data) { parentURL = data.parentURL; }
export async function resolve(specifier, context, next) {
  if (specifier === 'evse-agent' || specifier.startsWith('evse-agent/')) return next(specifier, { ...context, parentURL });
  return next(specifier, context);
}
export async function load(url, context, next) {
  const { pathname } = new URL(url);
  if (url.startsWith('file:') && /\\.m?ts$/.test(pathname) && !pathname.includes('/node_modules/')) {
    return { format: 'module-typescript', source: await readFile(new URL(url)), shortCircuit: true };
  }
  return next(url, context);
}`;
let hooksRegistered = false;

export async function importScenarioModule(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  if (!compiled || !/\.(c|m)?ts$/.test(file)) return (await import(url)) as { default?: unknown };
  if (!hooksRegistered) {
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { parentURL: pathToFileURL(path.join(packageRoot, 'package.json')).href } });
    hooksRegistered = true;
  }
  const { tsImport } = await import('tsx/esm/api');
  let mod: { default?: unknown };
  try {
    mod = (await tsImport(url, import.meta.url)) as { default?: unknown };
  } catch (err) {
    throw new ScenarioUsageError(describeLoadError(file, err));
  }
  /** A CommonJS module's namespace: its exports object is `default`, the file's default inside. */
  const inner = mod.default as { default?: unknown; __esModule?: boolean } | undefined;
  return inner && typeof inner === 'object' && 'default' in inner ? { default: inner.default } : mod;
}

/** esbuild's "file:line:column: ERROR: text" (a syntax error) or the module's own error, with the file. */
function describeLoadError(file: string, err: unknown): string {
  const e = err as { message?: string; errors?: { text: string; location?: { line: number; column: number } | null }[] };
  const first = e.errors?.[0];
  if (first) return `${file}:${first.location ? `${first.location.line}:${first.location.column + 1}` : ''}: ${first.text}`;
  const message = (e.message ?? String(err)).replace(/^Transform failed with \d+ errors?:\n/, '');
  return message.includes(file) ? message : `${file}: ${message}`;
}
