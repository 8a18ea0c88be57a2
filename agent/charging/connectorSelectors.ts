/**
 * What the rest of the charger reads from a connector machine's snapshot: the OCPP status and
 * error code, active faults, the running transaction and the reservation held.
 */
import { HAL_ERRORS, type OcppFaultCode } from '../../hal/index.js';
import type { ChargingState } from '../store/TransactionJournal.js';
import { cableIn, hasFaults, isPilotError, limitWithholdsPower, sameTag, ventilationRefused, type Tagged } from './connectorGuards.js';
import type { ConnectorSnapshot } from './connectorMachine.js';
import type { ActiveFault } from './connectorTypes.js';
import { CONNECTOR_STATUSES, type ConnectorStatus } from '../ocpp16/vocabulary.js';

/** The OCPP 1.6 status of the connector: the status tag of its state. */
export function statusOf(snapshot: ConnectorSnapshot): ConnectorStatus {
  const status = CONNECTOR_STATUSES.find((s) => snapshot.hasTag(s));
  if (!status) throw new Error(`connector state ${JSON.stringify(snapshot.value)} has no status tag`);
  return status;
}

export type ConnectorErrorCode = OcppFaultCode | 'NoError';

const NO_FAULTS: readonly ActiveFault[] = Object.freeze([]);

/** Active faults, oldest first (for StatusNotification.info and logs). */
export const activeFaults = (s: ConnectorSnapshot): readonly ActiveFault[] => (hasFaults(s.context.faults) ? Object.values(s.context.faults).filter((f) => f !== undefined) : NO_FAULTS);

/** What a connector reports while an EV in state D asks for ventilation the charger does not have. */
export const VENTILATION_REFUSED_INFO = 'EV requests ventilation; not supported';

/** StatusNotification errorCode: of the oldest active fault; a bare E/F pilot, or D without ventilation, is OtherError. */
export function errorCodeOf(snapshot: ConnectorSnapshot): ConnectorErrorCode {
  const first = activeFaults(snapshot)[0];
  if (first) return first.ocppErrorCode;
  return isPilotError(snapshot.context.pilot) || ventilationRefused(snapshot.context) ? HAL_ERRORS.PILOT_FAULT.ocpp : 'NoError';
}

/** StatusNotification info: the oldest active fault's text, or why state D is refused. */
export function faultInfoOf(snapshot: ConnectorSnapshot): string | undefined {
  const first = activeFaults(snapshot)[0];
  if (first) return first.info;
  return ventilationRefused(snapshot.context) ? VENTILATION_REFUSED_INFO : undefined;
}

/**
 * StatusNotification info of a SuspendedEVSE that a current limit causes: which source withholds
 * power (e.g. `chargingProfile limit 0 A`), so the operator sees why the EV is not charging.
 */
export function limitInfoOf(snapshot: ConnectorSnapshot): string | undefined {
  const c = snapshot.context;
  return snapshot.hasTag('SuspendedEVSE') && limitWithholdsPower(c) ? `${c.limitSource} limit ${c.limitA} A` : undefined;
}

/** True from `startTransaction` until `stopTransaction` was emitted. */
export const hasTransaction = (s: ConnectorSnapshot): boolean => s.context.transaction !== undefined;
/**
 * What the connector does for the EV during its transaction (OCPP 2.0.1 chargingState), undefined
 * without one: Charging; SuspendedEVSE while the charger withholds power (a limit, a refused
 * idTag, a fault that keeps the transaction); SuspendedEV while energy is offered and the EV takes
 * none; Idle while no EV is connected (unplugged with StopTransactionOnEVSideDisconnect false, or
 * begun at the authorization before the cable); EVConnected while it is connected and the
 * transaction has no authorization (begun at the plug-in, or its authorization ended:
 * TransactionPoints), so no energy is offered.
 */
export function chargingStateOf(s: ConnectorSnapshot): ChargingState | undefined {
  if (!hasTransaction(s)) return undefined;
  if (s.context.transaction!.unauthorized !== undefined) return cableIn(s.context.pilot) ? 'EVConnected' : 'Idle';
  if (s.hasTag('Charging')) return 'Charging';
  if (s.hasTag('SuspendedEVSE') || s.hasTag('Faulted')) return 'SuspendedEVSE';
  return cableIn(s.context.pilot) ? 'SuspendedEV' : 'Idle';
}
/** The running transaction was begun at the plug-in and no driver is authorized for it yet. */
export const awaitsAuthorization = (s: ConnectorSnapshot): boolean => s.context.transaction?.unauthorized === 'notYet';
/** idTag of the running transaction. */
export const activeTransactionIdTag = (s: ConnectorSnapshot): string | undefined => s.context.transaction?.idTag;
/**
 * Whether this (non-remote) authorization ends what its session holds here: the running
 * transaction, or the cable still locked after it (same idTag or same parentIdTag).
 */
export const stopsTransaction = (s: ConnectorSnapshot, card: Tagged): boolean => {
  const held = s.context.transaction ?? s.context.lockHeldFor;
  return held !== undefined && sameTag(card, held);
};
/** transactionId of the running transaction, once TRANSACTION_CONFIRMED brought it. */
export const transactionId = (s: ConnectorSnapshot): number | undefined => s.context.transaction?.transactionId;
/** Id of the reservation held (CancelReservation is Accepted only for it). */
export const reservationId = (s: ConnectorSnapshot): number | undefined => s.context.reservation?.reservationId;
/** An Inoperative ChangeAvailability is waiting for the transaction to end. */
export const inoperativeScheduled = (s: ConnectorSnapshot): boolean => s.context.inoperativeScheduled;
