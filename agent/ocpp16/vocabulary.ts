/**
 * The OCPP 1.6J words the rest of the agent shares: a connector's status, why a transaction
 * stopped, what became of an idTag. Taken from the message types generated from the 1.6 schemas
 * (messages.ts), so the connector machine, the journal, the transaction sender and the
 * authorizer all speak the schema's words and cannot drift from it.
 *
 * agent/ocpp16/ is the OCPP 1.6J vocabulary: these words, the message types and the
 * configuration key table. It imports nothing else of the agent, so store/, charging/,
 * transactions/ and ocpp/ (the link) can all use it without importing each other.
 */
import type { AuthorizeResponse, StatusNotificationRequest, StopTransactionRequest } from './messages.js';

/** OCPP 1.6 ChargePointStatus values a connector can have. */
export type ConnectorStatus = StatusNotificationRequest['status'];

/** OCPP 1.6 StopTransaction reasons. */
export type StopReason = NonNullable<StopTransactionRequest['reason']>;

/** OCPP 1.6 idTagInfo.status. */
export type IdTagStatus = AuthorizeResponse['idTagInfo']['status'];

const STATUSES = [
  'Available',
  'Preparing',
  'Charging',
  'SuspendedEV',
  'SuspendedEVSE',
  'Finishing',
  'Reserved',
  'Unavailable',
  'Faulted',
] as const satisfies readonly ConnectorStatus[];

// A status the schema has and the list lacks fails the build here.
const everyStatusListed: [Exclude<ConnectorStatus, (typeof STATUSES)[number]>] extends [never] ? true : never = true;
void everyStatusListed;

/** Every {@link ConnectorStatus}, in the order of the 1.6 specification. */
export const CONNECTOR_STATUSES: readonly ConnectorStatus[] = STATUSES;
