import { describe, expect, it } from 'vitest';
import { transactionPayload, type IdTagTransform } from './transactionPayload.js';

const HASH: IdTagTransform = { mode: 'hash', hash: (t) => `h(${t})` };
const T = Date.UTC(2026, 0, 1);
const TS = '2026-01-01T00:00:00.000Z';

describe('transactionPayload', () => {
  it('a local start has no transactionId yet (null) and hashes the idTag', () => {
    expect(transactionPayload({ event: 'started', localId: 'L1', connectorId: 2, idTag: 'CARD', meterStartWh: 1000, reservationId: 4, timestamp: T }, HASH)).toEqual({
      event: 'started', sessionId: 'L1', connectorId: 2, transactionId: null, idTagHash: 'h(CARD)', meterStartWh: 1000, reservationId: 4, ts: TS,
    });
  });

  it('a transaction that goes on after a power loss is announced again as started, resumed, with its transactionId', () => {
    expect(transactionPayload({ event: 'started', resumed: true, localId: 'L1', connectorId: 1, idTag: 'CARD', meterStartWh: 1000, timestamp: T, transactionId: 7 }, HASH)).toEqual({
      event: 'started', resumed: true, sessionId: 'L1', connectorId: 1, transactionId: 7, idTagHash: 'h(CARD)', meterStartWh: 1000, ts: TS,
    });
  });

  it('a stop carries the energy, the session idTag and the idTag that stopped it', () => {
    const stop = { event: 'stopped', localId: 'L1', connectorId: 2, idTag: 'OTHER', startIdTag: 'CARD', meterStartWh: 1000, meterStopWh: 3500, reason: 'Local', timestamp: T, transactionId: 7 } as const;
    expect(transactionPayload(stop, HASH)).toEqual({
      event: 'stopped', sessionId: 'L1', connectorId: 2, transactionId: 7, idTagHash: 'h(CARD)', stopIdTagHash: 'h(OTHER)', meterStartWh: 1000, meterStopWh: 3500, energyWh: 2500, reason: 'Local', ts: TS,
    });
    expect(transactionPayload(stop, { mode: 'raw' })).toMatchObject({ idTag: 'CARD', stopIdTag: 'OTHER' });
    expect(transactionPayload(stop, { mode: 'raw' })).not.toHaveProperty('idTagHash');
  });

  it('a stop after a power loss has neither idTag nor energy when meterStart is unknown', () => {
    const p = transactionPayload({ event: 'stopped', localId: 'L2', connectorId: 1, meterStopWh: 900, reason: 'PowerLoss', timestamp: T }, HASH);
    expect(p).toEqual({ event: 'stopped', sessionId: 'L2', connectorId: 1, transactionId: null, meterStopWh: 900, reason: 'PowerLoss', ts: TS });
  });

  it('confirmed links the session to the CSMS transactionId', () => {
    expect(transactionPayload({ event: 'confirmed', localId: 'L1', connectorId: 2, transactionId: 7, idTagStatus: 'Accepted', timestamp: T }, HASH)).toEqual({
      event: 'confirmed', sessionId: 'L1', connectorId: 2, transactionId: 7, idTagStatus: 'Accepted', ts: TS,
    });
  });

  it('a start without an idTag (begun at the plug-in, 2.0.1) names nobody; authorized names the driver, hashed or raw', () => {
    const started = transactionPayload({ event: 'started', localId: 'L3', connectorId: 1, idTag: '', meterStartWh: 10, timestamp: T }, HASH);
    expect(started).toEqual({ event: 'started', sessionId: 'L3', connectorId: 1, transactionId: null, meterStartWh: 10, ts: TS });
    expect(transactionPayload({ event: 'started', localId: 'L3', connectorId: 1, idTag: '', meterStartWh: 10, timestamp: T }, { mode: 'raw' })).not.toHaveProperty('idTag');
    const authorized = { event: 'authorized', localId: 'L3', connectorId: 1, idTag: 'CARD', timestamp: T } as const;
    expect(transactionPayload(authorized, HASH)).toEqual({ event: 'authorized', sessionId: 'L3', connectorId: 1, transactionId: null, idTagHash: 'h(CARD)', ts: TS });
    expect(transactionPayload({ ...authorized, transactionId: 9 }, { mode: 'raw' })).toEqual({ event: 'authorized', sessionId: 'L3', connectorId: 1, transactionId: 9, idTag: 'CARD', ts: TS });
  });
});
