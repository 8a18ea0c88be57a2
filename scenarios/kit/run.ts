/**
 * The scenario runner: loads scenario files (`*.scenario.ts|js` default-exporting
 * `scenario(…)`, or `*.scenario.yaml`), runs each and returns results with a timeline.
 * By default against the simulated HAL and the embedded strict CSMS in virtual time,
 * deterministic per seed (the only randomness, the agents' reconnect jitter, comes from the
 * seed); with a serial bench or an external CSMS on real time (see harness.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createContext } from './context.js';
import { CSMS_CONTROL_STEPS } from './csmsView.js';
import { createHarness, type RunEnvironment, type TimelineEvent } from './harness.js';
import { importScenarioModule } from './loadModule.js';
import { ScenarioFailure, ScenarioUsageError, isScenarioDefinition, scenario, type ScenarioBody, type ScenarioDefinition } from './scenario.js';
import { contextParameter, scanSteps } from './stepNames.js';
import { loadYamlScenario } from './yaml.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

export interface RunOptions {
  /** Seed for everything random in the run (default 1). */
  readonly seed?: number;
  /** Wall-clock limit per scenario, ms (default 30 000). */
  readonly timeoutMs?: number;
  /** How many events a failure carries (default 20). */
  readonly lastEvents?: number;
  /** Hardware: the simulated HAL (default) or a serial bench (real time). */
  readonly hal?: RunEnvironment['hal'];
  /** The embedded strict CSMS (default) or an external one, observed through the agents' traffic. */
  readonly csms?: RunEnvironment['csms'];
  /** Charge point ids instead of the scenario's. */
  readonly ids?: readonly string[];
  /** Longest single wait on real time, ms (default 10 minutes). */
  readonly maxRealWaitMs?: number;
  /**
   * The OCPP version the chargers speak. Default: the scenario's own (`onlyOcpp`), else 1.6. A
   * scenario for the other version only is skipped.
   */
  readonly ocppVersion?: OcppVersion;
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
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped (a scenario for the other OCPP version only). */
  readonly skipped?: string;
  /** The OCPP version the chargers spoke. */
  readonly ocppVersion?: OcppVersion;
  /** Wall time, ms. */
  readonly wallMs: number;
  /** Time the scenario covered on its clock, ms (virtual time; real time when `realTime`). */
  readonly virtualMs: number;
  /** Ran on the wall clock (serial HAL or an external CSMS). */
  readonly realTime?: boolean;
  readonly seed: number;
  readonly timeline: readonly TimelineEvent[];
  readonly error?: ScenarioError;
  /** The last events before the failure (only on failure). */
  readonly lastEvents?: readonly TimelineEvent[];
}

/**
 * Loads one scenario file. YAML is validated here; errors name the file and line. TypeScript
 * and JavaScript default-export `scenario(…)` (or a plain `async (t) => { … }`, named after the
 * file); their source is scanned for unknown steps before anything runs.
 */
export async function loadScenarioFile(file: string): Promise<ScenarioDefinition> {
  if (/\.ya?ml$/i.test(file)) return loadYamlScenario(file);
  if (!/\.(c|m)?(t|j)s$/.test(file)) throw new ScenarioUsageError(`${file}: a scenario file ends in .scenario.ts, .scenario.js or .scenario.yaml`);
  let mod: { default?: unknown };
  try {
    mod = await importScenarioModule(file);
  } catch (err) {
    // The module threw while loading (a TypeError from its top level, a missing import): say which file.
    if (err instanceof ScenarioUsageError) throw err;
    throw new ScenarioUsageError(`${file}: could not load it as a scenario: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const exported = mod.default;
  const def = typeof exported === 'function' ? scenario(path.basename(file).replace(/\.scenario\.\w+$|\.\w+$/, ''), exported as ScenarioBody) : exported;
  if (!isScenarioDefinition(def)) {
    throw new ScenarioUsageError(`${file}: must default-export scenario(name, async (t) => { … }) (import { scenario } from 'evse-agent/scenarios/kit') or an async function (t) => { … }`);
  }
  const param = contextParameter(def.body);
  const unknown = param ? scanSteps(await readFile(file, 'utf8'), param) : [];
  if (unknown.length > 0) throw new ScenarioUsageError(unknown.map((u) => `${file}:${u.line}:${u.column}: ${u.message}`).join('\n'));
  def.file = file;
  return def;
}

/** Runs one scenario to completion; never throws for a failing scenario. */
export async function runScenario(def: ScenarioDefinition, options: RunOptions = {}): Promise<ScenarioResult> {
  const seed = options.seed ?? 1;
  const only = def.options.onlyOcpp;
  const ocppVersion = options.ocppVersion ?? only?.version ?? '1.6';
  if (only && only.version !== ocppVersion) {
    return { name: def.name, file: def.file, status: 'skipped', skipped: `OCPP ${only.version} only: ${only.reason}`, ocppVersion, wallMs: 0, virtualMs: 0, seed, timeline: [] };
  }
  const started = performance.now();
  let timeline: TimelineEvent[] = [];
  let virtualMs = 0;
  let realTime = false;
  let error: ScenarioError | undefined;
  /** Timeline length when the scenario failed (the shutdown that follows is not part of the failure). */
  let failedAt: number | undefined;
  try {
    const csms = options.csms ?? { kind: 'embedded' };
    if (csms.kind === 'external') refuseCsmsControl(def, csms.url);
    const h = await createHarness(def.options, {
      seed,
      hal: options.hal ?? { kind: 'sim' },
      csms,
      ...(options.ids && { ids: options.ids }),
      ...(options.maxRealWaitMs !== undefined && { maxRealWaitMs: options.maxRealWaitMs }),
      ocppVersion,
    });
    timeline = h.timeline;
    realTime = !h.virtual;
    const t0 = h.clock.now();
    try {
      await withTimeout(def.body(createContext(h)), options.timeoutMs ?? (h.virtual ? 30_000 : 30 * 60_000), def.name);
      await h.settle();
      const violations = h.chargers.flatMap((c) => h.csms.violations(c.id));
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
  const base = { name: def.name, file: def.file, wallMs, virtualMs, seed, ocppVersion, timeline, ...(realTime && { realTime }) };
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

/**
 * Against an external CSMS, refuses before starting a scenario that needs control of the CSMS:
 * scripted boot or card answers, or control steps (YAML: listed by the loader with file:line;
 * TypeScript: found in the body's source text, the step itself refuses too if this misses one).
 */
function refuseCsmsControl(def: ScenarioDefinition, url: string): void {
  const needs: string[] = [];
  if (def.options.boot) needs.push('options.boot (how the CSMS answers BootNotification)');
  if (def.options.cards) needs.push('options.cards (how the CSMS answers Authorize)');
  if (def.csmsControlSteps) needs.push(...def.csmsControlSteps);
  else {
    const source = def.body.toString();
    const re = new RegExp(`\\.csms\\.(${CSMS_CONTROL_STEPS.join('|')})\\(`, 'g');
    for (const m of source.matchAll(re)) if (!needs.includes(`csms.${m[1]}`)) needs.push(`csms.${m[1]}`);
  }
  if (needs.length > 0) {
    throw new ScenarioUsageError(
      `needs control of the CSMS (${needs.join('; ')}), but this run uses the external CSMS ${url}: against an external CSMS the kit only observes the charger's own traffic; run it with --csms embedded`,
    );
  }
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
