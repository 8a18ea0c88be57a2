/**
 * What this charger keeps of one driver, found by their identifier (and its kind, where the version
 * tells kinds apart), and the erasing of it: OCPP 2.0.1 CustomerInformation (N09 report, N10 clear),
 * for privacy law requests. Version-neutral; the 2.0.1 face sends the lines in
 * NotifyCustomerInformation.
 *
 * Kept and reported: the authorization cache entry (erased on clear), the local authorization list
 * entry (never erased here: only the CSMS changes the list, with SendLocalList, N10.FR.02/03), a
 * reservation held for the identifier and a transaction it runs (both kept: the CSMS ends a
 * reservation with CancelReservation, and a transaction's messages are kept until the CSMS has
 * them). The usage records (`evse run`'s session history) name a driver by a hash of the
 * identifier: the sessions found by it are reported, and on clear the hash is erased from the
 * ended ones (a running one keeps it until it has ended). The display's language and price of a
 * session go with its end.
 */
import type { AuthorizationCache, IdTagInfo } from '../auth/AuthorizationCache.js';
import type { IdTokenKind } from '../auth/idToken.js';
import type { LocalAuthList } from '../auth/LocalAuthList.js';
import type { ConnectorController } from '../charging/ConnectorController.js';
import type { SessionRecord } from '../store/usageTypes.js';

/** The usage records that name drivers by a hash of their identifier (agent/store/SessionHistory.ts behind it). */
export interface DriverUsageRecords {
  /** The sessions of the driver with this identifier, ended and running; with `erase`, the identifier erased from the ended ones first. */
  sessionsOf(idTag: string, erase: boolean): Promise<{ complete: SessionRecord[]; open: SessionRecord[] }>;
}

export interface CustomerDataSources {
  authCache: Pick<AuthorizationCache, 'describe' | 'forget' | 'flush'>;
  localAuthList: Pick<LocalAuthList, 'get' | 'version'>;
  connectors: readonly Pick<ConnectorController, 'connectorId' | 'reservation'>[];
  /** The transaction running on a connector: whose identifier, since when. */
  transactionOn(connectorId: number): { idTag: string; startedAt: number } | undefined;
  /** Usage records, where kept. */
  usage?: DriverUsageRecords | undefined;
}

export interface Customer {
  idTag: string;
  /** Its kind (2.0.1 IdTokenEnumType); without it, every entry of that value matches. */
  type?: IdTokenKind;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const infoText = (info: IdTagInfo): string =>
  [`status ${info.status}`, info.expiryDate && `valid until ${info.expiryDate}`, info.parentIdTag && `group ${info.parentIdTag}`, info.evseIds && `EVSEs ${info.evseIds.join(', ')}`].filter(Boolean).join(', ');
const sameKind = (a: IdTokenKind | undefined, b: IdTokenKind | undefined): boolean => a === undefined || b === undefined || a === b;

/**
 * One line per thing kept of the customer (none: nothing is kept); with `clear`, what can be erased
 * is erased (on disk before this resolves) and each line says what became of it.
 */
export async function customerData(s: CustomerDataSources, who: Customer, clear: boolean): Promise<string[]> {
  const lines: string[] = [];
  const cached = s.authCache.describe(who.idTag, who.type);
  if (cached) {
    const use = `stored ${iso(cached.added)}, last used ${iso(cached.used)}, used ${cached.uses} times`;
    lines.push(`Authorization cache: ${infoText(cached.info)}; ${use}${clear ? ' (erased)' : ''}`);
    if (clear) {
      s.authCache.forget(who.idTag, who.type);
      await s.authCache.flush();
    }
  }
  const listed = s.localAuthList.get(who.idTag, who.type);
  if (listed) lines.push(`Local authorization list (version ${s.localAuthList.version}): ${infoText(listed)}${clear ? ' (kept: the CSMS changes the list with SendLocalList)' : ''}`);
  for (const c of s.connectors) {
    const r = c.reservation;
    if (r && r.idTag === who.idTag && sameKind(r.idTokenType, who.type)) {
      lines.push(`Reservation ${r.reservationId} on EVSE ${c.connectorId}, made ${iso(r.reservedAt)}, until ${iso(r.expiresAt)}${clear ? ' (kept: CancelReservation ends it)' : ''}`);
    }
    const tx = s.transactionOn(c.connectorId);
    if (tx && tx.idTag === who.idTag) {
      lines.push(`Transaction on EVSE ${c.connectorId} since ${iso(tx.startedAt)}${clear ? ' (kept until it has ended and the CSMS has its messages)' : ''}`);
    }
  }
  if (s.usage) {
    const { complete, open } = await s.usage.sessionsOf(who.idTag, clear);
    for (const r of complete) lines.push(`Usage record: session on EVSE ${r.connectorId} from ${iso(r.startedAt)}${r.stoppedAt !== undefined ? ` to ${iso(r.stoppedAt)}` : ''}, ${Math.round(r.energyWh ?? 0)} Wh${clear ? ' (identifier erased)' : ''}`);
    for (const r of open) lines.push(`Usage record: session on EVSE ${r.connectorId} since ${iso(r.startedAt)}${clear ? ' (kept while it runs)' : ''}`);
  }
  return lines;
}
