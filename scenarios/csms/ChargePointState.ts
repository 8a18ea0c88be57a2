/**
 * What the embedded CSMS knows about one charge point, built only from exchanges that actually
 * completed on the wire (a request and the result that was sent for it). A reply that strict
 * validation replaced with a CallError, or a call that was never answered, changes nothing here.
 *
 * One view for both OCPP versions: a 2.0.1 station's StatusNotification (per EVSE), its
 * TransactionEvents and MeterValues fill the same connectors, transactions and meter values as
 * 1.6 messages do (meter values in the 1.6 shape: `value` a string, `unit`), so everything built
 * on this view (operator list, tariff, scenario checks) works for both.
 */
import type { Ocpp16Action, RequestOf, ResponseOf } from '../../agent/ocpp16/messages.js';
import type { Ocpp201Action, RequestOf as RequestOf201, ResponseOf as ResponseOf201 } from '../../agent/ocpp201/messages.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

type BootRequest = RequestOf<'BootNotification'>;
type StatusRequest = RequestOf<'StatusNotification'>;
type StopRequest = RequestOf<'StopTransaction'>;
type MeterValue = RequestOf<'MeterValues'>['meterValue'][number];

export type RegistrationStatus = ResponseOf<'BootNotification'>['status'];

/** A 1.6 ChargePointStatus or a 2.0.1 ConnectorStatusEnumType (Occupied, …). */
export type ConnectorStatus = StatusRequest['status'] | RequestOf201<'StatusNotification'>['connectorStatus'];

export interface ConnectorState {
  readonly status: ConnectorStatus;
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
  /** 1.6 reason, or 2.0.1 stoppedReason. */
  readonly reason?: StopRequest['reason'] | NonNullable<RequestOf201<'TransactionEvent'>['transactionInfo']['stoppedReason']>;
  readonly idTag?: string;
}

export interface TransactionRecord {
  /**
   * 1.6: the id the CSMS handed out. 2.0.1: the station's transactionId as a number when it is a
   * decimal integer (evse-agent's are: the same number its session history shows), else a number
   * this CSMS gives it; the station's own id is {@link stationTransactionId}.
   */
  readonly transactionId: number;
  /** OCPP 2.0.1: the transactionId on the wire (RequestStopTransaction, GetTransactionStatus take it). */
  readonly stationTransactionId?: string;
  readonly chargePointId: string;
  readonly connectorId: number;
  readonly idTag: string;
  readonly meterStart: number;
  readonly startTimestamp: string;
  readonly reservationId?: number;
  /** The idTagInfo status the CSMS answered StartTransaction with. */
  readonly idTagStatus: ResponseOf<'StartTransaction'>['idTagInfo']['status'] | NonNullable<ResponseOf201<'TransactionEvent'>['idTokenInfo']>['status'];
  /** Set when an earlier StartTransaction had the same connector, idTag, meterStart and timestamp (a resend). */
  readonly duplicateOf?: number;
  /** Sampled values from MeterValues for this transaction, then StopTransaction's transactionData. */
  readonly meterValues: MeterValue[];
  stop?: TransactionStop;
  /** OCPP 2.0.1: the seqNo of the latest TransactionEvent, and the trigger reasons in order. */
  lastSeqNo?: number;
  readonly triggerReasons?: string[];
  /** OCPP 2.0.1: the latest TransactionEvent as received (JSON), to tell a resend of it from a repeated seqNo. */
  lastEvent?: string;
  /** OCPP 2.0.1: TransactionEvents received again unchanged (the station's answer was lost: a restart, a lost connection). */
  resentEvents?: number;
}

