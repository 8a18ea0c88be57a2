/**
 * What an identifier is, beside its value: the kind of token the driver (or whoever asked for the
 * session) presented. OCPP 1.6 knows only the value (idTag); OCPP 2.0.1 names the kind
 * (IdTokenEnumType) and tells two tokens with the same value and different kinds apart. The shared
 * services carry the kind along with every idTag; the 1.6 face leaves it out.
 *
 * Where the kind comes from:
 * - a card reader: ISO14443 (ISO15693 when the reader says the card is one, {@link cardTokenType});
 * - a CSMS remote start: the request's own type;
 * - MQTT, the fleet control API: the type the request states, else {@link DEFAULT_REQUEST_TOKEN_TYPE};
 * - NoAuthorization: a session that needs no authorization (a start button, free vend): never asked
 *   of the CSMS, never cached or listed (OCPP 2.0.1: its idToken is empty).
 */
import type { CardTechnology } from '../../hal/index.js';
import type { IdTagStatus } from '../ocpp16/vocabulary.js';
import type { AuthorizationStatusEnumType, IdTokenEnumType } from '../ocpp201/messages.js';

/** The kind of an identifier (OCPP 2.0.1 IdTokenEnumType). */
export type IdTokenKind = IdTokenEnumType;

export const ID_TOKEN_KINDS: readonly IdTokenKind[] = Object.freeze(['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization']);

const KINDS: ReadonlySet<string> = new Set(ID_TOKEN_KINDS);

export function isIdTokenKind(v: unknown): v is IdTokenKind {
  return typeof v === 'string' && KINDS.has(v);
}

/**
 * The kind of a start asked for over MQTT or the fleet control API that does not state one: an id
 * made up on this side of the CSMS (OCPP 2.0.1 "Local: a locally generated id").
 */
export const DEFAULT_REQUEST_TOKEN_TYPE: IdTokenKind = 'Local';

/**
 * The kind of an identifier that carries none: a card's UID. Also what stored entries written
 * before kinds were kept (1.6 idTags, and the 2.0.1 face's cards then) are read as.
 */
export const UNTYPED_TOKEN_KIND: IdTokenKind = 'ISO14443';

/** The idToken kind of a card read by a reader (ISO 15693 vicinity cards apart, a card's UID is ISO14443). */
export function cardTokenType(technology: CardTechnology): IdTokenKind {
  return technology === 'ISO15693' ? 'ISO15693' : 'ISO14443';
}

/** An authorization status: 1.6's and the ones only 2.0.1 has (OCPP 2.0.1 AuthorizationStatusEnumType). */
export type TokenStatus = AuthorizationStatusEnumType;

const STATUSES: ReadonlySet<string> = new Set<TokenStatus>(['Accepted', 'Blocked', 'ConcurrentTx', 'Expired', 'Invalid', 'NoCredit', 'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown']);

export function isTokenStatus(v: unknown): v is TokenStatus {
  return typeof v === 'string' && STATUSES.has(v);
}

/** A status in 1.6 words: the ones 1.6 has no word for all mean "not allowed here", Invalid. */
export function idTagStatus16(status: TokenStatus): IdTagStatus {
  return status === 'Accepted' || status === 'Blocked' || status === 'Expired' || status === 'ConcurrentTx' ? status : 'Invalid';
}

/**
 * The key an identifier is stored under: its value alone while kinds are not told apart (1.6), else
 * its kind and value (2.0.1: the same value with another kind is another token).
 */
export function tokenKey(idTag: string, type: IdTokenKind | undefined, typed: boolean): string {
  return typed ? `${type ?? UNTYPED_TOKEN_KIND}\u0000${idTag}` : idTag;
}
