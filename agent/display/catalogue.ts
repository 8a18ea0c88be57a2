/**
 * The shape of a language's display texts (./texts.ts has the catalogues and the lookup): every
 * message as variants from the fullest to the shortest, `{placeholders}` filled in by ./screens.ts.
 */
import type { HalErrorCode } from '../../hal/index.js';

/** Variants of one message, fullest first. */
export type Variants = readonly string[];

/**
 * Why a card was refused, or a running session's identifier deauthorized: an idTagInfo status (and
 * under OCPP 2.0.1 the idTokenInfo statuses 1.6 lacks: NoCredit, NotAtThisLocation, NotAtThisTime,
 * NotAllowedTypeEVSE, Unknown), no decision possible offline, no connector, a reservation.
 */
export type RefusalReason =
  | 'Blocked'
  | 'Expired'
  | 'Invalid'
  | 'ConcurrentTx'
  | 'NoCredit'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'NotAllowedTypeEVSE'
  | 'Unknown'
  | 'OfflineUnknown'
  | 'NoConnector'
  | 'Reserved';

/** The refusal an authorization status names (Accepted names none). */
export function refusalOf(status: string): RefusalReason | undefined {
  return REFUSING_STATUSES.has(status) ? (status as RefusalReason) : status === 'Accepted' ? undefined : 'Invalid';
}

const REFUSING_STATUSES: ReadonlySet<string> = new Set(['Blocked', 'Expired', 'Invalid', 'ConcurrentTx', 'NoCredit', 'NotAtThisLocation', 'NotAtThisTime', 'NotAllowedTypeEVSE', 'Unknown']);

/** A fault title and its explanation for the driver. */
export interface FaultText {
  readonly title: Variants;
  readonly explanation: Variants;
}

/** Faults that are not HAL errors: a pilot in E/F without a device fault, state D without ventilation. */
export type ConnectorFault = HalErrorCode | 'PILOT_ERROR' | 'VENTILATION_REFUSED';

export interface Catalogue {
  readonly ready: Variants;
  readonly startHint: Variants;
  readonly startHintOffline: Variants;
  readonly startHintNoReader: Variants;
  readonly evConnected: Variants;
  readonly startHintPlugged: Variants;
  readonly cardAccepted: Variants;
  readonly plugIn: Variants;
  readonly starting: Variants;
  readonly checkingCard: Variants;
  readonly pleaseWait: Variants;
  readonly refused: Readonly<Record<RefusalReason, Variants>>;
  readonly refusedHint: Variants;
  /** {power} */
  readonly charging: Variants;
  /** {energy} */
  readonly energy: Variants;
  /** {time} */
  readonly elapsed: Variants;
  /** {cost} */
  readonly costSoFar: Variants;
  /** {cost}: computed by the charger from the default price while no cost came from the CSMS. */
  readonly costEstimate: Variants;
  /** {time}: local time of the next price period. */
  readonly priceChangesAt: Variants;
  /** After the stop, while the vehicle stays plugged in: an idle fee is being charged. */
  readonly idleFeeRunning: Variants;
  readonly pausedByVehicle: Variants;
  readonly pausedByVehicleHint: Variants;
  readonly pausedByLimit: Variants;
  readonly pausedByLimitHint: Variants;
  /** Thermal derating: paused until the charger has cooled down, or charging with less power. */
  readonly pausedByHeat: Variants;
  readonly pausedByHeatHint: Variants;
  readonly reducedByHeat: Variants;
  readonly finished: Variants;
  /** {energy} {time} */
  readonly finishedEnergy: Variants;
  /** {cost} */
  readonly total: Variants;
  /** {cost}: the charger's own estimate, until the CSMS's final cost comes. */
  readonly totalEstimate: Variants;
  readonly unplug: Variants;
  readonly thanks: Variants;
  readonly reserved: Variants;
  readonly reservedHint: Variants;
  readonly unavailable: Variants;
  readonly unavailableHint: Variants;
  /** Unavailable while a firmware update waits to restart the charger. */
  readonly updating: Variants;
  readonly updatingHint: Variants;
  readonly faults: Readonly<Record<ConnectorFault, FaultText>>;
  /** {phone} */
  readonly phone: Variants;
  /** {email} */
  readonly email: Variants;
  /** {web} */
  readonly web: Variants;
  /** Prefix of the first line on a display shared by connectors: {n} */
  readonly connectorPrefix: Variants;
  /** Minutes only, {m}; hours and minutes, {h} {mm}. */
  readonly minutes: string;
  readonly hoursMinutes: string;
}