export interface ChargePointState {
  readonly id: string;
  /** The version its (latest) connection speaks. */
  ocppVersion?: OcppVersion;
  connected: boolean;
  /** Accepted WebSocket connections so far. */
  connections: number;
  connectedAt?: number;
  disconnectedAt?: number;
  lastClose?: { readonly code: number; readonly reason: string };
  /** The last BootNotification answered, and what it was answered with. */
  lastBoot?: BootRequest;
  /** The same for a 2.0.1 station. */
  lastBoot201?: RequestOf201<'BootNotification'>;
  registration?: RegistrationStatus;
  /** How many valid calls of each action reached the CSMS's reply logic (including unanswered ones). */
  readonly handled: Partial<Record<Ocpp16Action | Ocpp201Action, number>>;
  /** Latest StatusNotification per connector id (0 = the charge point as a whole). */
  readonly connectors: Record<number, ConnectorState>;
  /** In the order they were started. */
  readonly transactions: TransactionRecord[];
  /** StopTransaction requests for a transactionId this CSMS never handed out to this charge point. */
  readonly unknownStops: StopRequest[];
  /** OCPP 2.0.1: the latest NotifyReport pages (GetBaseReport), in the order received. */
  readonly reports: RequestOf201<'NotifyReport'>[];
  /** OCPP 2.0.1: every NotifyEvent's event data, in order. */
  readonly events: RequestOf201<'NotifyEvent'>['eventData'][number][];
  /** Every MeterValues request, in order (also those attached to a transaction). */
  readonly meterValues: RequestOf<'MeterValues'>[];
  heartbeats: number;
  lastHeartbeatAt?: number;
  diagnosticsStatus?: RequestOf<'DiagnosticsStatusNotification'>['status'];
  firmwareStatus?: RequestOf<'FirmwareStatusNotification'>['status'];
}

export function newChargePointState(id: string): ChargePointState {
  return { id, connected: false, connections: 0, handled: {}, connectors: {}, transactions: [], unknownStops: [], meterValues: [], reports: [], events: [], heartbeats: 0 };
}

export type StateChange =
  | { readonly type: 'transactionStarted'; readonly transaction: TransactionRecord }
  | { readonly type: 'transactionStopped'; readonly transaction: TransactionRecord }
  | { readonly type: 'none' };

/** A rule of the protocol the exchange broke (beyond its schema), e.g. a seqNo gap. */
export interface RuleBroken {
  readonly rule: string;
  readonly problem: string;
}

