/**
 * The machinery behind bin/settings/settings.ts: a JSON Schema (checked with ajv) plus a table of what
 * each key expects in words, turned into problems that name the key path, e.g.
 * `hal.serial.devices[2].address: expected a Modbus address from 1 to 247, got 300`.
 *
 * ajv is the copy ocpp-rpc loads anyway, so this check at start adds little to the agent's memory
 * (zod, used before, added about 5 MB RSS). Key paths are dotted, with `[i]` for list entries;
 * the table of expectations is keyed by the same paths with `[]` for any index.
 */
import { Ajv } from '../../agent/jsonSchema.js';
import { isTimeZone } from '../../agent/chargingLimits/localTime.js';

export interface SettingsIssue {
  /** Key path, e.g. `csms.url` (or an environment variable name for problems outside the tree). */
  readonly path: string;
  /** What was expected and what was found, e.g. `expected a ws:// or wss:// URL, got "http://x"`. */
  readonly message: string;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly issues: readonly SettingsIssue[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** The part of JSON Schema used here (draft-07, ajv's `discriminator`, and `notBelowSibling`). */
export interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly oneOf?: readonly Schema[];
  readonly [keyword: string]: unknown;
}

export const integer = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
export const decimal = (minimum: number, maximum: number) => ({ type: 'number', minimum, maximum }) as const;
export const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
export const bool = { type: 'boolean' } as const;
export const oneOfValues = (values: readonly (string | number)[]) => ({ type: typeof values[0] === 'number' ? 'integer' : 'string', enum: values }) as const;

/** An object whose keys are all required (except `optional`) and nothing else is allowed. */
export function section(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return { type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), additionalProperties: false };
}

/** A list whose entries are one of `branches`, told apart by the value of their `tag` key. */
export function taggedList(tag: string, branches: readonly Schema[]): Schema {
  return { type: 'array', items: { type: 'object', discriminator: { propertyName: tag }, oneOf: branches } };
}

/** What a key expects, in words (or computed from the value found). */
export type Expected = string | ((value: unknown) => string);
/** By key path (`[]` for any list index), then (where it differs) by the schema keyword that failed, `''` for the rest. */
export type ExpectedTable = Readonly<Record<string, Expected | Readonly<Record<string, Expected>>>>;

// ── ajv ─────────────────────────────────────────────────────────────────────────────────────

/** What settings.ts reads of ajv's results (ajv's own ErrorObject and ValidateFunction fit them). */
interface AjvError {
  readonly keyword: string;
  /** JSON Pointer to the value, e.g. `/csms/url`. */
  readonly instancePath: string;
  readonly params: { readonly missingProperty?: string; readonly additionalProperty?: string; readonly tag?: string };
  readonly message?: string;
}
export interface AjvValidate {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

/**
 * Compiles a settings schema. No check of the schema against the meta-schema, which ajv would
 * compile for it (3 MB RSS): the schema is a constant, and strict mode still rejects unknown
 * keywords and keyword values of the wrong type when it is compiled (at module load).
 */
export function compileSchema(schema: Schema): AjvValidate {
  const ajv = new Ajv({ allErrors: true, strict: true, validateSchema: false, discriminator: true })
    .addFormat('ws-url', (s) => URL.canParse(s) && /^wss?:$/.test(new URL(s).protocol))
    .addFormat('time-zone', isTimeZone)
    .addKeyword({
      keyword: 'notBelowSibling',
      type: 'number',
      schemaType: 'string',
      // A sibling that is not a number is reported on its own key.
      validate: (sibling, value, _parentSchema, context) => {
        const other = context?.parentData[sibling];
        return typeof other !== 'number' || value >= other;
      },
    });
  return ajv.compile(schema);
}

// ── strings from the environment ────────────────────────────────────────────────────────────

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 'true', 'yes', 'on'].map((w) => [w, true] as const),
  ...['0', 'false', 'no', 'off'].map((w) => [w, false] as const),
]);

/**
 * A copy of the tree's sections and lists with strings converted where the schema wants a number
 * or a boolean (environment variables are strings). What cannot be converted is left for the
 * schema to reject; messages quote the value as written. Keys in `emptyMeansUnset` that hold ''
 * are dropped.
 */
