/**
 * `GET /metrics` of a real small fleet (in-process, sessions on) against the embedded strict CSMS on
 * 127.0.0.1, scraped over HTTP: the exposition parses, the latency histograms are well formed
 * (cumulative buckets, +Inf = _count) and their counts and sums are the report's; and the whole
 * exposition passes the lint of `promtool check metrics` — by promtool itself when it is installed
 * (Debian package `prometheus`; the test is skipped, saying so, without it) and always by the same
 * rules in test/support/promLint.ts.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import { serveFleetMetrics } from '../scenarios/fleet/fleetPrometheus.js';
import { cleanupStack } from './support/cleanupStack.js';
import { lintExposition } from './support/promLint.js';
import { histogramSeries, parseExposition } from './support/promText.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until } from './support/until.js';

const { cleanups, release } = cleanupStack();
afterEach(release);

/** `promtool check metrics` on `text`: its exit code and what it printed, or undefined when promtool is not installed. */
function promtool(text: string): { status: number | null; output: string } | undefined {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** The /metrics text of a small running fleet with sessions, once some sessions have ended. */
async function runningFleetMetrics(): Promise<string> {
  const { csms, url, log } = await startQuietCsms(cleanups);
  const fleet = new Fleet({ csmsUrl: url, count: 6, idPrefix: 'L', rampPerSecond: 300, seed: 3, log, behaviour: { idleMs: [50, 200], chargeMs: [200, 400] } });
  cleanups.push(() => fleet.stop(2000));
  const metrics = await serveFleetMetrics({ host: '127.0.0.1', port: 0, report: () => fleet.report() });
  cleanups.push(() => metrics.close());
  await fleet.start();
  await until('6 chargers accepted and 3 sessions done', () => fleet.accepted === 6 && csms.transactions().filter((t) => t.stop).length >= 3, 15_000, 50);
  return (await fetch(metrics.url)).text();
}

describe('fleet Prometheus endpoint', () => {
  it('passes the promtool lint rules (checked without promtool): base units, no quantile gauges, help everywhere', { timeout: 30_000 }, async () => {
    const text = await runningFleetMetrics();
    expect(lintExposition(text)).toEqual([]);
    const { types, samples } = parseExposition(text);
    expect(types.get('evse_fleet_ocpp_response_quantiles_seconds')).toBe('summary');
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes' && s.value > 0)).toBe(true);
    expect(samples.some((s) => s.name === 'process_cpu_seconds_total' && s.value > 0)).toBe(true);
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(types.get('nodejs_active_handles')).toBe('gauge');
  });

  it('passes `promtool check metrics`', { timeout: 30_000 }, async (ctx) => {
    ctx.skip(promtool('') === undefined, 'promtool is not installed (Debian package prometheus; .ci/run installs it)');
    const text = await runningFleetMetrics();
    const lint = promtool(text)!;
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);
  });

  it('serves native histograms whose counts match the report', { timeout: 30_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    const fleet = new Fleet({ csmsUrl: url, count: 12, idPrefix: 'M', rampPerSecond: 300, seed: 5, log, behaviour: { idleMs: [50, 200], chargeMs: [200, 500] } });
    cleanups.push(() => fleet.stop(2000));
    const metrics = await serveFleetMetrics({ host: '127.0.0.1', port: 0, report: () => fleet.report() });
    cleanups.push(() => metrics.close());
    await fleet.start();
    await until('12 chargers accepted and 5 sessions done', () => fleet.accepted === 12 && csms.transactions().filter((t) => t.stop).length >= 5, 15_000, 50);

    // While running: well formed, and every histogram is as large as the calls answered so far.
    const live = parseExposition(await (await fetch(metrics.url)).text()).samples;
    expect(histogramSeries(live, 'evse_fleet_ocpp_response_seconds').length).toBeGreaterThanOrEqual(4);

    // Stopped: the report no longer changes, so the scrape must equal it exactly.
    const report = await fleet.stop(5000);
    const res = await fetch(metrics.url);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(await res.text());
    for (const name of ['evse_fleet_ocpp_response_seconds', 'evse_fleet_connect_seconds', 'evse_fleet_boot_seconds']) expect(types.get(name)).toBe('histogram');

    const responses = histogramSeries(samples, 'evse_fleet_ocpp_response_seconds');
    expect(responses.map((s) => s.labels.action).sort()).toEqual(Object.keys(report.actions).sort());
    for (const s of responses) {
      const a = report.actions[s.labels.action!]!;
      expect(s.count, s.labels.action).toBe(a.responseMs.count);
      expect(s.count, s.labels.action).toBe(a.results + a.callErrors);
      expect(s.sum).toBeCloseTo(report.latency![`action:${s.labels.action}`]!.sum / 1000, 9);
    }
    expect(responses.find((s) => s.labels.action === 'StartTransaction')!.count).toBe(report.transactions.started);
    const [connect] = histogramSeries(samples, 'evse_fleet_connect_seconds');
    const [boot] = histogramSeries(samples, 'evse_fleet_boot_seconds');
    expect(connect!.count).toBe(report.connectMs.count);
    expect(boot!.count).toBe(12);
    // A CSMS on loopback: every boot within 30 s, so the last finite bucket holds them all.
    expect(boot!.buckets.at(-2)).toEqual({ le: 30, count: 12 });
    expect(csms.violations()).toEqual([]);
  });
});
