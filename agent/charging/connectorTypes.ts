/**
 * The vocabulary of the connector machine: what it is told (events), what it asks the outside
 * world to do (commands, emitted with XState's `emit`), and the OCPP statuses it reports.
 *
 * The machine is pure: it decides; the ConnectorController executes commands on the HAL and the
 * OCPP link, and feeds device events and CSMS decisions back in as events.
 */
import type { HalErrorCode, OcppFaultCode, PilotState } from '../../hal/index.js';
import type { IdTokenKind, TokenStatus } from '../auth/idToken.js';
import type { ConnectorStatus, IdTagStatus, StopReason } from '../ocpp16/vocabulary.js';

// The OCPP words the machine speaks, re-exported for the machine's files; the rest of the agent
// imports them from agent/ocpp16/vocabulary.ts.
export { CONNECTOR_STATUSES } from '../ocpp16/vocabulary.js';
export type { ConnectorStatus, IdTagStatus, StopReason };

// Why a transaction ends (the transactions' vocabulary: the transaction manager journals it).
export type { TransactionEndReason } from '../transactions/transactionTypes.js';
import type { TransactionEndReason } from '../transactions/transactionTypes.js';

/**
 * Where a connector's transactions begin and end, beyond the default: a transaction begins once
 * the EV is connected and a driver authorized (whichever comes last), and ends when the
 * authorization ends (the session's card, a remote stop) or, with StopTransactionOnEVSideDisconnect,
 * the EV is unplugged. A version face sets it (OCPP 2.0.1 TxStartPoint / TxStopPoint); one object,
 * shared, never changed (a new policy is a new object). Every field false is the default.
 */
export interface TransactionPoints {
  /** A transaction begins at the plug-in, before any authorization (it draws no energy until one). */
  readonly beginAtPlugIn: boolean;
  /** A transaction begins at the authorization, before the cable is plugged in. */
  readonly beginAtAuthorization: boolean;
  /** The end of energy transfer (the EV stops drawing, once it drew: suspended or full) ends the transaction. */
  readonly endAtEnergyTransferEnd: boolean;
  /**
   * The end of the authorization (the session's card) does not end the transaction: energy stops,
   * and the transaction ends with the unplug (or a remote stop, a reset …).
   */
  readonly outlastAuthorization: boolean;
}

export interface ActiveFault {
  code: HalErrorCode;
  ocppErrorCode: OcppFaultCode;
  recoverable: boolean;
  /** Human-readable detail for StatusNotification.info / logs (≤ 50 chars is sent). */
  info: string;
}

/**
 * Where a connector's current limit comes from (agent/chargingLimits/ChargingLimits.ts): the charging
 * profiles, a local energy manager (MQTT set_current_limit), the EVSE's temperature (thermal
 * derating), the plugged cable's rating, the connector's maximum; at a tie the first named.
 */
export const LIMIT_SOURCES = ['chargingProfile', 'localLimit', 'temperature', 'cable', 'hardware'] as const;
export type LimitSource = (typeof LIMIT_SOURCES)[number];

