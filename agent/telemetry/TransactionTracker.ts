/**
 * Turns the agent's OCPP traffic into transaction events: a StartTransaction or StopTransaction
 * the charge point sent, once the CSMS answered it (the answer carries the transactionId).
 * Retries of the same message (journal re-sends) are reported once.
 */
import type { TrafficRecord } from '../ocpp/OcppLink.js';
import type { StartTransactionRequest, StartTransactionResponse, StopTransactionRequest } from '../ocpp/v16/messages.js';
import type { TransactionPayload } from './topics.js';

/** How the idTag appears in a payload: `{ idTagHash }` by default, `{ idTag }` only if configured. */
export type IdTagFields = (idTag: string) => { idTagHash: string } | { idTag: string };

/** Calls awaiting an answer and transactions remembered: bounded, oldest forgotten first. */
const MAX_TRACKED = 64;

export class TransactionTracker {
  private readonly calls = new Map<string, { action: 'StartTransaction'; request: StartTransactionRequest } | { action: 'StopTransaction'; request: StopTransactionRequest }>();
  private readonly started = new Map<number, { connectorId: number; meterStartWh: number }>();
  private readonly stopped = new Set<number>();

  constructor(
    private readonly idTagFields: IdTagFields,
    private readonly emit: (payload: TransactionPayload) => void,
  ) {}

  onTraffic(record: TrafficRecord): void {
    if (record.direction === 'out' && record.type === 'call') {
      if (record.action === 'StartTransaction' || record.action === 'StopTransaction') {
        remember(this.calls, record.messageId, { action: record.action, request: record.payload } as never);
      }
      return;
    }
    if (record.direction !== 'in' || (record.type !== 'result' && record.type !== 'error')) return;
    const call = this.calls.get(record.messageId);
    if (!call) return;
    this.calls.delete(record.messageId);
    if (record.type === 'error') return; // the journal sends it again
    if (call.action === 'StartTransaction') this.onStarted(call.request, record.payload as StartTransactionResponse);
    else this.onStopped(call.request);
  }

  private onStarted(request: StartTransactionRequest, response: StartTransactionResponse): void {
    const { transactionId } = response;
    if (this.started.has(transactionId)) return;
    remember(this.started, transactionId, { connectorId: request.connectorId, meterStartWh: request.meterStart });
    this.emit({
      event: 'started',
      connectorId: request.connectorId,
      transactionId,
      ...this.idTagFields(request.idTag),
      idTagStatus: response.idTagInfo.status,
      meterStartWh: request.meterStart,
      ...(request.reservationId !== undefined && { reservationId: request.reservationId }),
      ts: request.timestamp,
    });
  }

  private onStopped(request: StopTransactionRequest): void {
    const { transactionId } = request;
    if (this.stopped.has(transactionId)) return;
    this.stopped.add(transactionId);
    if (this.stopped.size > MAX_TRACKED) this.stopped.delete(this.stopped.values().next().value!);
    const start = this.started.get(transactionId);
    this.started.delete(transactionId);
    this.emit({
      event: 'stopped',
      connectorId: start?.connectorId ?? null,
      transactionId,
      ...(request.idTag !== undefined && this.idTagFields(request.idTag)),
      meterStopWh: request.meterStop,
      ...(start && { energyWh: request.meterStop - start.meterStartWh }),
      reason: request.reason ?? 'Local',
      ts: request.timestamp,
    });
  }
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
}
