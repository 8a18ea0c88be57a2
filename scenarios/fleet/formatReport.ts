/** Human-readable text for fleet progress and the final report (the CLI prints it). */
import type { FleetReport, LatencySummary, TimelineState } from './FleetMetrics.js';
import type { StopReport } from './FleetStop.js';
import { describeUsage } from '../../agent/sessions/usageSummary.js';
import type { FleetSitesReport } from './FleetSites.js';
import type { ActionMetrics } from './FleetMetrics.js';
import { OCPP_VERSIONS } from './ocppVersions.js';

const ms = (v: number) => `${Math.round(v)}`;
const lat = (s: LatencySummary) => `p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)} ms`;
const BARS = ' ▁▂▃▄▅▆▇█';

/** The figures of one progress line (also the TTY bar's payload). */
export function progressFigures(r: FleetReport, previous?: { at: number; messages: number }) {
  const messages = r.messages.out + r.messages.in;
  const rate = previous ? (messages - previous.messages) / Math.max(0.001, (Date.parse(r.endedAt) - previous.at) / 1000) : r.messages.perSecond;
  const callErrors = Object.values(r.actions).reduce((n, a) => n + a.callErrors, 0);
  return { rate: Math.max(0, rate), callErrors, messages };
}

/** One plain progress line, e.g. for every few seconds on a non-TTY. */
export function progressLine(r: FleetReport, previous?: { at: number; messages: number }): string {
  const { rate, callErrors } = progressFigures(r, previous);
  return (
    `[${r.durationS.toFixed(0)}s] started ${r.chargers.started}/${r.chargers.planned}  connected ${r.chargers.connected}  accepted ${r.chargers.accepted}` +
    `  tx ${r.transactions.started}/${r.transactions.stopped}  msg/s ${rate.toFixed(0)}  callErrors ${callErrors}  reconnects ${r.reconnects}`
  );
}

/** Where the reconnections happened: their count, span, peak per step and a sparkline of the span. */
export function describeReconnects(t: TimelineState): string | undefined {
  const steps = t.reconnects.map((n, i) => [i, n] as const).filter(([, n]) => n > 0);
  if (steps.length === 0) return undefined;
  const total = steps.reduce((n, [, v]) => n + v, 0);
  const first = steps[0]![0];
  const last = steps.at(-1)![0];
  const peak = steps.reduce((a, b) => (b[1] > a[1] ? b : a));
  const span = t.reconnects.slice(first, last + 1);
  const width = Math.min(60, span.length);
  const per = span.length / width;
  const cols = Array.from({ length: width }, (_, c) => span.slice(Math.floor(c * per), Math.floor((c + 1) * per)).reduce((n, v) => n + v, 0));
  const top = Math.max(...cols);
  const spark = cols.map((v) => BARS[v === 0 ? 0 : Math.max(1, Math.round((v / top) * 8))]).join('');
  return (
    `reconnections ${total} from ${first * t.stepS} s to ${(last + 1) * t.stepS} s, peak ${peak[1]} in the ${t.stepS}-s step at ${peak[0] * t.stepS} s ` +
    `(${((100 * peak[1]) / total).toFixed(0)} %)  |${spark}|`
  );
}

const CUT_BY = { deadline: 'its deadline (--stop-timeout)', interrupted: 'a second signal' } as const;

/** The graceful stop in one line: what it ended, and what it left open when cut short. */
export function describeStop(s: StopReport, ocpp201 = false): string {
  const took = `${(s.ms / 1000).toFixed(1)} s`;
  // A 2.0.1 charger ends its transaction with TransactionEvent Ended.
  const stopCall = ocpp201 ? 'StopTransaction or TransactionEvent Ended' : 'StopTransaction';
  const open = `${s.leftOpen} of ${s.transactions} transactions left open at the CSMS (no ${stopCall} answered)`;
  if (s.cutShort) return `stop cut short by ${CUT_BY[s.cutShort]} after ${took}: ${open}; ${s.chargersCutShort} of ${s.chargers} chargers not through their turn`;
  if (s.leftOpen > 0) return `stop in ${took}: ${open}`;
  if (s.transactions === 0) return `stop in ${took}: no transaction to end; ${s.chargers} chargers closed`;
  return `stop in ${took}: ${s.transactions} transactions ended, every ${stopCall} answered; ${s.chargers} chargers closed`;
}

const kW = (w: number) => (w / 1000).toFixed(1);

/** Sparkline of a site's power against its limit (the top of the scale is the higher of the two). */
function powerSpark(maxW: readonly (number | null)[], limitW: number): string {
  const width = Math.min(60, maxW.length);
  if (width === 0) return '';
  const per = maxW.length / width;
  const cols = Array.from({ length: width }, (_, c) => Math.max(0, ...maxW.slice(Math.floor(c * per), Math.floor((c + 1) * per)).map((w) => w ?? 0)));
  const top = Math.max(limitW, ...cols);
  return cols.map((v) => (v > limitW * 1.01 ? '!' : BARS[v === 0 ? 0 : Math.max(1, Math.round((v / top) * 8))])).join('');
}

