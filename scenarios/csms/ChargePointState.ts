/**
 * What the embedded CSMS knows about one charge point, built only from exchanges that actually
 * completed on the wire (a request and the result that was sent for it). A reply that strict
 * validation replaced with a CallError, or a call that was never answered, changes nothing here.
 */
import type { Ocpp16Action, RequestOf, ResponseOf } from '../../agent/ocpp16/messages.js';

type BootRequest = RequestOf<'BootNotification'>;
type StatusRequest = RequestOf<'StatusNotification'>;
type StopRequest = RequestOf<'StopTransaction'>;
type MeterValue = RequestOf<'MeterValues'>['meterValue'][number];

export type RegistrationStatus = ResponseOf<'BootNotification'>['status'];

export interface ConnectorState {
  readonly status: StatusRequest['status'];
  readonly errorCode: StatusRequest['errorCode'];
  readonly info?: string;
  readonly vendorId?: string;
  readonly vendorErrorCode?: string;
  /** The charge point's own timestamp, if it sent one. */
  readonly timestamp?: string;
  /** When the CSMS received it (CSMS clock, ms). */
  readonly receivedAt: number;
}

export interface TransactionStop {
  readonly meterStop: number;
  readonly timestamp: string;
  readonly reason?: StopRequest['reason'];
  readonly idTag?: string;
}

export interface TransactionRecord {
  readonly transactionId: number;
  readonly chargePointId: string;
  readonly connectorId: number;
  readonly idTag: string;
  readonly meterStart: number;
  readonly startTimestamp: string;
  readonly reservationId?: number;
  /** The idTagInfo status the CSMS answered StartTransaction with. */
  readonly idTagStatus: ResponseOf<'StartTransaction'>['idTagInfo']['status'];
  /** Set when an earlier StartTransaction had the same connector, idTag, meterStart and timestamp (a resend). */
  readonly duplicateOf?: number;
  /** Sampled values from MeterValues for this transaction, then StopTransaction's transactionData. */
  readonly meterValues: MeterValue[];
  stop?: TransactionStop;
}

export interface ChargePointState {
  readonly id: string;
  connected: boolean;
  /** Accepted WebSocket connections so far. */
  connections: number;
  connectedAt?: number;
  disconnectedAt?: number;
  lastClose?: { readonly code: number; readonly reason: string };
  /** The last BootNotification answered, and what it was answered with. */
  lastBoot?: BootRequest;
  registration?: RegistrationStatus;
  /** How many valid calls of each action reached the CSMS's reply logic (including unanswered ones). */
  readonly handled: Partial<Record<Ocpp16Action, number>>;
  /** Latest StatusNotification per connector id (0 = the charge point as a whole). */
  readonly connectors: Record<number, ConnectorState>;
  /** In the order they were started. */
  readonly transactions: TransactionRecord[];
  /** StopTransaction requests for a transactionId this CSMS never handed out to this charge point. */
  readonly unknownStops: StopRequest[];
  /** Every MeterValues request, in order (also those attached to a transaction). */
  readonly meterValues: RequestOf<'MeterValues'>[];
  heartbeats: number;
  lastHeartbeatAt?: number;
  diagnosticsStatus?: RequestOf<'DiagnosticsStatusNotification'>['status'];
  firmwareStatus?: RequestOf<'FirmwareStatusNotification'>['status'];
}

export function newChargePointState(id: string): ChargePointState {
  return { id, connected: false, connections: 0, handled: {}, connectors: {}, transactions: [], unknownStops: [], meterValues: [], heartbeats: 0 };
}

export type StateChange =
  | { readonly type: 'transactionStarted'; readonly transaction: TransactionRecord }
  | { readonly type: 'transactionStopped'; readonly transaction: TransactionRecord }
  | { readonly type: 'none' };

/** Applies one completed charge-point-initiated exchange to the state. */
export function applyExchange(state: ChargePointState, action: string, request: unknown, response: unknown, now: number): StateChange {
  switch (action) {
    case 'BootNotification':
      state.lastBoot = request as BootRequest;
      state.registration = (response as ResponseOf<'BootNotification'>).status;
      break;
    case 'Heartbeat':
      state.heartbeats += 1;
      state.lastHeartbeatAt = now;
      break;
    case 'StatusNotification': {
      const { connectorId, ...status } = request as StatusRequest;
      state.connectors[connectorId] = { ...status, receivedAt: now };
      break;
    }
    case 'StartTransaction':
      return startTransaction(state, request as RequestOf<'StartTransaction'>, response as ResponseOf<'StartTransaction'>);
    case 'StopTransaction':
      return stopTransaction(state, request as StopRequest);
    case 'MeterValues': {
      const req = request as RequestOf<'MeterValues'>;
      state.meterValues.push(req);
      const tx = req.transactionId === undefined ? undefined : findTransaction(state, req.transactionId);
      tx?.meterValues.push(...req.meterValue);
      break;
    }
    case 'DiagnosticsStatusNotification':
      state.diagnosticsStatus = (request as RequestOf<'DiagnosticsStatusNotification'>).status;
      break;
    case 'FirmwareStatusNotification':
      state.firmwareStatus = (request as RequestOf<'FirmwareStatusNotification'>).status;
      break;
  }
  return { type: 'none' };
}

function startTransaction(state: ChargePointState, req: RequestOf<'StartTransaction'>, res: ResponseOf<'StartTransaction'>): StateChange {
  const earlier = state.transactions.find(
    (t) => t.connectorId === req.connectorId && t.idTag === req.idTag && t.meterStart === req.meterStart && t.startTimestamp === req.timestamp,
  );
  const transaction: TransactionRecord = {
    transactionId: res.transactionId,
    chargePointId: state.id,
    connectorId: req.connectorId,
    idTag: req.idTag,
    meterStart: req.meterStart,
    startTimestamp: req.timestamp,
    ...(req.reservationId === undefined ? {} : { reservationId: req.reservationId }),
    idTagStatus: res.idTagInfo.status,
    ...(earlier ? { duplicateOf: earlier.transactionId } : {}),
    meterValues: [],
  };
  state.transactions.push(transaction);
  return { type: 'transactionStarted', transaction };
}

function stopTransaction(state: ChargePointState, req: StopRequest): StateChange {
  const tx = findTransaction(state, req.transactionId);
  if (!tx) {
    state.unknownStops.push(req);
    return { type: 'none' };
  }
  tx.stop = {
    meterStop: req.meterStop,
    timestamp: req.timestamp,
    ...(req.reason === undefined ? {} : { reason: req.reason }),
    ...(req.idTag === undefined ? {} : { idTag: req.idTag }),
  };
  for (const mv of req.transactionData ?? []) tx.meterValues.push(mv);
  return { type: 'transactionStopped', transaction: tx };
}

/** The latest transaction with this id (ids are unique per CSMS; a scripted reply may reuse one). */
function findTransaction(state: ChargePointState, transactionId: number): TransactionRecord | undefined {
  return state.transactions.findLast((t) => t.transactionId === transactionId);
}
