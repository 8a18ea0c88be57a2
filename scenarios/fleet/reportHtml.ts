/**
 * A fleet report as one self-contained HTML page (no scripts, fonts or images from elsewhere):
 * the summary, the boot results, the connection curve (chargers connected, reconnections,
 * disconnections and reconnect attempts per step) and the response times per OCPP action as inline
 * SVG charts, and with sites each site's power against its limit (reportSitesHtml.ts). Readable on a phone: a viewport, text that wraps, and wide tables and charts that
 * scroll sideways in their own box instead of widening the page.
 */
import type { FleetReport, TimelineState } from './FleetMetrics.js';
import { describeReconnects, describeStop, speaks201 } from './formatReport.js';
import { sitesHtml } from './reportSitesHtml.js';
import { OCPP_VERSIONS } from './ocppVersions.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));

/** A nice upper bound for an axis: 1, 2 or 5 × 10^k ≥ v. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

function timelineSvg(t: TimelineState): string {
  const W = 900, H = 260, L = 55, R = 55, T = 15, B = 35;
  const n = Math.max(1, t.connected.length);
  const x = (i: number) => L + ((W - L - R) * i) / n;
  const yMax = niceMax(Math.max(...t.connected, 1));
  const eventsMax = niceMax(Math.max(...t.reconnects, ...t.disconnects, ...t.connects, 1));
  const y = (v: number) => H - B - ((H - T - B) * v) / yMax;
  const y2 = (v: number) => H - B - ((H - T - B) * v) / eventsMax;
  const bw = Math.max(1, (W - L - R) / n - 0.5);
  const bars = (series: number[], color: string) =>
    series.map((v, i) => (v > 0 ? `<rect x="${x(i).toFixed(1)}" y="${y2(v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(H - B - y2(v)).toFixed(1)}" fill="${color}" opacity="0.75"/>` : '')).join('');
  const line = t.connected.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i + 0.5).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const i = Math.round(f * n);
    return `<text x="${x(i).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${fmt(i * t.stepS)} s</text>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="connections over time">
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/><line x1="${W - R}" y1="${T}" x2="${W - R}" y2="${H - B}" stroke="#888"/>
<text x="${L - 6}" y="${T + 10}" text-anchor="end">${yMax}</text><text x="${L - 6}" y="${H - B}" text-anchor="end">0</text>
<text x="${W - R + 6}" y="${T + 10}">${eventsMax}</text><text x="${W - R + 6}" y="${H - B}">0</text>
${bars(t.disconnects, '#d62728')}${bars(t.connects, '#9ecae1')}${bars(t.reconnects, '#ff7f0e')}
<path d="${line}" fill="none" stroke="#1f77b4" stroke-width="2"/>${ticks.join('')}
</svg>
<p class="legend"><span style="color:#1f77b4">━ connected (left axis)</span> · per ${t.stepS} s step (right axis): <span style="color:#9ecae1">■ first connections</span> <span style="color:#ff7f0e">■ reconnections</span> <span style="color:#d62728">■ disconnections</span></p>`;
}

function latencySvg(r: FleetReport): string {
  const rows = Object.entries(r.actions).filter(([, a]) => a.responseMs.count > 0);
  if (rows.length === 0) return '<p>No answered calls.</p>';
  const W = 900, L = 210, R = 80, rowH = 22, H = rows.length * rowH + 30;
  const vmax = Math.max(...rows.map(([, a]) => a.responseMs.max), 1);
  // Logarithmic scale from 0.1 ms: response times span orders of magnitude.
  const lo = Math.log10(0.1), hi = Math.log10(niceMax(vmax));
  const x = (v: number) => L + ((W - L - R) * (Math.log10(Math.max(0.1, v)) - lo)) / (hi - lo);
  const body = rows
    .map(([action, a], k) => {
      const yy = 20 + k * rowH;
      const s = a.responseMs;
      return `<text x="${L - 8}" y="${yy + 12}" text-anchor="end">${esc(action)}</text>
<rect x="${L}" y="${yy + 2}" width="${(x(s.p99) - L).toFixed(1)}" height="14" fill="#fdae6b"/><rect x="${L}" y="${yy + 2}" width="${(x(s.p95) - L).toFixed(1)}" height="14" fill="#fd8d3c"/><rect x="${L}" y="${yy + 2}" width="${(x(s.p50) - L).toFixed(1)}" height="14" fill="#e6550d"/>
<line x1="${x(s.max).toFixed(1)}" y1="${yy}" x2="${x(s.max).toFixed(1)}" y2="${yy + 18}" stroke="#333"/><text x="${W - R + 6}" y="${yy + 12}">${fmt(s.p99)} ms</text>`;
    })
    .join('\n');
  const decades = [];
  for (let d = Math.ceil(lo); d <= hi; d++) decades.push(`<line x1="${x(10 ** d).toFixed(1)}" y1="14" x2="${x(10 ** d).toFixed(1)}" y2="${H - 8}" stroke="#ddd"/><text x="${x(10 ** d).toFixed(1)}" y="11" text-anchor="middle">${10 ** d} ms</text>`);
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="response times per action">${decades.join('')}${body}</svg>
<p class="legend">Bars: p50 (dark), p95, p99 (light); tick: max. Logarithmic scale; the number is p99.</p>`;
}

/** A table in a box that scrolls sideways on a narrow screen. */
const wide = (inner: string) => `<div class="wide">${inner}</div>`;
const kv = (rows: [string, string | number][]) => wide(`<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('')}</table>`);

