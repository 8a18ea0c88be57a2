/**
 * The declarative form, `*.scenario.yaml`, for people who do not write TypeScript:
 *
 *   name: RFID card starts and stops a session
 *   steps:
 *     - plugIn: 1
 *     - present: 04A1B2C3
 *     - expectStatus: { connector: 1, status: Charging }
 *     - advance: 30m
 *
 * A site with several chargers declares `options: {chargers: 2}` and puts one charger's steps
 * in a block (steps outside a block act on charger 1; `advance` and `note` on the whole site):
 *
 *     - charger 2:
 *         - plugIn: 1
 *         - present: 04A1B2C3
 *
 * Validated when loaded: an unknown step or a bad argument throws a ScenarioUsageError with the
 * file, the line and, for a misspelt step, a suggestion.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isSeq, parseDocument, type Node } from 'yaml';
import type { ScenarioContext } from './context.js';
import { ScenarioFailure, ScenarioUsageError, scenario, type ScenarioDefinition, type ScenarioOptions } from './scenario.js';
import { SITE_STEPS, STEPS, type StepRunner } from './yamlSteps.js';
import { didYouMean } from './words.js';

const TOP_KEYS = ['name', 'options', 'steps'];
const OPTION_KEYS = ['ocpp', 'charger', 'boot', 'cards', 'waitForBoot', 'chargers', 'ids'];

export async function loadYamlScenario(file: string): Promise<ScenarioDefinition> {
  return parseYamlScenario(await readFile(file, 'utf8'), file);
}

export function parseYamlScenario(text: string, file = '<yaml>'): ScenarioDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const fail = (line: number, message: string): never => {
    throw new ScenarioUsageError(`${file}:${line}: ${message}`);
  };
  const syntax = doc.errors[0];
  if (syntax) fail(syntax.linePos?.[0].line ?? 1, `YAML syntax: ${syntax.message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root)) return fail(lineOf(root), 'expected a mapping with name: and steps:');
  for (const pair of root.items) {
    const key = String((pair.key as { value?: unknown })?.value);
    if (!TOP_KEYS.includes(key)) fail(lineOf(pair.key as Node), `unknown key '${key}'${didYouMean(key, TOP_KEYS)}; expected ${TOP_KEYS.join(', ')}`);
  }
  const name: unknown = root.toJSON()?.name;
  if (typeof name !== 'string' || name.trim() === '') return fail(lineOf(root), "missing 'name:' (what the scenario checks)");
  const options = (root.get('options', true) as Node | undefined)?.toJSON() ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) fail(lineOf(root.get('options', true) as Node), 'options must be a mapping');
  for (const k of Object.keys(options as object)) {
    if (!OPTION_KEYS.includes(k)) fail(lineOf(root.get('options', true) as Node), `unknown option '${k}'${didYouMean(k, OPTION_KEYS)}; expected ${OPTION_KEYS.join(', ')}`);
  }
  const stepsNode = root.get('steps', true) as Node | undefined;
  if (!isSeq(stepsNode) || stepsNode.items.length === 0) return fail(lineOf(stepsNode ?? root), "'steps:' must be a non-empty list, e.g. '- plugIn: 1'");

  const chargers = typeof (options as ScenarioOptions).chargers === 'number' ? (options as ScenarioOptions).chargers! : 1;
  const controlSteps: string[] = [];
  const wrap = (line: number, stepName: string, run: StepRunner): StepRunner => async (t) => {
    try {
      await run(t);
    } catch (err) {
      const where = `${file}:${line} ${stepName}`;
      if (err instanceof ScenarioFailure) throw new ScenarioFailure(where, err.expected, err.actual, `${where}: ${err.message}`);
      throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
    }
  };
  const parseSteps = (items: readonly unknown[], inCharger: number | undefined): StepRunner[] =>
    items.map((item) => {
      const line = lineOf(item as Node);
      if (!isMap(item) || item.items.length !== 1) {
        return fail(line, `each step is one 'name: argument' pair, e.g. '- plugIn: 1' or '- advance: 30m'`);
      }
      const pair = item.items[0]!;
      const stepName = String((pair.key as { value?: unknown })?.value);
      const block = /^charger (\d+)$/.exec(stepName);
      if (block) {
        const n = Number(block[1]);
        if (inCharger !== undefined) fail(line, `'${stepName}:' inside 'charger ${inCharger}:': blocks do not nest`);
        if (n < 1 || n > chargers) fail(line, `'${stepName}:': the scenario has charger(s) 1..${chargers} (declare more with options: {chargers: N})`);
        if (!isSeq(pair.value) || pair.value.items.length === 0) fail(line, `'${stepName}:' takes a list of steps, e.g. '- charger 2: [{plugIn: 1}, {present: 04A1B2C3}]'`);
        const inner = parseSteps((pair.value as { items: unknown[] }).items, n);
        return async (t) => {
          const c = (t as ScenarioContext).charger(n);
          for (const run of inner) await run(c);
        };
      }
      const spec = STEPS[stepName];
      if (!spec) return fail(line, `unknown step '${stepName}'${didYouMean(stepName, Object.keys(STEPS))}; known steps: ${Object.keys(STEPS).join(', ')}, charger N`);
      if (inCharger !== undefined && SITE_STEPS.includes(stepName)) fail(line, `${stepName} acts on the whole site: put it outside the 'charger ${inCharger}:' block`);
      if (spec.control) controlSteps.push(`${file}:${line} ${stepName}`);
      const arg = (pair.value as Node | null)?.toJSON?.() ?? null;
      try {
        return wrap(line, stepName, spec.parse(arg));
      } catch (err) {
        return fail(line, `${stepName}: ${(err as Error).message}; usage: ${spec.usage}`);
      }
    });
  const steps = parseSteps(stepsNode.items, undefined);

  let def: ScenarioDefinition;
  try {
    def = scenario(name, options as ScenarioOptions, async (t: ScenarioContext) => {
      for (const run of steps) await run(t);
    });
  } catch (err) {
    return fail(lineOf(root.get('options', true) as Node), (err as Error).message.replace(/^scenario '[^']*': /, ''));
  }
  def.csmsControlSteps = controlSteps;
  def.file = file;
  return def;
}
