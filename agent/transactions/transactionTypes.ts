/** The shapes of a charger's transactions: one running in memory, and the events it reports. */
import type { TimerId } from '../../hal/index.js';
import type { StopReason } from '../ocpp16/vocabulary.js';
import type { ChargingState } from '../store/TransactionJournal.js';
import type { MeterValue } from './meterValues.js';
import type { StopData } from './stopTransactionData.js';

/**
 * Why a transaction ends: a stop reason both versions have, or one that only the points of
 * the connectors' TransactionPoints (agent/charging/connectorTypes.ts) bring about (never under their defaults, so never under OCPP 1.6):
 * ConnectionTimeout, what began the transaction was not completed (the cable, or the authorization)
 * within ConnectionTimeOut; EnergyTransferEnded, the EV stopped drawing energy.
 */
export type TransactionEndReason = StopReason | 'ConnectionTimeout' | 'EnergyTransferEnded';

export interface ActiveTransaction {
  localId: string;
  connectorId: number;
  idTag: string;
  meterStartWh: number;
  startedAt: number;
  /** Transaction.Begin sample for StopTransaction.transactionData (none when StopTxnSampledData gave no value). */
  beginSample: MeterValue | undefined;
  /** Samples taken during the transaction for StopTransaction.transactionData (StopTxnSampledData/AlignedData). */
  stopData: StopData | undefined;
  /** Register at the previous periodic sample (at the start before the first): Energy.Active.Import.Interval. */
  lastPeriodicWh: number;
  sampleTimer: TimerId | undefined;
  /** The charging state last journaled (versions that report it: OCPP 2.0.1). */
  chargingState?: ChargingState;
  /**
   * The limit in force (A per phase) last reported for it (OCPP 2.0.1: at its start, then each
   * ChargingRateChanged): the reference a change's significance is measured against.
   */
  rateA?: number;
}

/**
 * A transaction began or ended on this charger (journaled, not necessarily delivered yet).
 * `transactionId` is the CSMS's id when it is already known; an offline start learns it later
 * (the Agent's `transaction` event `confirmed`).
 */
export type TransactionEvent =
  | {
      event: 'started';
      localId: string;
      connectorId: number;
      /** '' for a transaction begun without one (at the plug-in, OCPP 2.0.1 TxStartPoint EVConnected): an `authorized` names its driver. */
      idTag: string;
      meterStartWh: number;
      reservationId?: number;
      timestamp: number;
      transactionId?: number;
      /** A transaction interrupted by a power loss goes on (ResumeTransactionOnPowerLoss); `timestamp` is when it went on. */
      resumed?: true;
    }
  | {
      event: 'stopped';
      localId: string;
      connectorId: number;
      /** The idTag that stopped it, when one did. */
      idTag?: string;
      /** The idTag that started it (absent for a transaction recovered after a power loss). */
      startIdTag?: string;
      meterStartWh?: number;
      meterStopWh: number;
      reason: StopReason;
      timestamp: number;
      transactionId?: number;
    }
  | { event: 'confirmed'; localId: string; connectorId: number; transactionId: number; idTagStatus: string; timestamp: number }
  /**
   * A transaction begun without an identifier (its `started` has idTag '') is authorized by `idTag`
   * now: it is that driver's session from now on (its `stopped` names it as `startIdTag`).
   */
  | { event: 'authorized'; localId: string; connectorId: number; idTag: string; timestamp: number; transactionId?: number };