/** Applies one completed charge-point-initiated exchange to the state. */
export function applyExchange(state: ChargePointState, action: string, request: unknown, response: unknown, now: number, broken: RuleBroken[] = []): StateChange {
  if (state.ocppVersion === '2.0.1') return applyExchange201(state, action, request, response, now, broken);
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

// ── OCPP 2.0.1 ────────────────────────────────────────────────────────────────────────────

type Event201 = RequestOf201<'TransactionEvent'>;
type MeterValue201 = NonNullable<Event201['meterValue']>[number];
/** Statuses under which an EVSE cannot be in the middle of a transaction it reported. */
const IDLE_STATUSES: ReadonlySet<string> = new Set(['Available', 'Unavailable', 'Reserved']);

function applyExchange201(state: ChargePointState, action: string, request: unknown, response: unknown, now: number, broken: RuleBroken[]): StateChange {
  switch (action) {
    case 'BootNotification':
      state.lastBoot201 = request as RequestOf201<'BootNotification'>;
      state.registration = (response as ResponseOf201<'BootNotification'>).status;
      break;
    case 'Heartbeat':
      state.heartbeats += 1;
      state.lastHeartbeatAt = now;
      break;
    case 'StatusNotification': {
      const req = request as RequestOf201<'StatusNotification'>;
      const open = state.transactions.find((t) => !t.stop && t.connectorId === req.evseId);
      if (open && IDLE_STATUSES.has(req.connectorStatus)) {
        broken.push({ rule: 'statusOrder', problem: `EVSE ${req.evseId} reported ${req.connectorStatus} while transaction ${open.stationTransactionId ?? open.transactionId} had not ended (TransactionEvent Ended must come first)` });
      }
      const earlier = state.connectors[req.evseId];
      // 2.0.1 reports faults with NotifyEvent, not in the status: keep what that said while Faulted.
      const fault = req.connectorStatus === 'Faulted' && earlier && earlier.errorCode !== 'NoError' ? { errorCode: earlier.errorCode, ...(earlier.info !== undefined && { info: earlier.info }) } : { errorCode: 'NoError' as const };
      state.connectors[req.evseId] = { status: req.connectorStatus, ...fault, timestamp: req.timestamp, receivedAt: now };
      break;
    }
    case 'NotifyEvent': {
      const req = request as RequestOf201<'NotifyEvent'>;
      for (const e of req.eventData) {
        state.events.push(e);
        const evseId = e.component.evse?.id;
        if (e.variable.name !== 'Problem' || evseId === undefined) continue;
        const current = state.connectors[evseId];
        if (!current) continue;
        const cleared = e.cleared === true || e.actualValue === 'false';
        state.connectors[evseId] = cleared
          ? { status: current.status, errorCode: 'NoError', ...(current.timestamp !== undefined && { timestamp: current.timestamp }), receivedAt: current.receivedAt }
          : { ...current, errorCode: (e.techCode ?? 'OtherError') as StatusRequest['errorCode'], ...(e.techInfo !== undefined && { info: e.techInfo }) };
      }
      break;
    }
    case 'NotifyReport':
      state.reports.push(request as RequestOf201<'NotifyReport'>);
      break;
    case 'TransactionEvent':
      return transactionEvent(state, request as Event201, response as ResponseOf201<'TransactionEvent'>, broken);
    case 'MeterValues': {
      const req = request as RequestOf201<'MeterValues'>;
      state.meterValues.push({ connectorId: req.evseId, meterValue: req.meterValue.map(meterValue16) });
      break;
    }
    case 'FirmwareStatusNotification':
      state.firmwareStatus = (request as RequestOf201<'FirmwareStatusNotification'>).status as ChargePointState['firmwareStatus'];
      break;
  }
  return { type: 'none' };
}

function transactionEvent(state: ChargePointState, req: Event201, res: ResponseOf201<'TransactionEvent'>, broken: RuleBroken[]): StateChange {
  const id = req.transactionInfo.transactionId;
  let tx = state.transactions.findLast((t) => t.stationTransactionId === id);
  let change: StateChange = { type: 'none' };
  // The latest event again, unchanged: delivered at least once, its answer lost. Not a new event.
  const received = JSON.stringify(req);
  if (tx && req.seqNo === tx.lastSeqNo && received === tx.lastEvent) {
    tx.resentEvents = (tx.resentEvents ?? 0) + 1;
    return change;
  }
  if (!tx || (req.eventType === 'Started' && tx.stop)) {
    if (req.eventType !== 'Started') broken.push({ rule: 'transactionOrder', problem: `TransactionEvent ${req.eventType} (seqNo ${req.seqNo}) for transaction ${id}, which never Started here` });
    const begin = energyRegister(req.meterValue, 'Transaction.Begin') ?? energyRegister(req.meterValue);
    tx = {
      transactionId: numericId(id, state),
      stationTransactionId: id,
      chargePointId: state.id,
      connectorId: req.evse?.id ?? 0,
      idTag: req.idToken?.idToken ?? '',
      meterStart: begin ?? 0,
      startTimestamp: req.timestamp,
      ...(req.reservationId === undefined ? {} : { reservationId: req.reservationId }),
      idTagStatus: res.idTokenInfo?.status ?? 'Accepted',
      meterValues: [],
      triggerReasons: [],
    };
    state.transactions.push(tx);
    change = { type: 'transactionStarted', transaction: tx };
  } else {
    if (tx.stop) broken.push({ rule: 'transactionOrder', problem: `TransactionEvent ${req.eventType} (seqNo ${req.seqNo}) after transaction ${id} Ended` });
    if (tx.lastSeqNo !== undefined && req.seqNo !== tx.lastSeqNo + 1) {
      const what = req.seqNo <= tx.lastSeqNo ? `repeats or goes back (after ${tx.lastSeqNo})` : `skips ${req.seqNo - tx.lastSeqNo - 1} number(s) after ${tx.lastSeqNo}`;
      broken.push({ rule: 'seqNo', problem: `TransactionEvent ${req.eventType} of transaction ${id}: seqNo ${req.seqNo} ${what}` });
    }
  }
  if (tx.lastSeqNo === undefined && req.eventType === 'Started' && req.seqNo !== 0) {
    broken.push({ rule: 'seqNo', problem: `TransactionEvent Started of transaction ${id} has seqNo ${req.seqNo}, expected 0` });
  }
  tx.lastSeqNo = Math.max(tx.lastSeqNo ?? -1, req.seqNo);
  tx.lastEvent = received;
  tx.triggerReasons?.push(req.triggerReason);
  if (req.evse && tx.connectorId === 0) (tx as { connectorId: number }).connectorId = req.evse.id;
  const values = (req.meterValue ?? []).map(meterValue16);
  tx.meterValues.push(...values);
  if (req.eventType === 'Ended' && !tx.stop) {
    const end = energyRegister(req.meterValue, 'Transaction.End') ?? lastEnergy(tx) ?? tx.meterStart;
    tx.stop = {
      meterStop: end,
      timestamp: req.timestamp,
      ...(req.transactionInfo.stoppedReason === undefined ? {} : { reason: req.transactionInfo.stoppedReason }),
      ...(req.idToken === undefined ? {} : { idTag: req.idToken.idToken }),
    };
    return { type: 'transactionStopped', transaction: tx };
  }
  return change;
}

/** The station's id as a number when it is a safe decimal integer, else one past the highest number known here. */
function numericId(id: string, state: ChargePointState): number {
  const n = Number(id);
  if (/^\d{1,16}$/.test(id) && Number.isSafeInteger(n)) return n;
  return state.transactions.reduce((max, t) => Math.max(max, t.transactionId), 0) + 1;
}

/** A 2.0.1 meter value in the 1.6 shape: `value` the number as text, scaled by its multiplier, `unit`. */
function meterValue16(mv: MeterValue201): MeterValue {
  return {
    timestamp: mv.timestamp,
    sampledValue: mv.sampledValue.map((s) => {
      const multiplier = s.unitOfMeasure?.multiplier ?? 0;
      return {
        value: String(multiplier === 0 ? s.value : s.value * 10 ** multiplier),
        ...(s.context !== undefined && { context: s.context as MeterValue['sampledValue'][number]['context'] }),
        ...(s.measurand !== undefined && { measurand: s.measurand as MeterValue['sampledValue'][number]['measurand'] }),
        ...(s.phase !== undefined && { phase: s.phase }),
        ...(s.location !== undefined && { location: s.location as MeterValue['sampledValue'][number]['location'] }),
        ...(s.unitOfMeasure?.unit !== undefined && { unit: s.unitOfMeasure.unit as MeterValue['sampledValue'][number]['unit'] }),
      };
    }),
  };
}

/** The Energy.Active.Import.Register reading (Wh) among `values` (of one context, if given). */
function energyRegister(values: readonly MeterValue201[] | undefined, context?: string): number | undefined {
  let found: number | undefined;
  for (const mv of values ?? []) {
    for (const s of mv.sampledValue) {
      if ((s.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register' || s.phase !== undefined) continue;
      if (context !== undefined && (s.context ?? 'Sample.Periodic') !== context) continue;
      const wh = s.value * 10 ** (s.unitOfMeasure?.multiplier ?? 0) * (s.unitOfMeasure?.unit === 'kWh' ? 1000 : 1);
      found = Math.round(wh);
    }
  }
  return found;
}

function lastEnergy(tx: TransactionRecord): number | undefined {
  let found: number | undefined;
  for (const mv of tx.meterValues) {
    for (const s of mv.sampledValue) {
      if ((s.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register' || s.phase !== undefined) continue;
      const value = Number(s.value);
      if (Number.isFinite(value)) found = Math.round(s.unit === 'kWh' ? value * 1000 : value);
    }
  }
  return found;
}