export function convertStrings(schema: Schema, value: unknown, emptyMeansUnset: ReadonlySet<string>, path = ''): unknown {
  if (schema.items && Array.isArray(value)) {
    const items = schema.items;
    return value.map((item, i) => convertStrings(branchFor(items, item), item, emptyMeansUnset, `${path}[${i}]`));
  }
  if (schema.properties && isRecord(value)) {
    const properties = schema.properties;
    // Known keys in schema order, then the rest (which the schema rejects).
    const keys = [...Object.keys(properties).filter((k) => Object.hasOwn(value, k)), ...Object.keys(value).filter((k) => !Object.hasOwn(properties, k))];
    const entries = keys.map((key) => {
      const keyPath = path ? `${path}.${key}` : key;
      const v = value[key];
      if (emptyMeansUnset.has(keyPath) && v === '') return [key, undefined] as const;
      return [key, Object.hasOwn(properties, key) ? convertStrings(properties[key]!, v, emptyMeansUnset, keyPath) : v] as const;
    });
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  if (typeof value !== 'string') return value;
  // A list from an environment variable: its entries separated by commas or spaces.
  if (schema.type === 'array') return value.split(/[\s,]+/).filter((item) => item !== '');
  if ((schema.type === 'integer' || schema.type === 'number') && NUMERIC.test(value)) return Number(value);
  if (schema.type === 'boolean') return BOOLEAN_WORDS.get(value.trim().toLowerCase()) ?? value;
  return value;
}

/** The branch of a tagged list entry its tag selects (or the schema itself). */
function branchFor(schema: Schema, value: unknown): Schema {
  const tag = (schema.discriminator as { propertyName?: string } | undefined)?.propertyName;
  if (!schema.oneOf || !tag || !isRecord(value)) return schema;
  return schema.oneOf.find((b) => (b.properties?.[tag] as { const?: unknown } | undefined)?.const === value[tag]) ?? schema;
}

// ── messages ────────────────────────────────────────────────────────────────────────────────

/** `['hal', 'serial', 'devices', '2', 'address']` → `hal.serial.devices[2].address`. */
export function formatPath(segments: readonly string[]): string {
  return segments.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
}

/** One ajv error as a problem naming its key, in the words of `expected`. */
export function describeError(error: AjvError, raw: unknown, expected: ExpectedTable, secrets: ReadonlySet<string>): SettingsIssue {
  const at = error.instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const { additionalProperty, missingProperty, tag } = error.params;
  if (error.keyword === 'additionalProperties' && additionalProperty !== undefined) {
    return { path: formatPath([...at, additionalProperty]), message: 'unknown key' };
  }
  const segments = missingProperty !== undefined ? [...at, missingProperty] : error.keyword === 'discriminator' && tag ? [...at, tag] : at;
  const path = formatPath(segments);
  const value = valueAt(raw, segments);
  const entry = expected[path.replace(/\[\d+\]/g, '[]')];
  const keyword = error.keyword === 'required' || error.keyword === 'discriminator' ? 'type' : error.keyword;
  const words = typeof entry === 'object' ? (entry[keyword] ?? entry['']) : entry;
  // ajv's own words only for a key missing from the table (a test makes sure none is).
  const message = (typeof words === 'function' ? words(value) : words) ?? error.message ?? `fails ${keyword}`;
  return describe(path, message, value, secrets.has(path));
}

/** `<expected>, got <value as written>` (or `, but it is not set`); a `secret` value is shown as (hidden). */
export function describe(path: string, expected: string, value: unknown, secret = false): SettingsIssue {
  const shownPath = path || '(top level)';
  if (value === undefined) return { path: shownPath, message: `${expected}, but it is not set` };
  // JSON, except what JSON cannot show (NaN and Infinity from YAML's .nan and .inf).
  const json = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  const shown = secret ? '(hidden)' : clip(json);
  return { path: shownPath, message: `${expected}, got ${shown}` };
}

/** One problem per key, the first found (ajv checks a value's type before anything else). */
export function uniqueByPath(issues: readonly SettingsIssue[]): SettingsIssue[] {
  const byPath = new Map<string, SettingsIssue>();
  for (const issue of issues) if (!byPath.has(issue.path)) byPath.set(issue.path, issue);
  return [...byPath.values()];
}

/** Orders problems as the schema orders its keys (list entries by index); unknown keys after the known ones of their section. */
export function bySchemaOrder(schema: Schema): (a: SettingsIssue, b: SettingsIssue) => number {
  return (a, b) => {
    const [ka, kb] = [schemaPosition(schema, a.path), schemaPosition(schema, b.path)];
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return ka.length - kb.length;
  };
}

function schemaPosition(schema: Schema, path: string): number[] {
  const position: number[] = [];
  let node: Schema | undefined = schema;
  for (const key of path.split(/\.|(?=\[)/)) {
    const index = /^\[(\d+)\]$/.exec(key);
    if (index) {
      position.push(Number(index[1]));
      node = node?.items;
      continue;
    }
    // In a tagged list entry, the first branch that has the key tells its place.
    const properties: Record<string, Schema> = node?.properties ?? node?.oneOf?.find((b) => b.properties && key in b.properties)?.properties ?? {};
    const keys = Object.keys(properties);
    const i = keys.indexOf(key);
    position.push(i < 0 ? keys.length : i);
    node = i < 0 ? undefined : properties[key];
  }
  return position;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
