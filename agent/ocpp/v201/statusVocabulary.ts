/**
 * The shared status vocabulary (agent/ocpp16/vocabulary.ts, what the connector machines report) in
 * OCPP 2.0.1 words. 2.0.1 reports a connector's availability only (ConnectorStatusEnumType); the
 * 1.6 session phases (Preparing … Finishing) are all "Occupied" there, and what they told is told
 * by TransactionEvent instead. Authorization statuses map the other way, into the shared words.
 */
import type { IdTagInfo } from '../../auth/AuthorizationCache.js';
import type { LocalListUpdate } from '../../auth/LocalAuthList.js';
import type { ConnectorStatus } from '../../ocpp16/vocabulary.js';
import type { ConnectorStatusEnumType, IdTokenInfoType, SendLocalListRequest } from '../../ocpp201/messages.js';

const CONNECTOR_STATUS: Readonly<Record<ConnectorStatus, ConnectorStatusEnumType>> = {
  Available: 'Available',
  Preparing: 'Occupied',
  Charging: 'Occupied',
  SuspendedEV: 'Occupied',
  SuspendedEVSE: 'Occupied',
  Finishing: 'Occupied',
  Reserved: 'Reserved',
  Unavailable: 'Unavailable',
  Faulted: 'Faulted',
};

export function connectorStatus201(status: ConnectorStatus): ConnectorStatusEnumType {
  return CONNECTOR_STATUS[status];
}

/** 2.0.1 authorization statuses that 1.6 has no word for all mean "not allowed here": Invalid. */
export { idTagStatus16 } from '../../auth/idToken.js';

/**
 * A 2.0.1 SendLocalList in the shared list's words: each idToken with its kind, its idTokenInfo
 * whole (the statuses 1.6 lacks kept as they are, cacheExpiryDateTime, the group with its kind, the
 * EVSEs it is limited to).
 */
export function localListUpdate(request: SendLocalListRequest): LocalListUpdate {
  return {
    listVersion: request.versionNumber,
    updateType: request.updateType,
    ...(request.localAuthorizationList && {
      localAuthorizationList: request.localAuthorizationList.map(({ idToken, idTokenInfo }) => ({
        idTag: idToken.idToken,
        idTokenType: idToken.type,
        ...(idTokenInfo && { idTagInfo: tokenInfo(idTokenInfo) }),
      })),
    }),
  };
}

/** An idTokenInfo in the shared words (what the cache and the list keep). */
export function tokenInfo(info: IdTokenInfoType): IdTagInfo {
  return {
    status: info.status,
    ...(info.cacheExpiryDateTime !== undefined && { expiryDate: info.cacheExpiryDateTime }),
    ...(info.groupIdToken !== undefined && { parentIdTag: info.groupIdToken.idToken, parentIdTagType: info.groupIdToken.type }),
    ...(info.evseId !== undefined && { evseIds: [...info.evseId] }),
  };
}
