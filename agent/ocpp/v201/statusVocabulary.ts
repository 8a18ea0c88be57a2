/**
 * The shared status vocabulary (agent/ocpp16/vocabulary.ts, what the connector machines report) in
 * OCPP 2.0.1 words. 2.0.1 reports a connector's availability only (ConnectorStatusEnumType); the
 * 1.6 session phases (Preparing … Finishing) are all "Occupied" there, and what they told is told
 * by TransactionEvent instead. Authorization statuses map the other way, into the shared words.
 */
import type { ConnectorStatus, IdTagStatus } from '../../ocpp16/vocabulary.js';
import type { SendLocalListRequest as SendLocalList16 } from '../../ocpp16/messages.js';
import type { AuthorizationStatusEnumType, ConnectorStatusEnumType, SendLocalListRequest } from '../../ocpp201/messages.js';

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
export function idTagStatus16(status: AuthorizationStatusEnumType): IdTagStatus {
  return status === 'Accepted' || status === 'Blocked' || status === 'Expired' || status === 'ConcurrentTx' ? status : 'Invalid';
}

/** A 2.0.1 SendLocalList in the shared list's (1.6) words: idToken → idTag, idTokenInfo → idTagInfo. */
export function localList16(request: SendLocalListRequest): SendLocalList16 {
  return {
    listVersion: request.versionNumber,
    updateType: request.updateType,
    ...(request.localAuthorizationList && {
      localAuthorizationList: request.localAuthorizationList.map(({ idToken, idTokenInfo }) => ({
        idTag: idToken.idToken,
        ...(idTokenInfo && {
          idTagInfo: {
            status: idTagStatus16(idTokenInfo.status),
            ...(idTokenInfo.cacheExpiryDateTime !== undefined && { expiryDate: idTokenInfo.cacheExpiryDateTime }),
            ...(idTokenInfo.groupIdToken !== undefined && { parentIdTag: idTokenInfo.groupIdToken.idToken }),
          },
        }),
      })),
    }),
  };
}
