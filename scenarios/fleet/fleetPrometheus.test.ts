import { describe, expect, it } from 'vitest';
import { lintExposition } from '../../test/support/promLint.js';
import { histogramSeries, parseExposition } from '../../test/support/promText.js';
import type { FleetReport } from './FleetMetrics.js';
import { fleetRegistry, LATENCY_BUCKETS_S } from './fleetPrometheus.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import { mergeReports } from './mergeReports.js';
import { emptyReport } from './WorkerSupervisor.js';

/** A report whose BootNotification response times and connect latencies are `ms`. */
function reportWith(ms: number[], connectMs: number[]): FleetReport {
  const boot = new LatencyHistogram();
  const connect = new LatencyHistogram();
  for (const v of ms) boot.add(v);
  for (const v of connectMs) connect.add(v);
  return {
    ...emptyReport(),
    actions: { BootNotification: { sent: ms.length, results: ms.length, callErrors: 0, responseMs: boot.summary() } },
    connectMs: connect.summary(),
    latency: { 'action:BootNotification': boot.state(), connect: connect.state(), boot: new LatencyHistogram().state() },
  };
}

describe('fleet Prometheus histograms', () => {
  it('exposes cumulative buckets in seconds from the report histograms, +Inf = _count, values above 30 s only in +Inf', async () => {
    const values = [0.005, 0.5, 0.97, 3, 40, 97, 2000, 45_000];
    const { scrape } = fleetRegistry(() => reportWith(values, [12, 240]));
    const { samples, types } = parseExposition(await scrape());
    expect(types.get('evse_fleet_ocpp_response_seconds')).toBe('histogram');
    const [series] = histogramSeries(samples, 'evse_fleet_ocpp_response_seconds');
    expect(series!.labels).toEqual({ action: 'BootNotification', ocpp_version: '1.6' });
    expect(series!.buckets.map((b) => b.le)).toEqual([...LATENCY_BUCKETS_S, Infinity]);
    // Exact wherever no value lies within 2 % below a bound (all of these).
    for (const b of series!.buckets) expect(b.count, `le=${b.le}`).toBe(values.filter((v) => v <= b.le * 1000).length);
    expect(series!.count).toBe(values.length);
    expect(series!.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 1000, 9);
    const [connect] = histogramSeries(samples, 'evse_fleet_connect_seconds');
    expect(connect!.labels).toEqual({});
    expect(connect!.buckets.find((b) => b.le === 0.025)!.count).toBe(1);
    expect(connect!.buckets.find((b) => b.le === 0.25)!.count).toBe(2);
    // Summaries of the same samples, in seconds: quantile 1 is the exact maximum.
    expect(types.get('evse_fleet_ocpp_response_quantiles_seconds')).toBe('summary');
    const quantile = (q: string) => samples.find((s) => s.name === 'evse_fleet_ocpp_response_quantiles_seconds' && s.labels.quantile === q)!.value;
    expect(quantile('1')).toBe(45);
    expect(quantile('0.5') * 1000).toBeCloseTo(3, 1);
    expect(samples.find((s) => s.name === 'evse_fleet_ocpp_response_quantiles_seconds_count')!.value).toBe(values.length);
    // A fleet without worker threads shows no restarts.
    expect(samples.find((s) => s.name === 'evse_fleet_worker_restarts_total')!.value).toBe(0);
  });

  it('adds up the buckets of merged parts (threads, shards)', async () => {
    const a = reportWith([1.5, 8, 700], []);
    const b = reportWith([0.2, 8, 20_000], []);
    const merged = mergeReports([{ report: a }, { report: b }], { index: 0, count: 1 });
    const text = async (r: FleetReport) => parseExposition(await fleetRegistry(() => r).scrape()).samples;
    const [sa] = histogramSeries(await text(a), 'evse_fleet_ocpp_response_seconds');
    const [sb] = histogramSeries(await text(b), 'evse_fleet_ocpp_response_seconds');
    const [sm] = histogramSeries(await text(merged), 'evse_fleet_ocpp_response_seconds');
    expect(sm!.buckets.map((x) => x.count)).toEqual(sa!.buckets.map((x, i) => x.count + sb!.buckets[i]!.count));
    expect(sm!.count).toBe(6);
  });

  it('emits the worker-thread counters when the report has them', async () => {
    const r = { ...reportWith([], []), workers: { threads: 2, deaths: 2, restarts: 1, chargersAffected: 10, slicesGivenUp: 1, chargersGivenUp: 5, lostWorkerReports: 2, failures: [] } };
    const { samples } = parseExposition(await fleetRegistry(() => r).scrape());
    const value = (name: string) => samples.find((s) => s.name === name)?.value;
    expect(value('evse_fleet_worker_deaths_total')).toBe(2);
    expect(value('evse_fleet_worker_restarts_total')).toBe(1);
    expect(value('evse_fleet_worker_chargers_affected_total')).toBe(10);
    expect(value('evse_fleet_worker_chargers_given_up')).toBe(5);
    expect(value('evse_fleet_worker_lost_reports_total')).toBe(2);
  });

  it('passes the promtool lint rules, default process metrics included', async () => {
    const { scrape } = fleetRegistry(() => reportWith([3, 40], [12]), { process: true });
    const text = await scrape();
    expect(lintExposition(text)).toEqual([]);
    const { types } = parseExposition(text);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_active_handles']) expect(types.has(name), name).toBe(true);
    // Only summaries carry quantiles; every fleet latency is in seconds.
    for (const [name, type] of types) {
      if (name.startsWith('evse_fleet_') && (type === 'histogram' || type === 'summary')) expect(name).toMatch(/_seconds$/);
    }
  });

  it('the lint finds what promtool finds: quantile gauges, milliseconds, _total on a gauge, counters without _total', () => {
    const text = [
      '# HELP a_response_milliseconds x',
      '# TYPE a_response_milliseconds gauge',
      'a_response_milliseconds{quantile="0.5"} 3',
      '# HELP b_handles_total x',
      '# TYPE b_handles_total gauge',
      'b_handles_total 2',
      '# TYPE c_calls counter',
      'c_calls 1',
      '',
    ].join('\n');
    expect(lintExposition(text)).toEqual([
      'a_response_milliseconds use base unit "seconds" instead of "milliseconds"',
      'a_response_milliseconds non-summary metrics should not have "quantile" label',
      'b_handles_total non-counter metrics should not have "_total" suffix',
      'c_calls no help text',
      'c_calls counter metrics should have "_total" suffix',
    ]);
  });

  it('the exposition reader refuses malformed histograms', () => {
    const head = '# TYPE h histogram\n';
    expect(() => histogramSeries(parseExposition(`${head}h_bucket{le="1"} 3\nh_bucket{le="2"} 2\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 3\n`).samples, 'h')).toThrow(/not cumulative/);
    expect(() => histogramSeries(parseExposition(`${head}h_bucket{le="1"} 3\nh_bucket{le="+Inf"} 4\nh_sum 1\nh_count 3\n`).samples, 'h')).toThrow(/\+Inf 4 != _count 3/);
    expect(() => parseExposition('x{a="1"} 2\n')).toThrow(/no declared family/);
    expect(() => parseExposition('# TYPE x gauge\nx{a=1} 2\n')).toThrow(/bad labels/);
  });
});