/** BootNotification results by status, with each status's share. */
function bootResultsHtml(r: FleetReport): string {
  const rows = Object.entries(r.bootResults).sort(([, a], [, b]) => b - a);
  if (rows.length === 0) return '<p>No BootNotification answered.</p>';
  const total = rows.reduce((n, [, v]) => n + v, 0);
  const body = rows.map(([status, n]) => `<tr><td class="text">${esc(status)}</td><td>${n}</td><td>${((100 * n) / total).toFixed(1)} %</td></tr>`).join('');
  return wide(`<table><tr><th>status</th><th>results</th><th>share</th></tr>${body}<tr><th>all</th><th>${total}</th><th></th></tr></table>`) +
    '<p class="legend">Every BootNotification answer, first boots and boots after a reconnect alike (so the total can exceed the chargers).</p>';
}

const ACTION_HEAD = '<tr><th>action</th><th>sent</th><th>results</th><th>CallErrors</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>';
const actionRows = (actions: FleetReport['actions']) =>
  Object.entries(actions)
    .map(([a, m]) => `<tr><td class="text">${esc(a)}</td><td>${m.sent}</td><td>${m.results}</td><td>${m.callErrors}</td><td>${fmt(m.responseMs.p50)}</td><td>${fmt(m.responseMs.p95)}</td><td>${fmt(m.responseMs.p99)}</td><td>${fmt(m.responseMs.max)}</td></tr>`)
    .join('');

/** Per OCPP version (when the fleet speaks more than 1.6): its chargers, transactions and response times per action. */
function versionsHtml(r: FleetReport): string {
  const spoken = OCPP_VERSIONS.filter((v) => r.ocppVersions?.[v] !== undefined);
  if (spoken.length === 0 || (spoken.length === 1 && spoken[0] === '1.6')) return '';
  const sections = spoken.map((v) => {
    const m = r.ocppVersions![v]!;
    return `<h3>OCPP ${esc(v)}</h3>
${kv([['chargers started / accepted', `${m.chargers.started} / ${m.chargers.accepted}`], ['transactions started / stopped', `${m.transactions.started} / ${m.transactions.stopped}`]])}
${wide(`<table>${ACTION_HEAD}${actionRows(m.actions)}</table>`)}`;
  });
  return `<h2>Per OCPP version</h2>\n${sections.join('\n')}`;
}