/** One line per site (peak power against the limit) and one for how fast chargers obeyed new profiles. */
export function describeSites(s: FleetSitesReport): string[] {
  const lines = s.sites.map(
    (site) =>
      `site ${site.name}: ${site.chargers} chargers, peak ${kW(site.maxW)} kW of ${kW(site.limitW)} kW (${((100 * site.maxW) / site.limitW).toFixed(0)} %), ` +
      `${site.samplesOverLimit} of ${site.samples} samples over  |${powerSpark(site.power.maxW, site.limitW)}|`,
  );
  const o = s.obey;
  lines.push(`SetChargingProfile to new offer: ${lat(o.ms)}  (${o.obeyed} obeyed of ${o.received} received; ${o.unchanged} left the offer as it was, ${o.refused} refused, ${o.superseded} superseded)`);
  return lines;
}

function actionLines(actions: Record<string, ActionMetrics>, indent = '  '): string[] {
  const lines = [`${indent}action                        sent   ok  err   response ms`];
  for (const [action, a] of Object.entries(actions)) {
    lines.push(`${indent}${action.padEnd(28)} ${String(a.sent).padStart(6)} ${String(a.results).padStart(4)} ${String(a.callErrors).padStart(4)}   ${lat(a.responseMs)}`);
  }
  return lines;
}

/** Whether chargers of the report speak OCPP 2.0.1. */
export const speaks201 = (r: FleetReport): boolean => r.ocppVersions?.['2.0.1'] !== undefined;

/**
 * The OCPP versions spoken: nothing for a fleet that speaks 1.6 only (as before versions could mix),
 * one line for a fleet of one other version (the table above is its own), and per version its
 * chargers, transactions and per-action response times when the fleet mixes them.
 */
export function versionLines(r: FleetReport): string[] {
  const spoken = OCPP_VERSIONS.filter((v) => r.ocppVersions?.[v] !== undefined);
  if (spoken.length === 0 || (spoken.length === 1 && spoken[0] === '1.6')) return [];
  const head = (v: (typeof spoken)[number]) => {
    const m = r.ocppVersions![v]!;
    return `  OCPP ${v}: ${m.chargers.started} chargers started, ${m.chargers.accepted} accepted; transactions started ${m.transactions.started}, stopped ${m.transactions.stopped}`;
  };
  if (spoken.length === 1) return [head(spoken[0]!)];
  return spoken.flatMap((v) => [head(v), ...actionLines(r.ocppVersions![v]!.actions, '    ')]);
}

export function formatSummary(r: FleetReport): string {
  const lines = [
    `fleet${r.shard.count > 1 ? ` shard ${r.shard.index}/${r.shard.count}` : ''}: ${r.chargers.started} of ${r.chargers.planned} chargers started, ${r.chargers.accepted} accepted${r.chargers.removed ? `, ${r.chargers.removed} removed` : ''}, ${r.durationS.toFixed(1)} s${r.profile ? `, profile ${r.profile}` : ''}`,
    `  connect ${lat(r.connectMs)}`,
    `  boot    ${lat(r.bootMs)}  results ${JSON.stringify(r.bootResults)}`,
    `  transactions started ${r.transactions.started}, stopped ${r.transactions.stopped}; disconnects ${r.disconnects}, reconnect attempts ${r.reconnects}`,
    `  messages out ${r.messages.out}, in ${r.messages.in}, ${r.messages.perSecond.toFixed(1)}/s`,
  ];
  const curve = r.timeline && describeReconnects(r.timeline);
  if (curve) lines.push(`  ${curve}`);
  if (r.usage) lines.push(`  usage ${describeUsage(r.usage.summary)}`);
  if (r.stop) lines.push(`  ${describeStop(r.stop, speaks201(r))}`);
  if (r.sites) for (const line of describeSites(r.sites)) lines.push(`  ${line}`);
  if (r.behaviour && Object.keys(r.behaviour).length > 0) {
    const events = Object.entries(r.behaviour).sort(([a], [b]) => a.localeCompare(b));
    const other = events.filter(([k]) => !k.startsWith('ev:'));
    if (other.length > 0) lines.push(`  behaviour ${other.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    const models = events.filter(([k]) => k.startsWith('ev:'));
    if (models.length > 0) lines.push(`  sessions by EV model: ${models.map(([k, n]) => `${k.slice(3)} ${n}`).join(', ')}`);
  }
  lines.push(...actionLines(r.actions));
  lines.push(...versionLines(r));
  if (Object.keys(r.inboundCalls).length > 0) lines.push(`  from the CSMS: ${Object.entries(r.inboundCalls).map(([a, n]) => `${a} ${n}`).join(', ')}`);
  const w = r.workers;
  if (w && w.deaths > 0) {
    lines.push(`  worker threads: ${w.deaths} died (${w.chargersAffected} chargers), ${w.restarts} restarted, ${w.slicesGivenUp} given up (${w.chargersGivenUp} chargers); ${w.lostWorkerReports} final reports lost`);
  }
  return lines.join('\n');
}
