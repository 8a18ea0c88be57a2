/**
 * `evse sessions`: the session history `evse run` keeps in its data directory
 * (`<dataDir>/sessions.log`, agent/store/SessionHistory.ts), with the utilisation summary
 * (agent/sessions/usageSummary.ts, the same one the fleet report shows). A readable table by
 * default; `--csv` (one row per session) and `--json` (sessions and summary) for machines.
 * Only reads: it may run while `evse run` writes.
 *
 * Exit codes: 0; 64 for a bad option; 66 when the data directory does not exist; 74 when the
 * history cannot be read; 78 when the configuration (for the default data directory) is invalid.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { summarizeUsage, tallyHistory, describeUsage, type UsageSummary } from '../agent/sessions/usageSummary.js';
import { idleAfterChargeMs, sessionDurationMs, sessionState, type SessionRecord } from '../agent/store/usageTypes.js';
import { SessionHistory, type HistoryContents } from '../agent/store/SessionHistory.js';
import { loadSettings } from './settings/loadSettings.js';
import { exitOnInvalidSettings } from './settings/settings.js';
import { SESSION_HISTORY_FILE } from './usageRecording.js';

export interface SessionsCommandOptions {
  dataDir?: string;
  since?: string;
  csv?: boolean;
  json?: boolean;
}

export interface SessionsIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  now: () => number;
}

const EX_USAGE = 64;
const EX_NOINPUT = 66;
const EX_IOERR = 74;

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** `--since`: a date (UTC midnight), a date and time (local unless it has a zone), or a duration back from `now`. */
export function parseSince(text: string, now: number): number {
  const t = text.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([mhdw])$/.exec(t);
  const at = duration ? now - Number(duration[1]) * UNITS[duration[2]!]! : DATE.test(t) ? Date.parse(t) : NaN;
  if (!Number.isFinite(at)) throw new RangeError(`--since: expected a date (2026-05-01, 2026-05-01T08:00Z) or a duration back from now (90m, 12h, 7d, 4w), got "${text}"`);
  if (at > now) throw new RangeError(`--since: ${new Date(at).toISOString()} is in the future`);
  return at;
}

export async function runSessionsCommand(opts: SessionsCommandOptions, io: SessionsIo = { stdout: process.stdout, stderr: process.stderr, now: () => Date.now() }): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr.write(`evse sessions: ${message}\n`);
    return code;
  };
  const now = io.now();
  let since: number | undefined;
  try {
    if (opts.csv && opts.json) throw new RangeError('--csv and --json exclude each other: choose one');
    since = opts.since === undefined ? undefined : parseSince(opts.since, now);
  } catch (err) {
    return fail(EX_USAGE, (err as Error).message);
  }
  let dataDir: string;
  try {
    dataDir = resolve(opts.dataDir ?? loadSettings().dataDir);
  } catch (err) {
    return exitOnInvalidSettings(err);
  }
  const isDir = await stat(dataDir).then((s) => s.isDirectory(), () => false);
  if (!isDir) return fail(EX_NOINPUT, `no data directory ${dataDir} (--data-dir, or dataDir / EVSE_DATA_DIR of evse run)`);
  const file = join(dataDir, SESSION_HISTORY_FILE);
  let history: HistoryContents | undefined;
  try {
    history = await SessionHistory.read(file);
  } catch (err) {
    return fail(EX_IOERR, `cannot read ${file}: ${(err as Error).message}`);
  }
  if (!history) io.stderr.write(`evse sessions: no session history in ${dataDir} yet (evse run keeps it in ${SESSION_HISTORY_FILE})\n`);
  else if (history.skippedLines > 0) io.stderr.write(`evse sessions: ${history.skippedLines} unreadable line(s) in ${file} skipped\n`);
  const report = buildReport(history, file, since, now);
  if (opts.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (opts.csv) io.stdout.write(csv(report.sessions));
  else io.stdout.write(table(report));
  return 0;
}

