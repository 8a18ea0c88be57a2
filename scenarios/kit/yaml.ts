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
 * Steps only one OCPP version takes go in a version block (top level; it may hold charger blocks); a
 * run on the other version passes over it with a note in the timeline:
 *
 *     - ocpp 2.0.1:
 *         - send: { action: RemoteStopTransaction, payload: { transactionId: last } }
 *
 * Validated when loaded: syntax errors, unknown keys and steps and bad arguments throw one
 * ScenarioUsageError listing every mistake of the file, each with the file, line and column and,
 * for a misspelt step, a suggestion.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isSeq, parseDocument, type Node } from 'yaml';
import type { ScenarioContext } from './context.js';
import { ScenarioFailure, ScenarioUsageError, scenario, type ScenarioDefinition, type ScenarioOptions } from './scenario.js';
import { SITE_STEPS, STEPS, type StepRunner } from './yamlSteps.js';
import { didYouMean } from './words.js';

const TOP_KEYS = ['name', 'options', 'steps'];
const OPTION_KEYS = ['ocpp', 'charger', 'boot', 'cards', 'waitForBoot', 'chargers', 'ids', 'tariff', 'onlyOcpp'];

export async function loadYamlScenario(file: string): Promise<ScenarioDefinition> {
  return parseYamlScenario(await readFile(file, 'utf8'), file);
}

/**
 * Parses and validates a YAML scenario. Every mistake of the file is reported at once, one line
 * each as `file:line:column: message` (YAML syntax errors first; when there are any, the rest of
 * the file is not checked, because the parser's recovery makes the structure unreliable).
 */
