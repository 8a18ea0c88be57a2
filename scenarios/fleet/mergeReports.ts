/**
 * Merges fleet reports of several parts (worker threads of one process, or the report files of
 * shards) into one: counts add up; latency percentiles are recomputed from the parts' histograms
 * (in the report as `latency`, or posted beside it by a worker), which merge exactly; timelines go
 * onto one grid. A part without histograms (an old report) lends its own percentiles: the largest
 * part's stand in and max is exact.
 */
import { versionSeries, type ActionMetrics, type FleetReport, type LatencySummary, type RunIdentity, type SeriesState, type VersionMetrics, type WorkerHealth } from './FleetMetrics.js';
import { OCPP_VERSIONS, type OcppVersion } from './ocppVersions.js';
import { mergeTimelines } from './FleetTimeline.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import { mergeUsage } from './FleetUsage.js';
import { mergeStops } from './FleetStop.js';
import { mergeSites } from './FleetSites.js';

export interface FleetPart {
  report: FleetReport;
  series?: Record<string, SeriesState>;
}

function sumRecord(records: (Record<string, number> | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

const histograms = (p: FleetPart) => p.series ?? p.report.latency;

function mergedHistogram(parts: FleetPart[], name: string): LatencyHistogram | undefined {
  if (parts.length === 0 || !parts.every((p) => histograms(p) !== undefined)) return undefined;
  const h = new LatencyHistogram();
  for (const p of parts) {
    const s = histograms(p)![name];
    if (s) h.absorb(s);
  }
  return h;
}

function mergedLatency(parts: FleetPart[], name: string, pick: (r: FleetReport) => LatencySummary | undefined): LatencySummary {
  const h = mergedHistogram(parts, name);
  if (h) return h.summary();
  const summaries = parts.map((p) => pick(p.report)).filter((s): s is LatencySummary => s !== undefined);
  const largest = summaries.reduce<LatencySummary | undefined>((a, b) => (!a || b.count > a.count ? b : a), undefined);
  const count = summaries.reduce((n, s) => n + s.count, 0);
  return { ...(largest ?? { p50: 0, p95: 0, p99: 0, max: 0 }), count, max: Math.max(0, ...summaries.map((s) => s.max)) };
}

const sameRun = (a: RunIdentity, b: RunIdentity) => a.idPrefix === b.idPrefix && a.count === b.count && a.seed === b.seed;

/**
 * Whether two reports are the same shard i/n of the same run, so that merging them would count its
 * chargers twice: the same shard, the same run parameters (when both reports have them), and
 * overlapping in time — the shards of one run run side by side, a repeated run of the same command
 * does not (a progress snapshot and the final report of one process overlap).
 */
export function sameShardOfOneRun(a: FleetReport, b: FleetReport): boolean {
  if (a.shard.index !== b.shard.index || a.shard.count !== b.shard.count) return false;
  if (a.run && b.run && !sameRun(a.run, b.run)) return false;
  return Date.parse(a.startedAt) <= Date.parse(b.endedAt) && Date.parse(b.startedAt) <= Date.parse(a.endedAt);
}

export function mergeReports(parts: FleetPart[], shard: { index: number; count: number }): FleetReport {
  const reports = parts.map((p) => p.report);
  const sum = (f: (r: FleetReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const startedAt = reports.map((r) => r.startedAt).sort()[0] ?? new Date().toISOString();
  const endedAt = reports.map((r) => r.endedAt).sort().at(-1) ?? startedAt;
  const durationS = (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
  const messages = { out: sum((r) => r.messages.out), in: sum((r) => r.messages.in) };
  const seriesNames = [...new Set(parts.flatMap((p) => Object.keys(histograms(p) ?? {})))];
  const latency = parts.every((p) => histograms(p) !== undefined) && parts.length > 0 ? Object.fromEntries(seriesNames.map((n) => [n, mergedHistogram(parts, n)!.state()])) : undefined;
  const timelines = reports.map((r) => r.timeline).filter((t) => t !== undefined);
  const timeline = mergeTimelines(timelines);
  const profiles = [...new Set(reports.map((r) => r.profile).filter((p) => p !== undefined))];
  const behaviour = reports.some((r) => r.behaviour) ? sumRecord(reports.map((r) => r.behaviour)) : undefined;
  const workers = mergeWorkerHealth(reports.map((r) => r.workers));
  const run = reports[0]?.run;
  const oneRun = run && reports.every((r) => r.run && sameRun(r.run, run));
  const usage = mergeUsage(reports.map((r) => r.usage));
  const stop = mergeStops(reports.map((r) => r.stop));
  const sites = mergeSites(reports.map((r) => r.sites));
  const versions = mergeVersions(parts);
  return {
    startedAt,
    endedAt,
    durationS,
    chargers: {
      planned: sum((r) => r.chargers.planned),
      started: sum((r) => r.chargers.started),
      accepted: sum((r) => r.chargers.accepted),
      // Reports of earlier versions have no `removed`.
      removed: sum((r) => r.chargers.removed ?? 0),
      connected: sum((r) => r.chargers.connected),
    },
    shard,
    ...(oneRun && { run }),
    connectMs: mergedLatency(parts, 'connect', (r) => r.connectMs),
    bootMs: mergedLatency(parts, 'boot', (r) => r.bootMs),
    bootResults: sumRecord(reports.map((r) => r.bootResults)),
    reconnects: sum((r) => r.reconnects),
    disconnects: sum((r) => r.disconnects),
    messages: { ...messages, perSecond: durationS > 0 ? (messages.out + messages.in) / durationS : 0 },
    inboundCalls: sumRecord(reports.map((r) => r.inboundCalls)),
    actions: mergeActions(parts, (r) => r.actions, (a) => `action:${a}`),
    transactions: { started: sum((r) => r.transactions.started), stopped: sum((r) => r.transactions.stopped) },
    ...(versions && { ocppVersions: versions }),
    ...(profiles.length > 0 && { profile: profiles.join('+') }),
    ...(behaviour && { behaviour }),
    ...(timeline && { timeline }),
    ...(latency && { latency }),
    ...(workers && { workers }),
    ...(usage && { usage }),
    ...(stop && { stop }),
    ...(sites && { sites }),
  };
}

/** Per action of `table` in any part: counts added, response times from the merged histograms named `series(action)`. */
function mergeActions(parts: FleetPart[], table: (r: FleetReport) => Record<string, ActionMetrics> | undefined, series: (action: string) => string): Record<string, ActionMetrics> {
  const names = [...new Set(parts.flatMap((p) => Object.keys(table(p.report) ?? {})))].sort();
  return Object.fromEntries(
    names.map((a) => {
      const of = parts.map((p) => table(p.report)?.[a]).filter((x) => x !== undefined);
      return [
        a,
        {
          sent: of.reduce((n, x) => n + x.sent, 0),
          results: of.reduce((n, x) => n + x.results, 0),
          callErrors: of.reduce((n, x) => n + x.callErrors, 0),
          responseMs: mergedLatency(parts, series(a), (r) => table(r)?.[a]?.responseMs),
        },
      ];
    }),
  );
}

/**
 * The parts' per-version figures added up. A report of an earlier version (no `ocppVersions`) ran
 * 1.6 only: its totals count as 1.6, so a merge with newer reports still adds up.
 */
function mergeVersions(parts: FleetPart[]): Partial<Record<OcppVersion, VersionMetrics>> | undefined {
  if (!parts.some((p) => p.report.ocppVersions)) return undefined;
  const of = (r: FleetReport, v: OcppVersion): VersionMetrics | undefined =>
    r.ocppVersions ? r.ocppVersions[v] : v === '1.6' ? { chargers: { started: r.chargers.started, accepted: r.chargers.accepted }, actions: r.actions, transactions: r.transactions } : undefined;
  // Histograms of a part without per-version series: its version-less series stand in (all 1.6).
  const withSeries = (v: OcppVersion) =>
    parts.map((p): FleetPart => {
      if (p.report.ocppVersions) return p;
      const h = histograms(p);
      return h ? { report: p.report, series: Object.fromEntries(Object.entries(h).map(([k, state]) => [k.startsWith('action:') ? `ocpp${v}:${k}` : k, state])) } : p;
    });
  const out: Partial<Record<OcppVersion, VersionMetrics>> = {};
  for (const v of OCPP_VERSIONS) {
    const present = parts.filter((p) => of(p.report, v) !== undefined);
    if (present.length === 0) continue;
    const sum = (f: (m: VersionMetrics) => number) => present.reduce((n, p) => n + f(of(p.report, v)!), 0);
    out[v] = {
      chargers: { started: sum((m) => m.chargers.started), accepted: sum((m) => m.chargers.accepted) },
      actions: mergeActions(withSeries(v).filter((_, i) => of(parts[i]!.report, v) !== undefined), (r) => of(r, v)?.actions, (a) => versionSeries(v, a)),
      transactions: { started: sum((m) => m.transactions.started), stopped: sum((m) => m.transactions.stopped) },
    };
  }
  return out;
}

/** Worker failures kept in a report (the counts stay exact beyond). */
export const MAX_FAILURES = 20;

/** Sums the supervision counts of several reports (shards), or undefined when none has them. */
export function mergeWorkerHealth(all: (WorkerHealth | undefined)[]): WorkerHealth | undefined {
  const hs = all.filter((h) => h !== undefined);
  if (hs.length === 0) return undefined;
  const sum = (f: (h: WorkerHealth) => number) => hs.reduce((n, h) => n + f(h), 0);
  return {
    threads: sum((h) => h.threads),
    deaths: sum((h) => h.deaths),
    restarts: sum((h) => h.restarts),
    chargersAffected: sum((h) => h.chargersAffected),
    slicesGivenUp: sum((h) => h.slicesGivenUp),
    chargersGivenUp: sum((h) => h.chargersGivenUp),
    lostWorkerReports: sum((h) => h.lostWorkerReports),
    failures: hs.flatMap((h) => h.failures).slice(0, MAX_FAILURES),
  };
}
