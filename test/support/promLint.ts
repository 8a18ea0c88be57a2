/**
 * The naming rules `promtool check metrics` applies to an exposition (Prometheus's promlint), for
 * tests that must assert them on machines without promtool: help text on every family, `_total`
 * on counters and only there, base units (seconds, bytes, …, no `milliseconds`), no abbreviated
 * units, the histogram/summary suffixes and labels (`_bucket`, `_sum`, `_count`, `le`,
 * `quantile`) only on those types, no type name in the metric name, no `:` and no camelCase.
 * Parsing is {@link parseExposition}'s (strict: a malformed line throws).
 */
import { parseExposition } from './promText.js';

const BASE_UNITS = ['amperes', 'bytes', 'celsius', 'grams', 'joules', 'kelvin', 'meters', 'metres', 'seconds', 'volts'];
const OTHER_UNITS: Record<string, string> = {
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kelvins: 'kelvin',
  fahrenheit: 'celsius',
  rankine: 'celsius',
  inches: 'meters',
  yards: 'meters',
  miles: 'meters',
  bits: 'bytes',
  calories: 'joules',
  pounds: 'grams',
  ounces: 'grams',
};
const PREFIXES = ['pico', 'nano', 'micro', 'milli', 'centi', 'deci', 'deca', 'hecto', 'kilo', 'kibi', 'mega', 'mibi', 'giga', 'gibi', 'tera', 'tebi', 'peta', 'pebi'];
const ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
const TYPE_NAMES = ['counter', 'gauge', 'histogram', 'summary'];
const CAMEL = /[a-z][A-Z]/;

/** The unit a metric name uses and its base unit, if the name holds a known unit. */
function unitOf(name: string): { unit: string; base: string } | undefined {
  const words = name.split('_');
  for (const [unit, base] of [...BASE_UNITS.map((u) => [u, u] as const), ...Object.entries(OTHER_UNITS)]) {
    for (const prefix of [...PREFIXES, '']) if (words.includes(prefix + unit)) return { unit: prefix + unit, base };
  }
  return undefined;
}

const hasWord = (name: string, word: string) => name.includes(`_${word}_`) || name.endsWith(`_${word}`);

/** Problems as promtool words them (`<family> <problem>`); empty when the exposition is clean. */
export function lintExposition(text: string): string[] {
  const { samples, types, helps } = parseExposition(text);
  const problems: string[] = [];
  const labelsOf = new Map<string, Set<string>>();
  for (const s of samples) {
    const family = types.has(s.name) ? s.name : s.name.replace(/_(bucket|sum|count)$/, '');
    const set = labelsOf.get(family) ?? new Set<string>();
    for (const l of Object.keys(s.labels)) set.add(l);
    labelsOf.set(family, set);
  }
  for (const [name, type] of types) {
    const say = (problem: string) => problems.push(`${name} ${problem}`);
    const lower = name.toLowerCase();
    const labels = labelsOf.get(name) ?? new Set<string>();
    if (!helps.has(name)) say('no help text');
    const unit = unitOf(name);
    if (unit && unit.unit !== unit.base) say(`use base unit "${unit.base}" instead of "${unit.unit}"`);
    if (type === 'counter' && !name.endsWith('_total')) say('counter metrics should have "_total" suffix');
    if (type !== 'counter' && type !== 'untyped' && name.endsWith('_total')) say('non-counter metrics should not have "_total" suffix');
    if (type !== 'histogram' && name.endsWith('_bucket')) say('non-histogram metrics should not have "_bucket" suffix');
    for (const suffix of ['_count', '_sum']) if (type !== 'histogram' && type !== 'summary' && name.endsWith(suffix)) say(`non-histogram and non-summary metrics should not have "${suffix}" suffix`);
    if (type !== 'histogram' && labels.has('le')) say('non-histogram metrics should not have "le" label');
    if (type !== 'summary' && labels.has('quantile')) say('non-summary metrics should not have "quantile" label');
    for (const t of TYPE_NAMES) if (hasWord(lower, t)) say(`metric name should not include type '${t}'`);
    if (name.includes(':')) say("metric names should not contain ':'");
    if (CAMEL.test(name)) say("metric names should be written in 'snake_case' not 'camelCase'");
    if ([...labels].some((l) => CAMEL.test(l))) say("label names should be written in 'snake_case' not 'camelCase'");
    if (ABBREVIATIONS.some((a) => hasWord(lower, a))) say('metric names should not contain abbreviated units');
  }
  return problems;
}
