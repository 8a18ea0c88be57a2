/**
 * The connector machine's guards: the conditions under which it may move, and the safety
 * invariant of the contactor. Pure functions of the context (and the event at hand).
 */
import type { PilotState } from '../../hal/index.js';
import type { IdTokenKind } from '../auth/idToken.js';
import type { ConnectorContext, ConnectorEvent } from './connectorTypes.js';

type GuardArgs = { context: ConnectorContext; event: ConnectorEvent };

export const cableIn = (p: PilotState): boolean => p === 'B' || p === 'C' || p === 'D';
const evRequestsPower = (c: ConnectorContext): boolean => c.pilot === 'C' || (c.pilot === 'D' && c.settings.ventilation);
export const isPilotError = (p: PilotState): boolean => p === 'E' || p === 'F';
/** The EV asks for ventilation (state D) that this charger cannot provide. */
export const ventilationRefused = (c: { pilot: PilotState; settings: { ventilation: boolean } }): boolean => c.pilot === 'D' && !c.settings.ventilation;
// E/F from the vehicle side is a fault in itself (the HAL also reports PILOT_FAULT, but the
// contactor must not depend on the order of those two events); so is D without ventilation.
const isFaulted = (c: ConnectorContext): boolean => hasFaults(c.faults) || isPilotError(c.pilot) || ventilationRefused(c);
/** Any fault recorded (without building a key array: guards run several times per event). */
export function hasFaults(faults: ConnectorContext['faults']): boolean {
  for (const code in faults) if (faults[code as keyof typeof faults] !== undefined) return true;
  return false;
}
const isAuthorized = (c: ConnectorContext): boolean =>
  c.transaction !== undefined && c.transaction.unauthorized === undefined && ((c.transaction.idTagStatus ?? 'Accepted') === 'Accepted' || c.transaction.allowance === 'running');
/** IEC 61851 PWM cannot offer less than this, A: a smaller limit means no power (PWM off). */
export const MIN_OFFER_A = 6;
const offerFor = (c: ConnectorContext): number => (c.limitA >= MIN_OFFER_A ? Math.min(c.limitA, c.settings.maxCurrentA) : 0);
/** An authorized transaction gets no power because the current limit is below what a pilot can offer (6 A). */
export const limitWithholdsPower = (c: ConnectorContext): boolean => isAuthorized(c) && offerFor(c) === 0;
/** A socket's cable lock is commanded and confirmed engaged (a tethered cable needs none). */
const lockSecured = (c: ConnectorContext): boolean => !c.settings.lock || (c.outputs.locked && c.lockConfirmed);
/**
 * Where the lock must be: engaged for the whole transaction, except while the EV side is unplugged
 * and UnlockConnectorOnEVSideDisconnect allows the cable out; and after a session that keeps it held.
 */
export const wantsLock = (c: ConnectorContext): boolean =>
  c.settings.lock &&
  ((c.transaction !== undefined && !(c.pilot === 'A' && c.settings.unlockConnectorOnEVSideDisconnect)) || c.lockHeldFor !== undefined);
/**
 * The PWM is on exactly while an authorized transaction may draw power; on a socket once the lock
 * is commanded engaged: the EV answers the offer while the lock moves (the contactor still waits
 * for the lock's confirmation), so locking adds nothing to the time from card to power.
 */
export const desiredOffer = (c: ConnectorContext): number =>
  isAuthorized(c) && !isFaulted(c) && c.operative && (!c.settings.lock || c.outputs.locked) ? offerFor(c) : 0;
/** The safety invariant: the only condition under which the contactor may be closed. */
const contactorMayClose = (c: ConnectorContext): boolean =>
  evRequestsPower(c) && isAuthorized(c) && c.operative && !isFaulted(c) && lockSecured(c) && offerFor(c) > 0;

export type Tagged = { idTag: string; idTokenType?: IdTokenKind; parentIdTag?: string; parentIdTagType?: IdTokenKind };
/**
 * The same identifier (the same value, and the same kind where both are known: OCPP 2.0.1) or the
 * same group (the same groupIdToken value, and under 2.0.1 the same groupIdToken type where both are known).
 */
export const sameTag = (a: Tagged, b: Tagged): boolean =>
  (a.idTag === b.idTag && (a.idTokenType === undefined || b.idTokenType === undefined || a.idTokenType === b.idTokenType)) ||
  (a.parentIdTag !== undefined && a.parentIdTag === b.parentIdTag && (a.parentIdTagType === undefined || b.parentIdTagType === undefined || a.parentIdTagType === b.parentIdTagType));