/** One session as exported: times as ISO strings, durations in whole seconds, null where unknown. */
export interface SessionRow {
  id: string;
  connectorId: number;
  transactionId: number | null;
  idTagHash: string | null;
  state: string;
  pluggedInAt: string | null;
  startedAt: string;
  stoppedAt: string | null;
  unpluggedAt: string | null;
  durationS: number | null;
  energyWh: number | null;
  chargingS: number;
  idleAfterChargeS: number | null;
  stopReason: string | null;
  faults: string[];
  interrupted: boolean;
}

export interface SessionsReport {
  chargePointId: string | null;
  file: string;
  period: { from: string; to: string };
  summary: UsageSummary;
  sessions: SessionRow[];
}

function buildReport(h: HistoryContents | undefined, file: string, since: number | undefined, now: number): SessionsReport {
  const sessions = h?.sessions ?? [];
  const start = h?.since ?? sessions[0]?.startedAt ?? now;
  const from = Math.min(now, Math.max(start, since ?? start));
  const period = { from, to: now };
  const connectors = h?.connectors ?? Math.max(1, ...sessions.map((s) => s.connectorId));
  // Intervals still open end where the history last tells of (the agent may be stopped).
  const openUntil = Math.min(now, Math.max(from, h?.aliveAt ?? now));
  const tally = tallyHistory({ sessions, intervals: h?.intervals ?? [], connectors }, period, openUntil);
  return {
    chargePointId: h?.chargePointId ?? null,
    file,
    period: { from: iso(from)!, to: iso(now)! },
    summary: summarizeUsage(tally),
    sessions: sessions.filter((s) => s.startedAt >= from && s.startedAt < now).map(row),
  };
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms / 1000));

function row(r: SessionRecord): SessionRow {
  return {
    id: r.id,
    connectorId: r.connectorId,
    transactionId: r.transactionId ?? null,
    idTagHash: r.idTagHash ?? null,
    state: sessionState(r),
    pluggedInAt: iso(r.pluggedInAt),
    startedAt: iso(r.startedAt)!,
    stoppedAt: iso(r.stoppedAt),
    unpluggedAt: iso(r.unpluggedAt),
    durationS: seconds(sessionDurationMs(r)),
    energyWh: r.energyWh ?? null,
    chargingS: seconds(r.chargingMs)!,
    idleAfterChargeS: seconds(idleAfterChargeMs(r)),
    stopReason: r.stopReason ?? null,
    faults: r.faults,
    interrupted: r.interrupted === true,
  };
}

const COLUMNS: (keyof SessionRow)[] = ['id', 'connectorId', 'transactionId', 'idTagHash', 'state', 'pluggedInAt', 'startedAt', 'stoppedAt', 'unpluggedAt', 'durationS', 'energyWh', 'chargingS', 'idleAfterChargeS', 'stopReason', 'faults', 'interrupted'];

function csvField(v: SessionRow[keyof SessionRow]): string {
  const text = v === null ? '' : Array.isArray(v) ? v.join('; ') : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(rows: SessionRow[]): string {
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvField(r[c])).join(','))].map((l) => `${l}\r\n`).join('');
}

/** h:mm */
function hm(s: number | null): string {
  if (s === null) return '-';
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}

function table(r: SessionsReport): string {
  const head = `${r.chargePointId ?? 'charger'}: ${r.period.from} to ${r.period.to} (${r.file})`;
  const header = ['started (UTC)', 'conn', 'state', 'duration', 'kWh', 'charging', 'idle after', 'stop reason', 'faults'];
  const rows = r.sessions.map((s) => [
    s.startedAt.slice(0, 16).replace('T', ' '),
    String(s.connectorId),
    s.interrupted ? `${s.state}*` : s.state,
    hm(s.durationS),
    s.energyWh === null ? '-' : (s.energyWh / 1000).toFixed(2),
    hm(s.chargingS),
    hm(s.idleAfterChargeS),
    s.stopReason ?? '-',
    s.faults.length > 0 ? s.faults.join('; ') : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const lines = [head, '', line(header), ...rows.map(line)];
  if (rows.length === 0) lines.push('(no sessions in this period)');
  if (r.sessions.some((s) => s.interrupted)) lines.push('* interrupted: the charger was not running for part of this session');
  lines.push('', `summary: ${describeUsage(r.summary)}`);
  return `${lines.join('\n')}\n`;
}
