/**
 * One charge point as an operator sees it at the embedded CSMS (`evse csms` `list`, `GET /chargers`):
 * connected or not, registration, and per connector its last reported status and open transaction.
 * Built from {@link ChargePointState}, i.e. only from exchanges that completed on the wire.
 */
import type { ChargePointState, TransactionRecord } from './ChargePointState.js';

export interface OpenTransaction {
  readonly transactionId: number;
  /** OCPP 2.0.1: the station's transactionId (what RequestStopTransaction takes). */
  readonly stationTransactionId?: string;
  readonly idTag: string;
  readonly meterStart: number;
  /** The charge point's StartTransaction timestamp. */
  readonly startTimestamp: string;
  /** The latest Energy.Active.Import.Register reading of the transaction (Wh), if any came. */
  readonly meterWh?: number;
}

export interface ConnectorSummary {
  readonly connectorId: number;
  /** From the last StatusNotification; absent when only a transaction is known. */
  readonly status?: string;
  readonly errorCode?: string;
  readonly info?: string;
  /** When the CSMS received the last StatusNotification (ISO 8601). */
  readonly statusAt?: string;
  readonly transaction?: OpenTransaction;
}

export interface ChargerSummary {
  readonly id: string;
  readonly connected: boolean;
  /** The OCPP version its (latest) connection speaks. */
  readonly ocppVersion?: string;
  readonly connectedAt?: string;
  readonly disconnectedAt?: string;
  /** How the last BootNotification was answered. */
  readonly registration?: string;
  readonly vendor?: string;
  readonly model?: string;
  readonly firmwareVersion?: string;
  readonly lastHeartbeatAt?: string;
  /** Connector 0 (the charge point as a whole) first, then by id. */
  readonly connectors: readonly ConnectorSummary[];
}

const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

export function chargerSummary(state: Readonly<ChargePointState>): ChargerSummary {
  const open = new Map<number, TransactionRecord>();
  for (const tx of state.transactions) if (!tx.stop) open.set(tx.connectorId, tx); // the latest per connector
  const ids = new Set([...Object.keys(state.connectors).map(Number), ...open.keys()]);
  const connectors = [...ids]
    .sort((a, b) => a - b)
    .map((connectorId): ConnectorSummary => {
      const status = state.connectors[connectorId];
      const tx = open.get(connectorId);
      return {
        connectorId,
        ...(status && { status: status.status, errorCode: status.errorCode, statusAt: iso(status.receivedAt) }),
        ...(status?.info !== undefined && { info: status.info }),
        ...(tx && { transaction: openTransaction(tx) }),
      };
    });
  const boot = state.lastBoot;
  return stripUndefined({
    id: state.id,
    connected: state.connected,
    ocppVersion: state.ocppVersion,
    connectedAt: iso(state.connectedAt),
    disconnectedAt: state.connected ? undefined : iso(state.disconnectedAt),
    registration: state.registration,
    vendor: boot?.chargePointVendor ?? state.lastBoot201?.chargingStation.vendorName,
    model: boot?.chargePointModel ?? state.lastBoot201?.chargingStation.model,
    firmwareVersion: boot?.firmwareVersion ?? state.lastBoot201?.chargingStation.firmwareVersion,
    lastHeartbeatAt: iso(state.lastHeartbeatAt),
    connectors,
  });
}

function openTransaction(tx: TransactionRecord): OpenTransaction {
  let meterWh: number | undefined;
  for (const mv of tx.meterValues) {
    for (const s of mv.sampledValue) {
      if ((s.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register' || s.phase !== undefined) continue;
      const value = Number(s.value);
      if (Number.isFinite(value)) meterWh = s.unit === 'kWh' ? value * 1000 : value;
    }
  }
  return { transactionId: tx.transactionId, ...(tx.stationTransactionId !== undefined && { stationTransactionId: tx.stationTransactionId }), idTag: tx.idTag, meterStart: tx.meterStart, startTimestamp: tx.startTimestamp, ...(meterWh !== undefined && { meterWh }) };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