export const connectorGuards = {
  faulted: ({ context }) => isFaulted(context),
  operative: ({ context }) => context.operative,
  cableIn: ({ context }) => cableIn(context.pilot),
  reserved: ({ context }) => context.reservation !== undefined,
  authorizedForNext: ({ context }) => context.authorization !== undefined,
  finishing: ({ context }) => context.finishing,
  contactorMayClose: ({ context }) => contactorMayClose(context),
  evseWithholdsPower: ({ context }) => !isAuthorized(context) || limitWithholdsPower(context),
  stopsOnEVSideDisconnect: ({ context }) => context.settings.stopTransactionOnEVSideDisconnect,
  // Where transactions begin and end (TransactionPoints; all false by default).
  beginsAtPlugIn: ({ context }) => context.settings.transactionPoints?.beginAtPlugIn === true,
  beginsAtAuthorization: ({ context }) => context.settings.transactionPoints?.beginAtAuthorization === true,
  outlastsAuthorization: ({ context }) => context.settings.transactionPoints?.outlastAuthorization === true,
  // The EV stops drawing (C/D → B) while the contactor is closed: energy transfer ended.
  endsEnergyTransfer: ({ context, event }) => context.settings.transactionPoints?.endAtEnergyTransferEnd === true && event.type === 'PILOT' && event.state === 'B' && context.outputs.contactorClosed,
  // A transaction begun at the plug-in that no driver authorized yet.
  awaitsAuthorization: ({ context }) => context.transaction?.unauthorized === 'notYet',
  // What began the transaction was not completed (the cable, or an authorization) in time.
  transactionIncomplete: ({ context: { transaction: t } }) => t !== undefined && (t.unauthorized === 'notYet' || t.awaitingCable === true),
  stopsOnInvalidId: ({ context }) => context.settings.stopTransactionOnInvalidId,
  allowsEnergyOnInvalidId: ({ context }) => (context.settings.maxEnergyOnInvalidIdWh ?? 0) > 0,
  allowanceRunning: ({ context }) => context.transaction?.allowance === 'running',
  plugsIn: ({ event }) => event.type === 'PILOT' && cableIn(event.state),
  unplugs: ({ event }) => event.type === 'PILOT' && event.state === 'A',
  reportsPilotError: ({ event }) => event.type === 'PILOT' && isPilotError(event.state),
  refusesVentilation: ({ context, event }) => event.type === 'PILOT' && ventilationRefused({ pilot: event.state, settings: context.settings }),
  // While we hold the pilot at -12 V, reading F says nothing about the vehicle.
  isOwnPilotF: ({ context, event }) => event.type === 'PILOT' && event.state === 'F' && context.outputs.pilotHeld,
  // A RemoteStartTransaction never stops a session, whatever its idTag.
  isSessionCard: ({ context: c, event: e }) => e.type === 'AUTHORIZED' && !e.remote && c.transaction !== undefined && c.transaction.unauthorized === undefined && sameTag(e, c.transaction),
  // The card of the session whose cable is still held (UnlockConnectorOnEVSideDisconnect false).
  releasesHeldLock: ({ context: c, event: e }) => e.type === 'AUTHORIZED' && !e.remote && c.lockHeldFor !== undefined && sameTag(e, c.lockHeldFor),
  matchesReservation: ({ context: c, event: e }) => e.type === 'AUTHORIZED' && c.reservation !== undefined && sameTag(e, c.reservation),
  cancelsReservation: ({ context: c, event: e }) => e.type === 'CANCEL_RESERVATION' && e.reservationId === c.reservation?.reservationId,
  // OCPP: a ReserveNow with the id of the current reservation replaces it.
  replacesReservation: ({ context: c, event: e }) => e.type === 'RESERVE' && e.reservationId === c.reservation?.reservationId,
  reservationInFuture: ({ event }) => event.type === 'RESERVE' && event.expiresAt > event.now,
  faultIsRecoverable: ({ event }) => event.type === 'FAULT' && event.fault.recoverable,
  awaitingConfirmation: ({ context }) => context.transaction?.idTagStatus === undefined,
  idTagRejected: ({ event }) => event.type === 'TRANSACTION_CONFIRMED' && event.idTagStatus !== 'Accepted',
  changesAvailability: ({ context, event }) => event.type === 'SET_AVAILABILITY' && event.operative !== context.operative,
} satisfies Record<string, (args: GuardArgs) => boolean>;
