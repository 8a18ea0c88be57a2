/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line must be a
 * `# HELP`, a `# TYPE` or a sample `name{label="value",…} number`, every sample must belong to a
 * family declared by `# TYPE`, and each histogram series must be well formed: cumulative buckets
 * in increasing `le` order ending at `+Inf`, `+Inf` equal to `_count`, a `_sum`.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface HistogramSeries {
  /** Labels without `le`. */
  labels: Record<string, string>;
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

function parseValue(text: string, line: string): number {
  // As Prometheus reads them (Go's ParseFloat ignores the case; prom-client writes `Nan`).
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const v = Number(text);
  if (text.trim() === '' || Number.isNaN(v)) throw new Error(`not a number in "${line}"`);
  return v;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels in "${line}"`);
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice in "${line}"`);
    labels[m[1]!] = m[2]!;
  }
  return labels;
}

/** Samples, declared types and help texts; throws naming the first malformed line. */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string>; helps: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help) {
      if (helps.has(help[1]!)) throw new Error(`help of ${help[1]} given twice`);
      helps.set(help[1]!, help[2]!);
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      if (types.has(type[1]!)) throw new Error(`family ${type[1]} declared twice`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not an exposition line: "${line}"`);
    const name = m[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(family)) throw new Error(`sample ${name} of no declared family`);
    if (family !== name && types.get(family) !== 'histogram' && types.get(family) !== 'summary') throw new Error(`${name}: suffix on a ${types.get(family)}`);
    samples.push({ name, labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3]!, line) });
  }
  return { samples, types, helps };
}

const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** The series of histogram `name`, checked for well-formedness (throws naming the series). */
export function histogramSeries(samples: Sample[], name: string): HistogramSeries[] {
  const byKey = new Map<string, HistogramSeries>();
  const of = (labels: Record<string, string>) => {
    const k = key(labels);
    let s = byKey.get(k);
    if (!s) byKey.set(k, (s = { labels, buckets: [], sum: NaN, count: NaN }));
    return s;
  };
  for (const s of samples) {
    if (s.name === `${name}_bucket`) {
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${name}_bucket without le`);
      of(rest).buckets.push({ le: parseValue(le, `le="${le}"`), count: s.value });
    } else if (s.name === `${name}_sum`) of(s.labels).sum = s.value;
    else if (s.name === `${name}_count`) of(s.labels).count = s.value;
  }
  for (const s of byKey.values()) {
    const where = `${name}${key(s.labels)}`;
    for (let i = 1; i < s.buckets.length; i++) {
      if (!(s.buckets[i]!.le > s.buckets[i - 1]!.le)) throw new Error(`${where}: le not increasing`);
      if (s.buckets[i]!.count < s.buckets[i - 1]!.count) throw new Error(`${where}: buckets not cumulative at le=${s.buckets[i]!.le}`);
    }
    if (s.buckets.at(-1)?.le !== Infinity) throw new Error(`${where}: no +Inf bucket`);
    if (s.buckets.at(-1)!.count !== s.count) throw new Error(`${where}: +Inf ${s.buckets.at(-1)!.count} != _count ${s.count}`);
    if (Number.isNaN(s.sum)) throw new Error(`${where}: no _sum`);
  }
  return [...byKey.values()];
}
