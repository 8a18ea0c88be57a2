/**
 * `npm run bench:fleet -- --reconnect`: how a fleet comes back after a CSMS restart. A fleet of
 * BENCH_RECONNECT_N chargers (default 2000, in this thread, no sessions) is connected and
 * accepted by `evse csms --quiet` (its own process, strict both ways); the CSMS is killed
 * (SIGKILL, as a crash; every charger sees its connection drop at once) and started again on the
 * same port BENCH_RECONNECT_GAP_S later (default 5). Each charger's reconnection is the moment its
 * link is accepted again, timed from the kill.
 *
 * Printed: when the new CSMS listened, the seconds from the kill to P10 / P50 / P90 of the reconnections, P90 − P10, the
 * largest share of the fleet that came back within any one second, the reconnect attempts made,
 * and the machine's load (loadavg before/after, CPU time of this process) — the machine is shared.
 *
 * The chargers' back-off: the OCPP keys RetryBackOff* at their defaults, or
 * BENCH_RECONNECT_KEYS=wait,range,repeat (seconds, seconds, count). The same file builds against
 * the tree before those keys existed (its `reconnect` option then applies: csms.reconnect's
 * default 1 s … 60 s full jitter), to measure the old behaviour.
 */
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { Fleet } from '../../scenarios/fleet/Fleet.js';
import type { FleetOptions } from '../../scenarios/fleet/fleetOptions.js';
import { startCsms } from './fleetCsms.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ReconnectFigures {
  n: number;
  gapS: number;
  /** From the kill until the new CSMS process listened (its start takes longer on a loaded machine). */
  csmsBackS: number;
  keys: string;
  p10S: number;
  p50S: number;
  p90S: number;
  spreadS: number;
  /** The largest share of the fleet that came back within one second (a sliding 1-s window). */
  peakShare1s: number;
  lastS: number;
  attempts: number;
  load: string;
  cpuS: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function runReconnectBench(n = Number(process.env.BENCH_RECONNECT_N ?? 2000), gapS = Number(process.env.BENCH_RECONNECT_GAP_S ?? 5)): Promise<ReconnectFigures> {
  const keyList = process.env.BENCH_RECONNECT_KEYS?.split(',').map(Number);
  const ocpp = keyList ? { RetryBackOffWaitMinimum: keyList[0]!, RetryBackOffRandomRange: keyList[1]!, RetryBackOffRepeatTimes: keyList[2]! } : undefined;
  let csms = await startCsms();
  const port = Number(new URL(csms.url).port);
  // `reconnect` is what the tree before the RetryBackOff* keys read (csms.reconnect's default); the keys what this one reads.
  const options = { csmsUrl: csms.url, count: n, idPrefix: 'R', rampPerSecond: 1000, seed: 1, behaviour: false, log: pino({ level: 'silent' }), reconnect: { initialDelayMs: 1000, maxDelayMs: 60_000 }, ...(ocpp && { ocpp }) };
  const fleet = new Fleet(options as unknown as FleetOptions);
  await fleet.start();
  const deadline = Date.now() + 120_000;
  while (fleet.accepted < n && Date.now() < deadline) await sleep(50);
  if (fleet.accepted < n) throw new Error(`only ${fleet.accepted} of ${n} chargers accepted`);
  await Promise.all(fleet.chargers.map((c) => c.agent.whenIdle(10_000)));
  await sleep(1000);

  const back: number[] = [];
  let attempts = 0;
  let killedAt = 0;
  for (const c of fleet.chargers) {
    c.agent.link.on('reconnecting', () => void attempts++);
    c.agent.link.on('state', (state) => {
      if (state === 'accepted' && killedAt > 0) back.push(performance.now() - killedAt);
    });
  }
  const load0 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  killedAt = performance.now();
  await csms.stopHard();
  await sleep(gapS * 1000);
  csms = await startCsms([], port);
  const csmsBackS = (performance.now() - killedAt) / 1000;
  const until = Date.now() + 600_000;
  while (back.length < n && Date.now() < until) await sleep(100);
  const cpu = process.cpuUsage(cpu0);
  const load1 = loadavg()[0]!;
  if (back.length < n) throw new Error(`only ${back.length} of ${n} chargers came back`);
  await fleet.stop(5000);
  await csms.stop();

  const sorted = back.map((ms) => ms / 1000).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! > 1) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const [p10S, p50S, p90S] = [0.1, 0.5, 0.9].map((q) => quantile(sorted, q)) as [number, number, number];
  return {
    n,
    gapS,
    csmsBackS,
    keys: keyList ? `RetryBackOff* ${keyList.join('/')}` : 'defaults',
    p10S,
    p50S,
    p90S,
    spreadS: p90S - p10S,
    peakShare1s: peak / n,
    lastS: sorted.at(-1)!,
    attempts,
    load: `${load0.toFixed(2)} → ${load1.toFixed(2)}`,
    cpuS: (cpu.user + cpu.system) / 1e6,
  };
}

export function formatReconnect(r: ReconnectFigures): string {
  return (
    `${r.n} chargers, CSMS killed, restarted after ${r.gapS} s, listening after ${r.csmsBackS.toFixed(1)} s (${r.keys}): reconnected P10 ${r.p10S.toFixed(1)} s, P50 ${r.p50S.toFixed(1)} s, P90 ${r.p90S.toFixed(1)} s after the kill, ` +
    `P90−P10 ${r.spreadS.toFixed(1)} s, at most ${(r.peakShare1s * 100).toFixed(0)} % within one second, last ${r.lastS.toFixed(1)} s; ${r.attempts} reconnect attempts; ` +
    `load ${r.load}, fleet CPU ${r.cpuS.toFixed(1)} s`
  );
}

if (process.argv[1]?.endsWith('fleetReconnect.bench.js')) {
  console.log(formatReconnect(await runReconnectBench()));
  process.exit(0);
}
