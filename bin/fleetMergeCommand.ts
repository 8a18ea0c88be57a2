/**
 * `evse fleet merge <files...>`: merges the JSON reports of shards (or of any runs) into one:
 * counts add up, percentiles come from the merged histograms, timelines go onto one grid.
 * Prints the summary; `--report` writes the merged JSON, `--html` the HTML page (both checked
 * first: exit 64 when they cannot be written; the summary says where they went). A file that is
 * missing or not a fleet report ends it with exit 66 resp. 65 and a line naming the file; two
 * reports of the same shard are refused (they would count twice).
 */
import { readFile } from 'node:fs/promises';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { formatSummary } from '../scenarios/fleet/formatReport.js';
import { mergeReports } from '../scenarios/fleet/mergeReports.js';
import { reportHtml } from '../scenarios/fleet/reportHtml.js';
import { EX_USAGE } from './commandLine.js';
import { checkOutputFiles, describeWritten, EX_CANTCREAT, writeOutputFiles } from './outputFiles.js';

const EX_DATAERR = 65;
const EX_NOINPUT = 66;

function isReport(v: unknown): v is FleetReport {
  const r = v as FleetReport;
  return (
    typeof r === 'object' && r !== null &&
    typeof r.startedAt === 'string' && typeof r.endedAt === 'string' &&
    typeof r.chargers?.planned === 'number' && typeof r.shard?.index === 'number' && typeof r.shard?.count === 'number' &&
    typeof r.messages?.out === 'number' && typeof r.actions === 'object' && r.actions !== null && typeof r.transactions?.started === 'number'
  );
}

export async function runFleetMergeCommand(files: string[], opts: { report?: string; html?: string }): Promise<number> {
  const jsonOut = opts.report === undefined ? undefined : { option: '--report', file: opts.report, what: 'JSON report' };
  const htmlOut = opts.html === undefined ? undefined : { option: '--html', file: opts.html, what: 'HTML report' };
  try {
    await checkOutputFiles([jsonOut, htmlOut]);
  } catch (err) {
    process.stderr.write(`evse fleet merge: ${(err as Error).message}\n`);
    return EX_USAGE;
  }
  const reports: FleetReport[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      process.stderr.write(`evse fleet merge: ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})\n`);
      return EX_NOINPUT;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      process.stderr.write(`evse fleet merge: ${file}: not JSON (${(err as Error).message})\n`);
      return EX_DATAERR;
    }
    if (!isReport(parsed)) {
      process.stderr.write(`evse fleet merge: ${file}: not an evse fleet report (expected startedAt, chargers, shard, messages, actions, transactions)\n`);
      return EX_DATAERR;
    }
    reports.push(parsed);
  }
  const seen = new Map<string, string>();
  for (const [i, r] of reports.entries()) {
    const key = `${r.shard.index}/${r.shard.count}`;
    if (r.shard.count > 1 && seen.has(key)) {
      process.stderr.write(`evse fleet merge: ${files[i]} and ${seen.get(key)} are both shard ${key}: their chargers would count twice\n`);
      return EX_DATAERR;
    }
    seen.set(key, files[i]!);
  }
  const counts = new Set(reports.map((r) => r.shard.count));
  if (counts.size === 1) {
    const n = [...counts][0]!;
    const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(`${i}/${n}`));
    if (n > 1 && missing.length > 0) process.stderr.write(`evse fleet merge: shards ${missing.join(', ')} of ${n} are missing; the merged report covers ${n - missing.length} of ${n}\n`);
  }
  if (reports.some((r) => !r.latency)) process.stderr.write('evse fleet merge: some reports have no latency histograms (older format): their percentiles are approximated\n');
  const merged = mergeReports(reports.map((report) => ({ report })), { index: 0, count: 1 });
  const written = await writeOutputFiles([
    jsonOut && { ...jsonOut, content: () => `${JSON.stringify(merged, null, 2)}\n` },
    htmlOut && { ...htmlOut, content: () => reportHtml(merged) },
  ]);
  for (const w of written) if (!w.ok) process.stderr.write(`evse fleet merge: ${w.option} ${w.file}: cannot write the ${w.what} (${w.error})\n`);
  process.stdout.write(`${formatSummary(merged)}\n  merged ${reports.length} report(s)\n${written.map((w) => `  ${describeWritten(w)}\n`).join('')}`);
  return written.every((w) => w.ok) ? 0 : EX_CANTCREAT;
}
