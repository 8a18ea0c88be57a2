/**
 * TxCtrlr.TxStartPoint and TxStopPoint: where a 2.0.1 transaction begins and ends, as the
 * version-neutral TransactionPoints the connector machines follow (agent/charging/connectorTypes.ts).
 *
 * - Start: the FIRST of the listed points that occurs begins the transaction. EVConnected: the
 *   plug-in (no idToken yet; the driver's authorization follows as an Updated Authorized);
 *   Authorized: the authorization (before the cable; the plug-in follows as CablePluggedIn);
 *   PowerPathClosed: once both happened (energy may flow then), as under 1.6. A transaction begun
 *   at one of them whose other half does not come within EVConnectionTimeOut ends (Timeout).
 * - Stop: the FIRST listed point that ends ends it. EVConnected: the unplug; Authorized: the end
 *   of the authorization (the session's card, a deauthorizing answer); PowerPathClosed: either (the
 *   power path opens with both); EnergyTransfer: also the EV stopping to draw energy (suspended,
 *   full: the pilot going back from C to B while the contactor was closed). EVConnected alone: the
 *   card ends the authorization (Updated StopAuthorized, energy stops), the unplug the transaction.
 *   The unplug is StopTxOnEVSideDisconnect (StopTransactionOnEVSideDisconnect), which writing
 *   TxStopPoint sets.
 * - Not honoured (Rejected, UnsupportedParam): ParkingBayOccupancy (no parking bay sensor),
 *   DataSigned (no signing meter), EnergyTransfer as a start point.
 *
 * Both are stored (agent/store/OcppConfiguration.ts keys TxStartPoint, TxStopPoint) and survive
 * restarts; a 1.6 link never reads them.
 */
import { TX_POINTS, txPointProblem } from '../../ocpp16/configurationKeys.js';
import type { TransactionPoints } from '../../charging/connectorTypes.js';

/** A write's answer (deviceModelVariables.ts WriteAnswer; said here too to keep the import one way). */
type WriteAnswer = { status: 'Accepted' } | { status: 'Rejected'; reasonCode: string; additionalInfo: string };

export type TxPointVariable = 'TxStartPoint' | 'TxStopPoint';

/** What the writers and readers need of the station. */
export interface TxPointFacts {
  /** The stored value ('' TxStopPoint: never written, the 1.6 way). */
  storedTxPoint(variable: TxPointVariable): string;
  /** Stores it and puts it in effect at once (the connectors' TransactionPoints). */
  setTxPoint(variable: TxPointVariable, value: string): Promise<void>;
  /** Whether unplugging at the EV ends the transaction (StopTxOnEVSideDisconnect). */
  stopsOnEVSideDisconnect(): boolean;
  /** Stores it, and puts what TxStopPoint says with it in effect at once. */
  setStopsOnEVSideDisconnect(on: boolean): Promise<void>;
}

/** Every TxStartPoint / TxStopPoint member, as the MemberList's valuesList (in the specification's order). */
export const TX_POINTS_LIST = TX_POINTS.join(',');

/** A MemberList value's members in the specification's order without repeats, or undefined when one is not a point. */
export function canonicalTxPoints(value: string): string[] | undefined {
  const members = value.split(',').map((m) => m.trim());
  if (!members.every((m) => (TX_POINTS as readonly string[]).includes(m))) return undefined;
  return TX_POINTS.filter((p) => members.includes(p));
}

/** Members whose end also ends the power path: each ends the transaction at the unplug. */
const ENDS_AT_UNPLUG = ['EVConnected', 'PowerPathClosed', 'EnergyTransfer'];
/** Members whose end comes with the end of the authorization. */
const ENDS_AT_DEAUTHORIZATION = ['Authorized', 'PowerPathClosed', 'EnergyTransfer'];

export async function writeTxStartPoint(f: TxPointFacts, value: string): Promise<WriteAnswer> {
  const points = canonicalTxPoints(value);
  if (points === undefined) return { status: 'Rejected', reasonCode: 'InvalidValue', additionalInfo: `TxStartPoint members are ${TX_POINTS_LIST}` };
  const problem = txPointProblem('start', points.join(','));
  if (problem !== undefined) return { status: 'Rejected', reasonCode: 'UnsupportedParam', additionalInfo: `${problem}; honoured: EVConnected, Authorized, PowerPathClosed` };
  await f.setTxPoint('TxStartPoint', points.join(','));
  return { status: 'Accepted' };
}

export async function writeTxStopPoint(f: TxPointFacts, value: string): Promise<WriteAnswer> {
  const points = canonicalTxPoints(value);
  if (points === undefined) return { status: 'Rejected', reasonCode: 'InvalidValue', additionalInfo: `TxStopPoint members are ${TX_POINTS_LIST}` };
  const problem = txPointProblem('stop', points.join(',')) ?? (points.length === 0 ? 'no stop point given' : undefined);
  if (problem !== undefined) return { status: 'Rejected', reasonCode: 'UnsupportedParam', additionalInfo: `${problem}; honoured: EVConnected, Authorized, PowerPathClosed, EnergyTransfer` };
  await f.setStopsOnEVSideDisconnect(points.some((p) => ENDS_AT_UNPLUG.includes(p)));
  await f.setTxPoint('TxStopPoint', points.join(','));
  return { status: 'Accepted' };
}

/**
 * TxCtrlr.StopTxOnEVSideDisconnect: the unplug ends the transaction, or not (TxStopPoint's
 * EVConnected follows it), in effect at once with what TxStopPoint then says.
 */
export async function writeStopTxOnEVSideDisconnect(f: TxPointFacts, value: string): Promise<WriteAnswer> {
  if (value !== 'true' && value !== 'false') return { status: 'Rejected', reasonCode: 'InvalidValue', additionalInfo: 'StopTxOnEVSideDisconnect is true or false' };
  await f.setStopsOnEVSideDisconnect(value === 'true');
  return { status: 'Accepted' };
}

/** TxStartPoint as stored (PowerPathClosed unless written). */
export function readTxStartPoint(f: TxPointFacts): string {
  return f.storedTxPoint('TxStartPoint') || 'PowerPathClosed';
}

/**
 * TxStopPoint: as written, with EVConnected following StopTxOnEVSideDisconnect when that was
 * written since (the two say the same of the unplug); never written, the 1.6 way.
 */
export function readTxStopPoint(f: TxPointFacts): string {
  const unplugEnds = f.stopsOnEVSideDisconnect();
  let points = canonicalTxPoints(f.storedTxPoint('TxStopPoint') || 'Authorized') ?? ['Authorized'];
  if (!unplugEnds) points = points.filter((p) => p !== 'EVConnected');
  else if (!points.some((p) => ENDS_AT_UNPLUG.includes(p))) points = ['EVConnected', ...points];
  if (points.length === 0) points = ['Authorized'];
  return points.join(',');
}

/** The connectors' policy from the stored points: undefined for the default (PowerPathClosed; Authorized and maybe EVConnected). */
export function transactionPointsOf(f: TxPointFacts): TransactionPoints | undefined {
  const start = canonicalTxPoints(readTxStartPoint(f)) ?? [];
  const stop = canonicalTxPoints(readTxStopPoint(f)) ?? [];
  const points: TransactionPoints = {
    beginAtPlugIn: start.includes('EVConnected'),
    beginAtAuthorization: start.includes('Authorized'),
    endAtEnergyTransferEnd: stop.includes('EnergyTransfer'),
    outlastAuthorization: !stop.some((p) => ENDS_AT_DEAUTHORIZATION.includes(p)),
  };
  return Object.values(points).some(Boolean) ? Object.freeze(points) : undefined;
}
