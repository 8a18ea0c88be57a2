/**
 * Where a session may start: the one connector choice every way into a session uses (card, CSMS
 * remote start, MQTT, fleet control). Pure functions of the connectors' current state.
 */
import type { IdTokenKind } from '../auth/idToken.js';
import type { ConnectorStatus } from '../ocpp16/vocabulary.js';

/** What the choice reads of a connector (a ConnectorController). */
export interface Choosable {
  readonly connectorId: number;
  readonly status: ConnectorStatus;
  readonly hasTransaction: boolean;
  /** A transaction begun at the plug-in runs and awaits its driver's authorization (a start point of some versions). */
  readonly awaitsAuthorization?: boolean;
  /** parentIdTag of the reservation held, when it names one. */
  readonly reservationGroup: string | undefined;
  isReservedFor(card: { idTag: string; idTokenType?: IdTokenKind; parentIdTag?: string }): boolean;
}

/** Who wants to start: the idTag, and its group once known. */
export interface Starter {
  idTag: string;
  /** Its kind, where known (a reservation for another kind of the same value is not its). */
  idTokenType?: IdTokenKind;
  parentIdTag?: string;
  /** OCPP 2.0.1: the kind of its group's token (a group of another kind with the same value is not its). */
  parentIdTagType?: IdTokenKind;
  /**
   * The group is not known yet (no authorization so far): a connector reserved for a group counts
   * as possibly this idTag's, to be decided once the group is known.
   */
  groupUnknown?: boolean;
  /** OCPP 2.0.1 idTokenInfo.evseId: the only connectors (EVSEs) it may start on (absent: any). */
  evseIds?: readonly number[];
}

/** Statuses a session may start in. */
const STARTABLE: ReadonlySet<ConnectorStatus> = new Set(['Available', 'Preparing', 'Finishing', 'Reserved']);

/** Whether this connector's reservation is (or, with the group unknown, may be) for the starter. */
function reservedFor(c: Choosable, who: Starter): boolean {
  return c.isReservedFor(who) || (who.groupUnknown === true && c.reservationGroup !== undefined);
}

/**
 * A session may start here now: a startable status, no transaction, not reserved for someone else;
 * or a transaction begun at the plug-in awaits its driver (the authorization makes it theirs).
 */
export function usable(c: Choosable, who: Starter): boolean {
  const free = c.awaitsAuthorization === true || (STARTABLE.has(c.status) && !c.hasTransaction && (c.status !== 'Reserved' || reservedFor(c, who)));
  return free && (who.evseIds === undefined || who.evseIds.includes(c.connectorId));
}

/**
 * The connector a session starts on: the given one if it is usable; else the one reserved for
 * this idTag (or its group), else one where a cable waits (Preparing, or a transaction begun at the
 * plug-in awaiting its driver), else a free one (in connector order). Never a connector reserved
 * for someone else.
 */
export function chooseConnector<C extends Choosable>(connectors: readonly C[], who: Starter, connectorId?: number): C | undefined {
  if (connectorId !== undefined) {
    const c = connectors.find((x) => x.connectorId === connectorId);
    return c && usable(c, who) ? c : undefined;
  }
  let preparing: C | undefined;
  let free: C | undefined;
  for (const c of connectors) {
    if (!usable(c, who)) continue;
    if (c.status === 'Reserved' && !c.awaitsAuthorization) return c;
    if (c.status === 'Preparing' || c.awaitsAuthorization) preparing ??= c;
    else free ??= c;
  }
  return preparing ?? free;
}

/**
 * A connector that `who` could start on but for a reservation of someone else (the given one, or
 * any): the reason a start is refused without asking anyone.
 */
export function reservedForOthers<C extends Choosable>(connectors: readonly C[], who: Starter, connectorId?: number): C | undefined {
  return connectors.find((c) => (connectorId === undefined || c.connectorId === connectorId) && c.status === 'Reserved' && !c.hasTransaction && !reservedFor(c, who));
}

/**
 * Whether the group (parentIdTag) of an idTag decides where it may start: some connector is
 * reserved for a group and not for this idTag itself (OCPP 1.6 §3.13: the charger then learns the
 * idTag's parentIdTag from its list or cache, else by an Authorize.req).
 */
export function groupMatters(connectors: readonly Choosable[], idTag: string, idTokenType?: IdTokenKind): boolean {
  return connectors.some((c) => c.status === 'Reserved' && c.reservationGroup !== undefined && !c.isReservedFor({ idTag, ...(idTokenType !== undefined && { idTokenType }) }));
}
