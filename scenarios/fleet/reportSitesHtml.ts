/**
 * The sites section of the HTML fleet report (reportHtml.ts): per site its power over time against
 * the grid limit as an inline SVG chart, and how fast the chargers obeyed new charging profiles.
 */
import type { FleetReport } from './FleetMetrics.js';
import type { SiteReport } from './FleetSites.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const kW = (w: number) => (w / 1000).toFixed(1);
const ms = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));

function siteSvg(s: SiteReport): string {
  const W = 900, H = 200, L = 55, R = 20, T = 15, B = 30;
  const series = s.power.maxW;
  const n = Math.max(1, series.length);
  const top = Math.max(s.limitW, ...series.map((w) => w ?? 0)) * 1.1 || 1;
  const x = (i: number) => L + ((W - L - R) * i) / n;
  const y = (w: number) => H - B - ((H - T - B) * w) / top;
  let path = '';
  series.forEach((w, i) => {
    if (w === null) return;
    path += `${path === '' || series[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(w).toFixed(1)}H${x(i + 1).toFixed(1)}`;
  });
  const over = series.map((w, i) => (w !== null && w > s.limitW * 1.01 ? `<rect x="${x(i).toFixed(1)}" y="${T}" width="${Math.max(1, x(i + 1) - x(i)).toFixed(1)}" height="${H - T - B}" fill="#d62728" opacity="0.15"/>` : '')).join('');
  const ticks = [0, 0.5, 1].map((f) => `<text x="${x(f * n).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${(f * n * s.power.stepS).toFixed(0)} s</text>`).join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="power of site ${esc(s.name)} over time">
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>
<text x="${L - 6}" y="${y(s.limitW).toFixed(1)}" text-anchor="end">${kW(s.limitW)} kW</text><text x="${L - 6}" y="${H - B}" text-anchor="end">0</text>
${over}<line x1="${L}" y1="${y(s.limitW).toFixed(1)}" x2="${W - R}" y2="${y(s.limitW).toFixed(1)}" stroke="#d62728" stroke-dasharray="6 4"/>
<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>${ticks}
</svg>`;
}

export function sitesHtml(r: FleetReport): string {
  const sites = r.sites;
  if (!sites) return '';
  const o = sites.obey;
  const charts = sites.sites
    .map(
      (s) => `<h3>${esc(s.name)}: ${s.chargers} chargers, limit ${kW(s.limitW)} kW (${s.limitA.toFixed(1)} A per phase, ${s.phases} × ${s.voltageV} V)</h3>
<p>Peak ${kW(s.maxW)} kW (${((100 * s.maxW) / s.limitW).toFixed(0)} % of the limit); ${s.samplesOverLimit} of ${s.samples} one-second samples more than 1 % over it.</p>
<div class="wide chart">${siteSvg(s)}</div>`,
    )
    .join('\n');
  return `<h2>Sites</h2>
<p class="legend"><span style="color:#1f77b4">━ highest power sampled per ${sites.sites[0]?.power.stepS ?? 1} s step</span> · <span style="color:#d62728">╌ grid limit</span> · shaded: over the limit.</p>
${charts}
<h3>SetChargingProfile to the new PWM offer</h3>
<div class="wide"><table><tr><th>received</th><th>obeyed</th><th>offer unchanged</th><th>refused</th><th>superseded</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>
<tr><td>${o.received}</td><td>${o.obeyed}</td><td>${o.unchanged}</td><td>${o.refused}</td><td>${o.superseded}</td><td>${ms(o.ms.p50)}</td><td>${ms(o.ms.p95)}</td><td>${ms(o.ms.p99)}</td><td>${ms(o.ms.max)}</td></tr></table></div>
<p class="legend">From the call's arrival at the charger to the control pilot's new offer confirmed by the hardware, on the fleet's clock; only calls that changed the offer count in the percentiles.</p>`;
}
