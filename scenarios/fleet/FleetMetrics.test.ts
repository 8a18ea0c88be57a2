import { describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../agent/ocpp/OcppTraffic.js';
import { FleetMetrics } from './FleetMetrics.js';
import { mergeReports } from './mergeReports.js';
import { Fleet } from './Fleet.js';
import { pino } from 'pino';

const rec = (direction: 'in' | 'out', type: TrafficRecord['type'], messageId: string, action: string, at: number, payload: unknown = {}): TrafficRecord => ({ direction, type, messageId, action, payload, at });

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
    expect(t.BootNotification).toMatchObject({ sent: 2, results: 2, callErrors: 0, responseMs: { count: 2, p50: 30, max: 300 } });
    expect(t.Heartbeat).toMatchObject({ sent: 1, results: 0, callErrors: 1, responseMs: { count: 1, max: 20 } });
    expect(m.bootResults).toEqual({ Accepted: 1, Pending: 1 });
    expect(m.inboundTable()).toEqual({ RemoteStartTransaction: 1 });
    expect(m.callErrors).toBe(1);
  });

  it('merges parts: counts add up, percentiles come from the pooled samples', () => {
    const fleet = (seed: number) => new Fleet({ csmsUrl: 'ws://127.0.0.1:1', count: 10, log: pino({ level: 'silent' }), seed, behaviour: false });
    const parts = [fleet(1), fleet(2)].map((f, i) => {
      const r = f.metrics.recorder();
      for (let j = 0; j < 50; j++) {
        r(rec('out', 'call', String(j), 'Heartbeat', 0));
        r(rec('in', 'result', String(j), 'Heartbeat', i === 0 ? 10 : 1000));
      }
      return { report: f.report(), series: f.metrics.seriesStates() };
    });
    const merged = mergeReports(parts, { index: 0, count: 1 });
    expect(merged.chargers.planned).toBe(20);
    expect(merged.actions.Heartbeat).toMatchObject({ sent: 100, results: 100, responseMs: { count: 100, p50: 10, p95: 1000, max: 1000 } });
    expect(merged.messages.out + merged.messages.in).toBe(200);
  });
});
