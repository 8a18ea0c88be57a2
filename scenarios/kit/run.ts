/**
 * The scenario runner: loads scenario files (`*.scenario.ts|js` default-exporting
 * `scenario(…)`, or `*.scenario.yaml`), runs each against the simulated HAL and the embedded
 * strict CSMS in virtual time, and returns results with a timeline. Deterministic per seed:
 * the only randomness (the agent's reconnect jitter) comes from the seed.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createContext } from './context.js';
import { CHARGE_POINT_ID, createHarness, type TimelineEvent } from './harness.js';
import { ScenarioFailure, ScenarioUsageError, isScenarioDefinition, type ScenarioDefinition } from './scenario.js';
import { loadYamlScenario } from './yaml.js';

export interface RunOptions {
  /** Seed for everything random in the run (default 1). */
  readonly seed?: number;
  /** Wall-clock limit per scenario, ms (default 30 000). */
  readonly timeoutMs?: number;
  /** How many events a failure carries (default 20). */
  readonly lastEvents?: number;
}

export interface ScenarioError {
  /** The step that failed, e.g. `expect.status(1, Charging)`. */
  readonly step: string | undefined;
  readonly message: string;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
  /** `failure`: an expectation did not hold; `usage`: the script is wrong; `error`: anything else. */
  readonly type: 'failure' | 'usage' | 'error';
}

export interface ScenarioResult {
  readonly name: string;
  readonly file: string | undefined;
  readonly status: 'passed' | 'failed';
  /** Wall time, ms. */
  readonly wallMs: number;
  /** Virtual time the scenario covered, ms. */
  readonly virtualMs: number;
  readonly seed: number;
  readonly timeline: readonly TimelineEvent[];
  readonly error?: ScenarioError;
  /** The last events before the failure (only on failure). */
  readonly lastEvents?: readonly TimelineEvent[];
}

/** Loads one scenario file. YAML is validated here; errors name the file and line. */
export async function loadScenarioFile(file: string): Promise<ScenarioDefinition> {
  if (/\.ya?ml$/i.test(file)) return loadYamlScenario(file);
  if (!/\.(c|m)?(t|j)s$/.test(file)) throw new ScenarioUsageError(`${file}: a scenario file ends in .scenario.ts, .scenario.js or .scenario.yaml`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (!isScenarioDefinition(mod.default)) {
    throw new ScenarioUsageError(`${file}: must default-export scenario(name, async (t) => { … }) from scenarios/kit/scenario.js`);
  }
  mod.default.file = file;
  return mod.default;
}

/** Runs one scenario to completion; never throws for a failing scenario. */
export async function runScenario(def: ScenarioDefinition, options: RunOptions = {}): Promise<ScenarioResult> {
  const seed = options.seed ?? 1;
  const started = performance.now();
  let timeline: TimelineEvent[] = [];
  let virtualMs = 0;
  let error: ScenarioError | undefined;
  /** Timeline length when the scenario failed (the shutdown that follows is not part of the failure). */
  let failedAt: number | undefined;
  try {
    const h = await createHarness(def.options, seed);
    timeline = h.timeline;
    const t0 = h.clock.now();
    try {
      await withTimeout(def.body(createContext(h)), options.timeoutMs ?? 30_000, def.name);
      await h.settle();
      const violations = h.csms.violations(CHARGE_POINT_ID).filter((v) => v.by === 'chargePoint');
      if (violations.length > 0) {
        throw new ScenarioFailure('OCPP schema', 'no schema violations by the charger', JSON.stringify(violations.slice(0, 3)));
      }
    } catch (err) {
      failedAt = h.timeline.length;
      throw err;
    } finally {
      virtualMs = h.clock.now() - t0;
      await h.close();
    }
  } catch (err) {
    error = describe(err);
  }
  const wallMs = performance.now() - started;
  const base = { name: def.name, file: def.file, wallMs, virtualMs, seed, timeline };
  if (!error) return { ...base, status: 'passed' };
  return { ...base, status: 'failed', error, lastEvents: timeline.slice(0, failedAt ?? timeline.length).slice(-(options.lastEvents ?? 20)) };
}

/** Loads and runs files in order; a file that does not load is a failed result. */
export async function runScenarioFiles(files: readonly string[], options: RunOptions = {}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const file of files) {
    let def: ScenarioDefinition;
    try {
      def = await loadScenarioFile(file);
    } catch (err) {
      results.push({ name: file, file, status: 'failed', wallMs: 0, virtualMs: 0, seed: options.seed ?? 1, timeline: [], error: describe(err), lastEvents: [] });
      continue;
    }
    results.push(await runScenario(def, options));
  }
  return results;
}

function describe(err: unknown): ScenarioError {
  if (err instanceof ScenarioFailure) return { type: 'failure', step: err.step, message: err.message, expected: err.expected, actual: err.actual };
  const message = err instanceof Error ? err.message : String(err);
  const step = /^([\w.]+(?:\([^)]*\))?):/.exec(message)?.[1];
  return { type: err instanceof ScenarioUsageError ? 'usage' : 'error', step, message, expected: undefined, actual: undefined };
}

async function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scenario '${name}' took longer than ${ms} ms of wall time`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}