export function parseYamlScenario(text: string, file = '<yaml>'): ScenarioDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number) => lines.linePos(offset);
  const where = (node: Node | null | undefined) => {
    const { line, col } = node?.range ? at(node.range[0]) : { line: 1, col: 1 };
    return `${line}:${col}`;
  };
  const lineOf = (node: Node | null | undefined) => (node?.range ? at(node.range[0]).line : 1);
  const issues: string[] = [];
  const report = (node: Node | null | undefined, message: string): void => {
    issues.push(`${file}:${where(node)}: ${message}`);
  };
  const refuse = (): never => {
    throw new ScenarioUsageError(issues.join('\n'));
  };
  for (const e of doc.errors) {
    const { line, col } = at(e.pos[0]);
    issues.push(`${file}:${line}:${col}: YAML syntax: ${e.message.split('\n')[0]}`);
  }
  if (issues.length > 0) return refuse();
  const root = doc.contents;
  if (!isMap(root)) {
    report(root, 'expected a mapping with name: and steps:');
    return refuse();
  }
  for (const pair of root.items) {
    const key = String((pair.key as { value?: unknown })?.value);
    if (!TOP_KEYS.includes(key)) report(pair.key as Node, `unknown key '${key}'${didYouMean(key, TOP_KEYS)}; expected ${TOP_KEYS.join(', ')}`);
  }
  const name: unknown = root.toJSON()?.name;
  if (typeof name !== 'string' || name.trim() === '') report(root, "missing 'name:' (what the scenario checks)");
  const optionsNode = root.get('options', true) as Node | undefined;
  let options: unknown = optionsNode?.toJSON() ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    report(optionsNode, 'options must be a mapping');
    options = {};
  }
  for (const k of Object.keys(options as object)) {
    if (!OPTION_KEYS.includes(k)) report(optionsNode, `unknown option '${k}'${didYouMean(k, OPTION_KEYS)}; expected ${OPTION_KEYS.join(', ')}`);
  }
  const stepsNode = root.get('steps', true) as Node | undefined;
  if (!isSeq(stepsNode) || stepsNode.items.length === 0) {
    report(stepsNode ?? root, "'steps:' must be a non-empty list, e.g. '- plugIn: 1'");
    return refuse();
  }

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
  /** What a refused step becomes: the scenario is refused before it runs, so this never does. */
  const refused: StepRunner = async () => undefined;
  /** `inVersion`: inside an `ocpp <version>:` block (they do not nest, and are not inside a charger block). */
  const parseSteps = (items: readonly unknown[], inCharger: number | undefined, inVersion?: string): StepRunner[] =>
    items.map((item): StepRunner => {
      const node = item as Node;
      const line = lineOf(node);
      if (!isMap(item) || item.items.length !== 1) {
        report(node, `each step is one 'name: argument' pair, e.g. '- plugIn: 1' or '- advance: 30m'`);
        return refused;
      }
      const pair = item.items[0]!;
      const stepName = String((pair.key as { value?: unknown })?.value);
      if (/^ocpp\b/i.test(stepName)) {
        const version = /^ocpp (1\.6|2\.0\.1)$/.exec(stepName)?.[1];
        if (!version) {
          report(node, `'${stepName}:': a version block is 'ocpp 1.6:' or 'ocpp 2.0.1:'`);
          return refused;
        }
        if (inVersion !== undefined || inCharger !== undefined) {
          report(node, `'${stepName}:' inside '${inVersion !== undefined ? `ocpp ${inVersion}` : `charger ${inCharger}`}:': a version block stands at the top level (it may hold 'charger n:' blocks)`);
          return refused;
        }
        if (!isSeq(pair.value) || pair.value.items.length === 0) {
          report(node, `'${stepName}:' takes a list of steps, e.g. '- ${stepName}: [{unplug: 1}]'`);
          return refused;
        }
        const inner = parseSteps(pair.value.items, undefined, version);
        return async (t) => {
          const site = t as ScenarioContext;
          if (site.ocppVersion !== version) {
            site.note(`${file}:${line} the steps for OCPP ${version} are not run: the charger speaks ${site.ocppVersion}`);
            return;
          }
          for (const run of inner) await run(t);
        };
      }
      const block = /^charger (\d+)$/.exec(stepName);
      if (block) {
        const n = Number(block[1]);
        if (inCharger !== undefined) {
          report(node, `'${stepName}:' inside 'charger ${inCharger}:': blocks do not nest`);
          return refused;
        }
        if (n < 1 || n > chargers) report(node, `'${stepName}:': the scenario has charger(s) 1..${chargers} (declare more with options: {chargers: N})`);
        if (!isSeq(pair.value) || pair.value.items.length === 0) {
          report(node, `'${stepName}:' takes a list of steps, e.g. '- charger 2: [{plugIn: 1}, {present: 04A1B2C3}]'`);
          return refused;
        }
        const inner = parseSteps(pair.value.items, n, inVersion);
        return async (t) => {
          const c = (t as ScenarioContext).charger(n);
          for (const run of inner) await run(c);
        };
      }
      const spec = STEPS[stepName];
      if (!spec) {
        report(node, `unknown step '${stepName}'${didYouMean(stepName, Object.keys(STEPS))}; known steps: ${Object.keys(STEPS).join(', ')}, charger N, ocpp 1.6, ocpp 2.0.1`);
        return refused;
      }
      if (inCharger !== undefined && SITE_STEPS.includes(stepName)) report(node, `${stepName} acts on the whole site: put it outside the 'charger ${inCharger}:' block`);
      if (spec.control) controlSteps.push(`${file}:${line} ${stepName}`);
      const arg = (pair.value as Node | null)?.toJSON?.() ?? null;
      try {
        return wrap(line, stepName, spec.parse(arg));
      } catch (err) {
        report(node, `${stepName}: ${(err as Error).message}; usage: ${spec.usage}`);
        return refused;
      }
    });
  const steps = parseSteps(stepsNode.items, undefined);
  if (issues.length > 0) return refuse();

  let def: ScenarioDefinition;
  try {
    def = scenario(name as string, options as ScenarioOptions, async (t: ScenarioContext) => {
      for (const run of steps) await run(t);
    });
  } catch (err) {
    report(optionsNode ?? root, (err as Error).message.replace(/^scenario '[^']*': /, ''));
    return refuse();
  }
  def.csmsControlSteps = controlSteps;
  def.file = file;
  return def;
}
