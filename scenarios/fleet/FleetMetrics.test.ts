import { describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../agent/ocpp/OcppTraffic.js';
import { FleetMetrics } from './FleetMetrics.js';
import { FleetTimeline, MAX_POINTS, mergeTimelines } from './FleetTimeline.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import { mergeReports } from './mergeReports.js';
import { Fleet } from './Fleet.js';
import { pino } from 'pino';

const rec = (direction: 'in' | 'out', type: TrafficRecord['type'], messageId: string, action: string, at: number, payload: unknown = {}): TrafficRecord => ({ direction, type, messageId, action, payload, at });
const within1 = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.01 + 1e-9);

describe('fleet metrics', () => {
  it('matches answers to calls by messageId per charger and counts CallErrors and boot results', () => {
    const m = new FleetMetrics();
    const a = m.recorder();
    const b = m.recorder();
    a(rec('out', 'call', '1', 'BootNotification', 100));
    b(rec('out', 'call', '1', 'BootNotification', 110)); // same id on another charger
    b(rec('in', 'result', '1', 'BootNotification', 140, { status: 'Accepted' }));
    a(rec('in', 'result', '1', 'BootNotification', 400, { status: 'Pending' }));
    a(rec('out', 'call', '2', 'Heartbeat', 500));
    a(rec('in', 'error', '2', 'Heartbeat', 520, { errorCode: 'InternalError' }));
    a(rec('in', 'call', 'x', 'RemoteStartTransaction', 600));
    a(rec('in', 'result', 'unknown', 'Heartbeat', 700)); // no such call: ignored
    const t = m.actionTable();
    expect(t.BootNotification).toMatchObject({ sent: 2, results: 2, callErrors: 0, responseMs: { count: 2, max: 300 } });
    within1(t.BootNotification!.responseMs.p50, 30);
    expect(t.Heartbeat).toMatchObject({ sent: 1, results: 0, callErrors: 1, responseMs: { count: 1, max: 20 } });
    expect(m.bootResults).toEqual({ Accepted: 1, Pending: 1 });
    expect(m.inboundTable()).toEqual({ RemoteStartTransaction: 1 });
    expect(m.callErrors).toBe(1);
  });

  it('merges parts: counts add up, percentiles come from the pooled histograms', () => {
    const fleet = (seed: number) => new Fleet({ csmsUrl: 'ws://127.0.0.1:1', count: 10, log: pino({ level: 'silent' }), seed, behaviour: false });
    const parts = [fleet(1), fleet(2)].map((f, i) => {
      const r = f.metrics.recorder();
      for (let j = 0; j < 50; j++) {
        r(rec('out', 'call', String(j), 'Heartbeat', 0));
        r(rec('in', 'result', String(j), 'Heartbeat', i === 0 ? 10 : 1000));
      }
      return { report: f.report() };
    });
    const merged = mergeReports(parts, { index: 0, count: 1 });
    expect(merged.chargers.planned).toBe(20);
    expect(merged.actions.Heartbeat).toMatchObject({ sent: 100, results: 100, responseMs: { count: 100, max: 1000 } });
    within1(merged.actions.Heartbeat!.responseMs.p50, 10);
    within1(merged.actions.Heartbeat!.responseMs.p95, 1000);
    expect(merged.messages.out + merged.messages.in).toBe(200);
    expect(merged.latency?.['action:Heartbeat']?.count).toBe(100);
  });
});

describe('latency histogram', () => {
  it('quantiles within 1 % of the exact ones, exact count/max, exact merge', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 0.5 + ((i * 7919) % 10_000) * 0.37);
    const sorted = [...values].sort((a, b) => a - b);
    const exact = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
    const whole = new LatencyHistogram();
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    values.forEach((v, i) => {
      whole.add(v);
      (i % 3 === 0 ? a : b).add(v);
    });
    for (const p of [50, 95, 99]) within1(whole.quantile(p), exact(p));
    const merged = LatencyHistogram.from(JSON.parse(JSON.stringify(a.state())) as ReturnType<LatencyHistogram['state']>);
    merged.absorb(b.state());
    expect(merged.state()).toEqual(whole.state());
    expect(whole.summary()).toMatchObject({ count: 10_000, max: Math.round(sorted.at(-1)! * 100) / 100 });
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('fleet timeline', () => {
  it('counts per second, carries the connected gauge, coarsens past MAX_POINTS, and merges parts', () => {
    const t0 = 1_000_000;
    const t = new FleetTimeline(t0);
    t.count('connects', t0 + 100);
    t.connected(1, t0 + 100);
    t.count('disconnects', t0 + 2500);
    t.connected(0, t0 + 2500);
    t.count('reconnects', t0 + 4200);
    t.connected(1, t0 + 4200);
    const s = t.state(t0 + 5500);
    expect(s).toMatchObject({ stepS: 1, connects: [1, 0, 0, 0, 0, 0], disconnects: [0, 0, 1, 0, 0, 0], reconnects: [0, 0, 0, 0, 1, 0], connected: [1, 1, 0, 0, 1, 1] });
    const other = new FleetTimeline(t0 + 1000);
    other.count('reconnects', t0 + 4100);
    other.connected(5, t0 + 4100);
    const m = mergeTimelines([s, other.state(t0 + 5500)])!;
    expect(m.reconnects.slice(0, 6)).toEqual([0, 0, 0, 0, 2, 0]);
    expect(m.connected.slice(0, 6)).toEqual([1, 1, 0, 0, 6, 6]);
    const long = new FleetTimeline(t0);
    long.count('attempts', t0 + (MAX_POINTS + 10) * 1000);
    const ls = long.state(t0 + (MAX_POINTS + 10) * 1000);
    expect(ls.stepS).toBe(2);
    expect(ls.attempts.reduce((n, v) => n + v, 0)).toBe(1);
    expect(ls.attempts.length).toBeLessThanOrEqual(MAX_POINTS);
  });
});
