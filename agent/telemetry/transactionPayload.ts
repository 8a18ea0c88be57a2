/**
 * The Agent's `transaction` events as `<base>/transaction` payloads (./topics.ts, docs/mqtt.md):
 * `started` and `stopped` at the moment they happen here, CSMS reachable or not, and `confirmed`
 * when the CSMS has assigned its transactionId (at once when online, after the reconnect when
 * the start was journaled offline), `authorized` when a driver is authorized for a transaction begun
 * without one (at the plug-in, OCPP 2.0.1 TxStartPoint EVConnected). `sessionId` ties them together.
 */
import type { TransactionEvent } from '../transactions/TransactionManager.js';
import type { TransactionPayload } from './topics.js';

/** `hash`: only salted SHA-256 hashes of idTags are published; `raw`: the idTags themselves. */
export type IdTagTransform = { mode: 'hash'; hash: (idTag: string) => string } | { mode: 'raw' };

export function transactionPayload(e: TransactionEvent, idTags: IdTagTransform): TransactionPayload {
  const ts = new Date(e.timestamp).toISOString();
  const tag = (field: 'idTag' | 'stopIdTag', idTag: string | undefined) => {
    if (idTag === undefined) return {};
    return idTags.mode === 'raw' ? { [field]: idTag } : { [`${field}Hash`]: idTags.hash(idTag) };
  };
  switch (e.event) {
    case 'started':
      return {
        event: 'started',
        sessionId: e.localId,
        connectorId: e.connectorId,
        transactionId: e.transactionId ?? null,
        // None for a transaction begun without one (at the plug-in): `authorized` names the driver.
        ...tag('idTag', e.idTag || undefined),
        meterStartWh: e.meterStartWh,
        ...(e.reservationId !== undefined && { reservationId: e.reservationId }),
        ...(e.resumed && { resumed: true as const }),
        ts,
      };
    case 'stopped':
      return {
        event: 'stopped',
        sessionId: e.localId,
        connectorId: e.connectorId,
        transactionId: e.transactionId ?? null,
        ...tag('idTag', e.startIdTag),
        ...tag('stopIdTag', e.idTag),
        ...(e.meterStartWh !== undefined && { meterStartWh: e.meterStartWh }),
        meterStopWh: e.meterStopWh,
        ...(e.meterStartWh !== undefined && { energyWh: e.meterStopWh - e.meterStartWh }),
        reason: e.reason,
        ts,
      };
    case 'confirmed':
      return { event: 'confirmed', sessionId: e.localId, connectorId: e.connectorId, transactionId: e.transactionId, idTagStatus: e.idTagStatus, ts };
    case 'authorized':
      return { event: 'authorized', sessionId: e.localId, connectorId: e.connectorId, transactionId: e.transactionId ?? null, ...tag('idTag', e.idTag), ts };
  }
}
