/**
 * Reports of a scenario run as text: pretty (timeline, expected vs actual), JSON, JUnit XML.
 * Scenario files are shown relative to the scenario root (`root`, see {@link scenarioRoot}): the
 * JUnit `classname` and `file` are e.g. `scenarios/library/relay-weld.scenario.ts`, the same on a
 * CI machine as on a laptop.
 */
import path from 'node:path';
import type { TimelineEvent } from './harness.js';
import type { ScenarioResult } from './run.js';

export const REPORTERS = ['pretty', 'json', 'junit'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface ReportOptions {
  /** Pretty: the timeline of passing scenarios too. */
  timeline?: boolean;
  /** Directory the scenario files are shown relative to (default: each file as it is). */
  root?: string;
}

export function report(name: ReporterName, results: readonly ScenarioResult[], options: ReportOptions = {}): string {
  const shown = options.root === undefined ? results : results.map((r) => (r.file ? { ...r, file: relativeTo(options.root!, r.file) } : r));
  switch (name) {
    case 'pretty': return pretty(shown, options.timeline ?? false);
    case 'json': return json(shown, options.root);
    case 'junit': return junit(shown);
  }
}

/** `file` relative to `root` with `/` separators, or as it is when it lies outside `root`. */
function relativeTo(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

/**
 * The directory scenario paths are shown relative to: `cwd` when every file lies inside it (the
 * paths a user typed, the repository root in CI), else the deepest directory holding them all.
 */
export function scenarioRoot(files: readonly string[], cwd: string): string {
  const inside = (dir: string, f: string) => {
    const rel = path.relative(dir, f);
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  if (files.length === 0 || files.every((f) => inside(cwd, f))) return cwd;
  let root = path.dirname(path.resolve(files[0]!));
  while (!files.every((f) => inside(root, path.resolve(f))) && path.dirname(root) !== root) root = path.dirname(root);
  return root;
}

export function elapsedLabel(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `+${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

const MARK: Record<TimelineEvent['kind'], string> = { step: '▶', status: '●', ocpp: ' ', energy: '⚡', card: '▭', display: '▤', note: '#' };

function eventLine(e: TimelineEvent): string {
  return `    ${elapsedLabel(e.at).padStart(9)} ${MARK[e.kind]} ${e.text}`;
}

function pretty(results: readonly ScenarioResult[], timeline: boolean): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.status === 'skipped') {
      out.push(`- ${r.name}  (skipped on OCPP ${r.ocppVersion ?? '?'}: ${r.skipped})${r.file ? `  ${r.file}` : ''}`);
      continue;
    }
    const head = `${r.status === 'passed' ? '✓' : '✗'} ${r.name}  (${r.realTime ? 'real time' : `${(r.virtualMs / 60_000).toFixed(1)} min virtual`}, ${Math.round(r.wallMs)} ms wall)${r.file ? `  ${r.file}` : ''}`;
    out.push(head);
    if (timeline && r.status === 'passed') out.push(...r.timeline.map(eventLine));
    if (r.error) {
      const at = r.error.step && !r.error.message.startsWith(r.error.step) ? ` at ${r.error.step}: ` : ': ';
      out.push(`    ${r.error.type === 'usage' ? 'scenario error' : 'failed'}${at}${r.error.message}`);
      if (r.error.expected !== undefined) out.push(`      expected: ${r.error.expected}`, `      actual:   ${r.error.actual}`);
      if (r.lastEvents && r.lastEvents.length > 0) {
        out.push(`    last ${r.lastEvents.length} events:`, ...r.lastEvents.map(eventLine));
      }
    }
  }
  const { passed, failed, skipped } = counts(results);
  const wall = results.reduce((s, r) => s + r.wallMs, 0);
  out.push('', `${passed} passed, ${failed} failed, ${skipped ? `${skipped} skipped, ` : ''}${results.length} scenarios in ${(wall / 1000).toFixed(2)} s`);
  return `${out.join('\n')}\n`;
}

/** How many passed, failed and were skipped (a scenario for the other OCPP version only). */
export function counts(results: readonly ScenarioResult[]): { passed: number; failed: number; skipped: number } {
  const n = (status: ScenarioResult['status']) => results.filter((r) => r.status === status).length;
  return { passed: n('passed'), failed: n('failed'), skipped: n('skipped') };
}

function json(results: readonly ScenarioResult[], root: string | undefined): string {
  const { passed, failed, skipped } = counts(results);
  return `${JSON.stringify({ passed, failed, ...(skipped && { skipped }), ...(root !== undefined && { root }), scenarios: results }, null, 2)}\n`;
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .split('')
    .filter((c) => c >= ' ' || c === '\t' || c === '\n' || c === '\r')
    .join('');
}

function junit(results: readonly ScenarioResult[]): string {
  const { failed, skipped } = counts(results);
  const total = results.reduce((s, r) => s + r.wallMs, 0) / 1000;
  const cases = results.map((r) => {
    const attrs = `name="${xml(r.name)}" classname="${xml(r.file ?? 'scenario')}"${r.file ? ` file="${xml(r.file)}"` : ''} time="${(r.wallMs / 1000).toFixed(3)}"`;
    if (r.status === 'skipped') return `    <testcase ${attrs}>\n      <skipped message="${xml(r.skipped ?? '')}"/>\n    </testcase>`;
    if (!r.error) return `    <testcase ${attrs}/>`;
    const detail = [
      r.error.expected !== undefined ? `expected: ${r.error.expected}\nactual:   ${r.error.actual}` : r.error.message,
      '',
      'last events:',
      ...(r.lastEvents ?? []).map((e) => `${elapsedLabel(e.at)} ${e.kind} ${e.text}`),
    ].join('\n');
    return `    <testcase ${attrs}>\n      <failure message="${xml(r.error.message)}" type="${r.error.type}">${xml(detail)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="evse scenarios" tests="${results.length}" failures="${failed}" time="${total.toFixed(3)}">`,
    `  <testsuite name="evse scenarios" tests="${results.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${total.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
