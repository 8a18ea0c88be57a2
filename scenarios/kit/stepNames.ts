/**
 * The names a scenario may use on `t`, and the two guards against unknown ones: at load, a scan
 * of the scenario's source text (`t.ev.plugin` → file:line:column and a suggestion), and at run
 * time, namespaces that throw a ScenarioUsageError with the call site instead of
 * "t.ev.plugin is not a function".
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioUsageError } from './errors.js';
import { didYouMean } from './words.js';

/** Every step of every namespace (kit.test.ts checks these against a real context). */
export const STEP_NAMES = {
  ev: ['plugIn', 'unplug', 'suspend', 'resume', 'setSoC'],
  rfid: ['present'],
  csms: ['expect', 'expectChargingState', 'expectNone', 'send', 'sendError', 'lastTransactionId', 'respondTo', 'failNext', 'ignoreNext', 'disconnect', 'online', 'sent'],
  fault: ['meter', 'relay', 'pilot', 'tamper', 'temperature'],
  expect: ['status', 'energy', 'transactions', 'firmware', 'display'],
  clock: ['advance', 'elapsed', 'now'],
  files: ['serve', 'uploadUrl', 'expectUpload', 'uploaded'],
  firmware: ['image', 'sign', 'manufacturerRoot', 'spoil'],
} as const satisfies Record<string, readonly string[]>;

type Namespace = keyof typeof STEP_NAMES;
const NAMESPACES = Object.keys(STEP_NAMES) as Namespace[];
/** What `t` itself has; `t.charger(n)` has the same but `charger`, `chargers`, `clock` and `note`. */
export const CONTEXT_KEYS = [...NAMESPACES, 'id', 'charger', 'chargers', 'note', 'ocppVersion'] as const;
const CHARGER_KEYS = ['id', 'ev', 'rfid', 'csms', 'fault', 'expect'] as const;

const kitDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * `/x/my.scenario.ts:5:11`: the first frame of the current stack outside the kit's own code,
 * node_modules and Node's internals (the scenario's call), or '' when there is none.
 */
export function callSite(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  for (const line of lines) {
    const m = /\(?((?:file:\/\/)?\/[^()\s]*?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    const kitCode = file.startsWith(kitDir + path.sep) && !/\.(test|scenario)\.[cm]?[jt]s$/.test(file);
    if (kitCode || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return '';
}

/** " (at /x/my.scenario.ts:5:11)" or "". */
export const atCallSite = (): string => {
  const where = callSite();
  return where ? ` (at ${where})` : '';
};

/** Property reads a namespace must answer without complaint (await, inspection, JSON). */
const PASS = new Set(['then', 'toJSON', 'constructor', 'inspect', 'asymmetricMatch', '$$typeof', 'nodeType', 'tagName']);

/** Wraps one namespace object (`what` is how a scenario names it, e.g. `t.charger(2).ev`). */
export function guarded<T extends object>(target: T, what: string): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      if (typeof key === 'symbol' || key in obj || PASS.has(key)) return Reflect.get(obj, key, receiver) as unknown;
      const known = Object.keys(obj);
      const hint = didYouMean(key, known).replace(/did you mean (\w+)/, `did you mean ${what}.$1`);
      throw new ScenarioUsageError(`unknown step ${what}.${key}${hint}; ${what} has ${known.join(', ')}${atCallSite()}`);
    },
    set(_obj, key) {
      throw new ScenarioUsageError(`${what}.${String(key)}: the scenario context is read-only${atCallSite()}`);
    },
  });
}

/** One unknown name found in a scenario's source. */
export interface UnknownStep {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** The name of the body's context parameter (`async (t) => …` → `t`), or undefined. */
export function contextParameter(body: (...args: never[]) => unknown): string | undefined {
  return /^\s*(?:async\s*)?(?:function\s*\w*\s*)?\(?\s*([A-Za-z_$][\w$]*)/.exec(body.toString())?.[1];
}

/**
 * Scans a scenario's source text for `t.<namespace>.<step>`, `t.charger(n).<namespace>.<step>`
 * and `t.<name>`, and lists the unknown names (line comments are skipped).
 */
export function scanSteps(source: string, param = 't'): UnknownStep[] {
  const out: UnknownStep[] = [];
  const p = param.replace(/\$/g, '\\$');
  const re = new RegExp(`(?<![\\w$.])${p}\\s*\\.\\s*([A-Za-z_$][\\w$]*)(\\s*\\([^()]*\\))?(?:\\s*\\.\\s*([A-Za-z_$][\\w$]*))?(?:\\s*\\.\\s*([A-Za-z_$][\\w$]*))?`, 'g');
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const position = (index: number) => {
    let line = lineStarts.length - 1;
    while (lineStarts[line]! > index) line--;
    return { line: line + 1, column: index - lineStarts[line]! + 1 };
  };
  for (const m of source.matchAll(re)) {
    const { line, column } = position(m.index);
    const before = source.slice(lineStarts[line - 1]!, m.index);
    if (/\/\/|^\s*\*/.test(before)) continue;
    const [, first, call, second, third] = m;
    const report = (message: string) => out.push({ line, column, message });
    if (!(CONTEXT_KEYS as readonly string[]).includes(first!)) {
      report(`unknown name ${param}.${first}${didYouMean(first!, CONTEXT_KEYS)}`);
    } else if (first === 'charger' && call && second) {
      if (!(CHARGER_KEYS as readonly string[]).includes(second)) report(`unknown name ${param}.charger${call.trim()}.${second}${didYouMean(second, CHARGER_KEYS)}`);
      else if (third && second in STEP_NAMES) check(`${param}.charger${call.trim()}.${second}`, second as Namespace, third, report);
    } else if (first! in STEP_NAMES && !call && second) {
      check(`${param}.${first}`, first as Namespace, second, report);
    }
  }
  return out;
}

function check(what: string, ns: Namespace, step: string, report: (message: string) => void): void {
  const known: readonly string[] = STEP_NAMES[ns];
  if (!known.includes(step)) report(`unknown step ${what}.${step}${didYouMean(step, known).replace(/did you mean (\w+)/, `did you mean ${what}.$1`)}`);
}
