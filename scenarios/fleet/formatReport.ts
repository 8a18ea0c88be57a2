/** Human-readable text for fleet progress and the final report (the CLI prints it). */
import type { FleetReport, LatencySummary } from './FleetMetrics.js';

const ms = (v: number) => `${Math.round(v)}`;
const lat = (s: LatencySummary) => `p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)} ms`;

/** One plain progress line, e.g. for every few seconds on a non-TTY. */
export function progressLine(r: FleetReport, previous?: { at: number; messages: number }): string {
  const messages = r.messages.out + r.messages.in;
  const rate = previous ? (messages - previous.messages) / Math.max(0.001, (Date.parse(r.endedAt) - previous.at) / 1000) : r.messages.perSecond;
  const errors = Object.values(r.actions).reduce((n, a) => n + a.callErrors, 0);
  return (
    `[${r.durationS.toFixed(0)}s] started ${r.chargers.started}/${r.chargers.planned}  connected ${r.chargers.connected}  accepted ${r.chargers.accepted}` +
    `  tx ${r.transactions.started}/${r.transactions.stopped}  msg/s ${rate.toFixed(0)}  callErrors ${errors}  reconnects ${r.reconnects}`
  );
}

export function formatSummary(r: FleetReport): string {
  const lines = [
    `fleet ${r.shard.index}/${r.shard.count}: ${r.chargers.started} of ${r.chargers.planned} chargers started, ${r.chargers.accepted} accepted, ${r.durationS.toFixed(1)} s`,
    `  connect ${lat(r.connectMs)}`,
    `  boot    ${lat(r.bootMs)}  results ${JSON.stringify(r.bootResults)}`,
    `  transactions started ${r.transactions.started}, stopped ${r.transactions.stopped}; disconnects ${r.disconnects}, reconnects ${r.reconnects}`,
    `  messages out ${r.messages.out}, in ${r.messages.in}, ${r.messages.perSecond.toFixed(1)}/s`,
    '  action                        sent   ok  err   response ms',
  ];
  for (const [action, a] of Object.entries(r.actions)) {
    lines.push(`  ${action.padEnd(28)} ${String(a.sent).padStart(6)} ${String(a.results).padStart(4)} ${String(a.callErrors).padStart(4)}   ${lat(a.responseMs)}`);
  }
  if (Object.keys(r.inboundCalls).length > 0) lines.push(`  from the CSMS: ${Object.entries(r.inboundCalls).map(([a, n]) => `${a} ${n}`).join(', ')}`);
  return lines.join('\n');
}
