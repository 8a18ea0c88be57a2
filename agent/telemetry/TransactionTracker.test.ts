import { describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../ocpp/OcppLink.js';
import { TransactionTracker } from './TransactionTracker.js';
import type { TransactionPayload } from './topics.js';

const rec = (direction: 'in' | 'out', type: TrafficRecord['type'], messageId: string, action: string | undefined, payload: unknown): TrafficRecord => ({ direction, type, messageId, action, payload, at: 0 });
const TS = '2026-01-01T00:00:00.000Z';
const start = (id: string) => rec('out', 'call', id, 'StartTransaction', { connectorId: 2, idTag: 'CARD', meterStart: 1000, timestamp: TS });
const started = (id: string, transactionId = 7) => rec('in', 'result', id, 'StartTransaction', { transactionId, idTagInfo: { status: 'Accepted' } });
const stop = (id: string, transactionId = 7) => rec('out', 'call', id, 'StopTransaction', { transactionId, meterStop: 3500, timestamp: TS, reason: 'EVDisconnected' });
const ok = (id: string) => rec('in', 'result', id, 'StopTransaction', {});

function tracker() {
  const events: TransactionPayload[] = [];
  const t = new TransactionTracker((idTag) => ({ idTagHash: `h(${idTag})` }), (p) => events.push(p));
  return { t, events };
}

describe('TransactionTracker', () => {
  it('reports a start and a stop once the CSMS answered, with the energy in between', () => {
    const { t, events } = tracker();
    t.onTraffic(start('1'));
    expect(events).toEqual([]);
    t.onTraffic(started('1'));
    t.onTraffic(stop('2'));
    t.onTraffic(ok('2'));
    expect(events).toEqual([
      { event: 'started', connectorId: 2, transactionId: 7, idTagHash: 'h(CARD)', idTagStatus: 'Accepted', meterStartWh: 1000, ts: TS },
      { event: 'stopped', connectorId: 2, transactionId: 7, meterStopWh: 3500, energyWh: 2500, reason: 'EVDisconnected', ts: TS },
    ]);
  });

  it('ignores CallErrors (the journal retries) and reports a retried message once', () => {
    const { t, events } = tracker();
    t.onTraffic(start('1'));
    t.onTraffic(rec('in', 'error', '1', 'StartTransaction', { errorCode: 'InternalError' }));
    t.onTraffic(start('2'));
    t.onTraffic(started('2'));
    t.onTraffic(start('3'));
    t.onTraffic(started('3'));
    t.onTraffic(stop('4'));
    t.onTraffic(ok('4'));
    t.onTraffic(stop('5'));
    t.onTraffic(ok('5'));
    expect(events.map((e) => e.event)).toEqual(['started', 'stopped']);
  });

  it('reports a stop whose start it never saw without connector or energy', () => {
    const { t, events } = tracker();
    t.onTraffic(stop('9', 42));
    t.onTraffic(ok('9'));
    expect(events).toEqual([{ event: 'stopped', connectorId: null, transactionId: 42, meterStopWh: 3500, reason: 'EVDisconnected', ts: TS }]);
  });
});