/** Events the machine accepts. */
export type ConnectorEvent =
  /** The vehicle-side pilot state changed (A–F). */
  | { type: 'PILOT'; state: PilotState }
  /**
   * An idTag was authorized (card accepted locally or by the CSMS, or RemoteStartTransaction).
   * Before a transaction it authorizes the session; during a transaction the same idTag, or one
   * with the same parentIdTag, stops it (reason Local); any other idTag is ignored.
   */
  /**
   * A session may start (or the card stops its own). `reservationId`: the charger-wide reservation
   * (ReserveNow on connector 0) this start uses, reported in StartTransaction. `idTokenType`: the
   * identifier's kind (../auth/idToken.ts), carried into the transaction messages.
   */
  | { type: 'AUTHORIZED'; idTag: string; idTokenType?: IdTokenKind; parentIdTag?: string; parentIdTagType?: IdTokenKind; remote?: boolean; reservationId?: number }
  /** Stop the running transaction (RemoteStop, reset, unlock, …). Ignored without one. */
  | { type: 'STOP'; reason: StopReason }
  /**
   * Power-loss recovery (ResumeTransactionOnPowerLoss): continue a transaction that was running
   * before a restart, as if it had just been authorized, without a new StartTransaction. Taken
   * only while Preparing (cable in, operative, no fault, nothing pending); ignored otherwise.
   */
  | { type: 'RESUME_TRANSACTION'; idTag: string; idTokenType?: IdTokenKind; parentIdTag?: string; parentIdTagType?: IdTokenKind; transactionId?: number }
  /**
   * ConnectionTimeOut has passed since a transaction began incomplete (startTransaction
   * `incomplete`): it ends (ConnectionTimeout) unless the cable and an authorization both came.
   */
  | { type: 'CONNECTION_TIMEOUT' }
  /** StartTransaction.conf arrived for the running transaction. */
  /** `idTagStatus`: 1.6's, or under 2.0.1 the idTokenInfo status as the CSMS said it (NoCredit, NotAtThisTime …): anything but Accepted deauthorizes. */
  | { type: 'TRANSACTION_CONFIRMED'; transactionId: number; idTagStatus: TokenStatus }
  /** The energy a `limitEnergy` command allowed has been delivered (or can no longer be measured). */
  | { type: 'ENERGY_ALLOWANCE_SPENT' }
  /** A device fault became active / cleared. */
  | { type: 'FAULT'; fault: ActiveFault }
  | { type: 'FAULT_CLEARED'; code: HalErrorCode }
  /** ChangeAvailability for this connector (or the whole charger). */
  | { type: 'SET_AVAILABILITY'; operative: boolean }
  /**
   * Current limit for this connector in A, from the charging-limit arbiter (agent/chargingLimits/),
   * with the source that binds (default hardware); 0 = no power.
   */
  | { type: 'SET_LIMIT'; amps: number; source?: LimitSource }
  /** The CSMS changed an OCPP key the machine follows (takes effect from the next decision). */
  | { type: 'CONFIGURE'; settings: Partial<Pick<ConnectorInput, 'connectionTimeoutMs' | 'stopTransactionOnInvalidId' | 'stopTransactionOnEVSideDisconnect' | 'maxEnergyOnInvalidIdWh' | 'unlockConnectorOnEVSideDisconnect' | 'transactionPoints'>> }
  /**
   * The station runs (its power-loss recovery done) or its start points changed: a cable plugged
   * in on an idle connector (Preparing, nobody authorized) begins the transaction the plug-in start
   * point says (TransactionPoints.beginAtPlugIn; OCPP 2.0.1 E01.FR.02), as a plug-in would. Nothing
   * otherwise. Never sent for a connector whose journaled transaction a power loss interrupted.
   */
  | { type: 'BEGIN_IF_PLUGGED_IN' }
  /** The connector lock confirmed a position (its `state` event), whoever commanded it. */
  | { type: 'LOCK_STATE'; locked: boolean }
  /** ReserveNow / CancelReservation / reservation expiry handled inside via `expiresAt`. */
  | {
      type: 'RESERVE';
      reservationId: number;
      idTag: string;
      /** The kind of `idTag`, where known: only that kind uses the reservation. */
      idTokenType?: IdTokenKind;
      parentIdTag?: string;
      /** OCPP 2.0.1: the kind of the group's token (groupIdToken.type). */
      parentIdTagType?: IdTokenKind;
      /** ReserveNow.expiryDate as clock epoch ms. */
      expiresAt: number;
      /**
       * `clock.now()` when the request was received. The machine reads time only through its
       * delays, so it arms the expiry as `expiresAt - now` from this.
       */
      now: number;
    }
  | { type: 'CANCEL_RESERVATION'; reservationId: number };