export function reportHtml(r: FleetReport): string {
  const actions = actionRows(r.actions);
  const curve = r.timeline ? describeReconnects(r.timeline) : undefined;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>evse fleet report ${esc(r.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em auto;padding:0 1em;max-width:960px}p{overflow-wrap:anywhere}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:2px 8px;text-align:right;vertical-align:top}th{text-align:left;background:#f4f4f4}td{white-space:nowrap}td.text{text-align:left;white-space:normal;min-width:8em}.wide{overflow-x:auto;max-width:100%}.chart svg{min-width:560px}svg text{font:11px system-ui,sans-serif;fill:#333}.legend{color:#555;font-size:12px}@media (max-width:600px){body{margin:.5em auto;padding:0 .5em;font-size:13px}h1{font-size:1.4em}th,td{padding:2px 4px}}</style>
</head><body>
<h1>evse fleet report</h1>
${kv([
  ['shard', `${r.shard.index}/${r.shard.count}`],
  ['profile', r.profile ?? '—'],
  ['started', r.startedAt],
  ['duration', `${r.durationS.toFixed(1)} s`],
  ['chargers planned / started / accepted', `${r.chargers.planned} / ${r.chargers.started} / ${r.chargers.accepted}`],
  // Reports of earlier versions have no `removed`.
  ['chargers removed / connected at the end', `${r.chargers.removed ?? 0} / ${r.chargers.connected}`],
  ['connect ms p50 / p95 / p99 / max', `${fmt(r.connectMs.p50)} / ${fmt(r.connectMs.p95)} / ${fmt(r.connectMs.p99)} / ${fmt(r.connectMs.max)}`],
  ['boot ms p50 / p95 / p99 / max', `${fmt(r.bootMs.p50)} / ${fmt(r.bootMs.p95)} / ${fmt(r.bootMs.p99)} / ${fmt(r.bootMs.max)}`],
  ['transactions started / stopped', `${r.transactions.started} / ${r.transactions.stopped}`],
  ...(r.stop ? [['graceful stop', describeStop(r.stop, speaks201(r))] as [string, string]] : []),
  ['disconnects / reconnect attempts', `${r.disconnects} / ${r.reconnects}`],
  ['messages out / in / per s', `${r.messages.out} / ${r.messages.in} / ${r.messages.perSecond.toFixed(1)}`],
])}
<h2>Boot results</h2>
${bootResultsHtml(r)}
<h2>Connections over time</h2>
${r.timeline ? `<div class="wide chart">${timelineSvg(r.timeline)}</div>` : '<p>No timeline in this report.</p>'}
${curve ? `<p>${esc(curve)}</p>` : ''}
<h2>Response times per action</h2>
<div class="wide chart">${latencySvg(r)}</div>
${wide(`<table>${ACTION_HEAD}${actions}</table>`)}
${versionsHtml(r)}
${Object.keys(r.inboundCalls).length > 0 ? `<h2>Calls from the CSMS</h2>${kv(Object.entries(r.inboundCalls))}` : ''}
${r.behaviour && Object.keys(r.behaviour).length > 0 ? `<h2>Behaviour</h2>${kv(Object.entries(r.behaviour).sort(([a], [b]) => a.localeCompare(b)))}` : ''}
${sitesHtml(r)}
${usageHtml(r)}
${workersHtml(r)}
</body></html>
`;
}

/** Utilisation (the summary `evse sessions` prints for one charger): sessions and the shares of connector time. */
function usageHtml(r: FleetReport): string {
  const s = r.usage?.summary;
  if (!s) return '';
  const opt = (v: number | null, unit: string) => (v === null ? '—' : `${v} ${unit}`);
  return `<h2>Utilisation</h2>
${kv([
  ['sessions (per day)', `${s.sessions} (${s.sessionsPerDay})`],
  ['energy kWh (per day)', `${s.energyKWh} (${s.kWhPerDay})`],
  ['kWh per session', opt(s.kWhPerSession, 'kWh')],
  ['average session / idle after charging', `${opt(s.averageSessionMinutes, 'min')} / ${opt(s.averageIdleAfterChargeMinutes, 'min')}`],
  ['occupancy (plugged in)', `${s.occupancyPercent} %`],
  ['charging', `${s.chargingPercent} %`],
  ['faulted / unavailable', `${s.faultedPercent} % / ${s.unavailablePercent} %`],
  ['connector time', `${s.days} days × ${s.connectors} connectors`],
])}`;
}

/** Dead worker threads, when any died: what was restarted, given up and lost (see docs/fleet.md, Worker threads). */
function workersHtml(r: FleetReport): string {
  const w = r.workers;
  if (!w || w.deaths === 0) return '';
  const failures = w.failures.map((f) => `<tr><td class="text">${esc(f.at)}</td><td>${f.worker}</td><td>${f.chargers}</td><td class="text">${esc(f.error)}</td><td>${f.reportAgeMs}</td></tr>`).join('');
  return `<h2>Worker threads</h2>
${kv([
  ['threads', w.threads],
  ['died / restarted', `${w.deaths} / ${w.restarts}`],
  ['chargers affected', w.chargersAffected],
  ['slices given up (chargers)', `${w.slicesGivenUp} (${w.chargersGivenUp})`],
  ['final reports lost', w.lostWorkerReports],
])}
${wide(`<table><tr><th>at</th><th>worker</th><th>chargers</th><th>error</th><th>last report kept, ms old</th></tr>${failures}</table>`)}`;
}
