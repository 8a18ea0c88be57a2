/**
 * `evse fleet merge <files...>`: merges the JSON reports of shards (or of any runs) into one:
 * counts add up, percentiles come from the merged histograms, timelines go onto one grid.
 * Prints the summary; `--report` writes the merged JSON, `--html` the HTML page (both checked
 * first: exit 64 when they cannot be written; the summary says where they went). A file that is
 * missing or not a fleet report ends it with exit 66 resp. 65 and a line naming the file. A file
 * given twice, or two reports of the same shard of one run (mergeReports.ts, sameShardOfOneRun),
 * end it with exit 64 and a line naming both: their chargers would count twice.
 */
import { readFile, realpath } from 'node:fs/promises';
import type { FleetReport } from '../scenarios/fleet/FleetMetrics.js';
import { formatSummary } from '../scenarios/fleet/formatReport.js';
import { mergeReports, sameShardOfOneRun } from '../scenarios/fleet/mergeReports.js';
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
  const given = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      const real = await realpath(file);
      const earlier = given.get(real);
      if (earlier !== undefined) {
        process.stderr.write(`evse fleet merge: ${earlier === file ? `${file} is given twice` : `${earlier} and ${file} are the same file`}: its chargers would count twice\n`);
        return EX_USAGE;
      }
      given.set(real, file);
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
  for (let i = 0; i < reports.length; i++) {
    const j = reports.findIndex((other, k) => k < i && sameShardOfOneRun(other, reports[i]!));
    if (j >= 0) {
      const r = reports[i]!;
      const run = r.run ? `${r.run.count} chargers ${r.run.idPrefix}…, seed ${r.run.seed}, ` : '';
      process.stderr.write(`evse fleet merge: ${files[j]} and ${files[i]} are both shard ${r.shard.index}/${r.shard.count} of one run (${run}started ${r.startedAt}): their chargers would count twice\n`);
      return EX_USAGE;
    }
  }
  const seen = new Set(reports.map((r) => `${r.shard.index}/${r.shard.count}`));
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