/** Commands the machine emits; the controller executes them. */
export type ConnectorCommand =
  | { type: 'closeContactor' }
  | { type: 'openContactor' }
  /** Offer this current to the vehicle over the pilot PWM; 0 switches PWM off. */
  | { type: 'offerCurrent'; amps: number }
  /** Drive the pilot to state F (-12 V) while the connector is unavailable/faulted, or release it. */
  | { type: 'pilotUnavailable'; unavailable: boolean }
  /**
   * Engage / release the socket's cable lock (only on connectors with a lock). The controller
   * releases only once the contactor is confirmed open; the confirmation returns as LOCK_STATE.
   */
  | { type: 'lockConnector' }
  | { type: 'unlockConnector' }
  /** Begin a transaction: read meterStart, journal and send StartTransaction. */
  /** `cablePluggedLast`: the plug-in completed the start (authorized before the cable: OCPP 2.0.1 triggerReason CablePluggedIn). */
  /**
   * No `idTag`: begun at the plug-in before any authorization (TransactionPoints.beginAtPlugIn); a
   * `transactionAuthorized` follows when a driver is authorized for it. `incomplete`: begun before
   * the cable or before an authorization: send CONNECTION_TIMEOUT after ConnectionTimeOut.
   */
  | { type: 'startTransaction'; idTag?: string; idTokenType?: IdTokenKind; reservationId?: number; cablePluggedLast?: true; incomplete?: true }
  /** The transaction begun without an authorization is authorized now (by this identifier): energy may flow. */
  | { type: 'transactionAuthorized'; idTag: string; idTokenType?: IdTokenKind }
  /** End the transaction: read meterStop, journal and send StopTransaction. */
  | { type: 'stopTransaction'; reason: TransactionEndReason; idTag?: string; idTokenType?: IdTokenKind }
  /**
   * The session's card ended the authorization of a transaction that outlasts it
   * (TransactionPoints.outlastAuthorization): energy stops, the transaction goes on until the unplug.
   */
  | { type: 'authorizationEnded'; idTag: string; idTokenType?: IdTokenKind }
  /**
   * Measure the energy delivered from now on and send ENERGY_ALLOWANCE_SPENT once `wh` have been
   * delivered (MaxEnergyOnInvalidId); a stopTransaction ends the watch.
   */
  | { type: 'limitEnergy'; wh: number }
  /** A card was presented that may not stop this session (for the display / log). */
  | { type: 'authorizationIgnored'; idTag: string };

/** Static input of one connector machine. */
export interface ConnectorInput {
  connectorId: number;
  /** Highest current the hardware may offer (A). */
  maxCurrentA: number;
  /** OCPP ConnectionTimeOut: how long an authorization waits for the cable, ms. */
  connectionTimeoutMs: number;
  /** OCPP StopTransactionOnInvalidId. */
  stopTransactionOnInvalidId: boolean;
  /** OCPP StopTransactionOnEVSideDisconnect. */
  stopTransactionOnEVSideDisconnect: boolean;
  /** OCPP MaxEnergyOnInvalidId, Wh (default 0: a rejected idTag suspends at once). */
  maxEnergyOnInvalidIdWh?: number;
  /**
   * The charger can ventilate (IEC 61851 state D). Without it an EV in D never gets the contactor:
   * the connector is Faulted (offer withdrawn) until the EV leaves D; a transaction is kept.
   */
  ventilation: boolean;
  /** OCPP UnlockConnectorOnEVSideDisconnect (default true): release the lock when the EV side unplugs. */
  unlockConnectorOnEVSideDisconnect?: boolean;
  /**
   * The connector is a socket with a cable lock (default false: tethered cable, nothing to lock).
   * With one, the lock is commanded with the PWM offer and confirmed before the contactor closes,
   * and held for the whole session.
   */
  lock?: boolean;
  /** The lock's confirmed position at start (default false); a lock found engaged with no session is released. */
  locked?: boolean;
  /** Start inoperative (persisted ChangeAvailability). */
  operative: boolean;
  /** Pilot state at start. */
  pilot: PilotState;
  /** Where transactions begin and end beyond the default (absent: the default; set by a version face). */
  transactionPoints?: TransactionPoints;
}

// ---------------------------------------------------------------------------------------------
// The machine's context (read it through the helpers in connectorMachine.ts where one exists)
// ---------------------------------------------------------------------------------------------

/** An idTag authorized for the next transaction, which has not started yet. */
export interface PendingAuthorization {
  idTag: string;
  /** The identifier's kind, where known. */
  idTokenType?: IdTokenKind;
  parentIdTag?: string;
  /** OCPP 2.0.1: the kind of the group's token; a group is the same only with the same value and kind. */
  parentIdTagType?: IdTokenKind;
  /** Set when the authorization consumed a reservation; goes into StartTransaction. */
  reservationId?: number;
}

/** The running transaction: from `startTransaction` until `stopTransaction` was emitted. */
export interface ActiveTransaction extends PendingAuthorization {
  /** From StartTransaction.conf (TRANSACTION_CONFIRMED); absent until then. */
  transactionId?: number;
  idTagStatus?: TokenStatus;
  /** The idTag was rejected and MaxEnergyOnInvalidId lets the EV draw on ('running') until it is 'spent'. */
  allowance?: 'running' | 'spent';
  /**
   * Begun at the plug-in before any authorization (`idTag` is empty until one comes), or its
   * authorization ended while it outlasts it: no energy flows.
   */
  unauthorized?: 'notYet' | 'ended';
  /** Begun at the authorization before the cable, and no cable plugged in since. */
  awaitingCable?: true;
}

export interface ActiveReservation {
  reservationId: number;
  idTag: string;
  idTokenType?: IdTokenKind;
  parentIdTag?: string;
  parentIdTagType?: IdTokenKind;
  expiresAt: number;
  /** Clock time the reservation was made (the RESERVE event's `now`). */
  reservedAt: number;
}

/** What the machine last commanded; commands are emitted only when they change this. */
export interface CommandedOutputs {
  contactorClosed: boolean;
  /** Current offered over the pilot PWM, A; 0 = PWM off. */
  offeredA: number;
  /** Pilot held at F (-12 V) because the connector is inoperative. */
  pilotHeld: boolean;
  /** Cable lock engaged (always false without a lock). */
  locked: boolean;
}

export interface ConnectorContext {
  readonly settings: Required<Omit<ConnectorInput, 'operative' | 'pilot' | 'locked' | 'transactionPoints'>> & Pick<ConnectorInput, 'transactionPoints'>;
  /** Last pilot state from the vehicle side (F read while we hold the pilot at F is not recorded). */
  pilot: PilotState;
  /** Effective availability: false exactly while the connector is Unavailable (or Faulted on top). */
  operative: boolean;
  /** ChangeAvailability(Inoperative) arrived during a transaction: applies when it ends. */
  inoperativeScheduled: boolean;
  /** Last SET_LIMIT, A, as requested: the offer is min(limit, maxCurrentA), or 0 below 6 A. */
  limitA: number;
  /** Where the last SET_LIMIT came from (StatusNotification info of a suspension it causes). */
  limitSource: LimitSource;
  /** Active faults by code, oldest first. */
  faults: Partial<Record<HalErrorCode, ActiveFault>>;
  authorization: PendingAuthorization | undefined;
  transaction: ActiveTransaction | undefined;
  reservation: ActiveReservation | undefined;
  /** A transaction ended and the cable has not been unplugged since (OCPP Finishing). */
  finishing: boolean;
  outputs: CommandedOutputs;
  /** Last confirmed position of the cable lock (LOCK_STATE). */
  lockConfirmed: boolean;
  /**
   * A transaction ended by the EV side unplugging while UnlockConnectorOnEVSideDisconnect is
   * false: its cable stays locked at the charger until that session's card (same idTag or
   * parentIdTag) or an UnlockConnector releases it (OCPP 1.6 §9.1).
   */
  lockHeldFor: PendingAuthorization | undefined;
}
