import { invalidTimeIn, profileFrom16 } from '../chargingProfile16.js';
import type { Handler } from './Handler.js';
import { isConnector } from './Handler.js';

/**
 * RemoteStartTransaction (OCPP 1.6 §5.11). A connectorId, when given, must be one of ours (the
 * spec requires > 0); the charge point decides the rest (authorization per
 * AuthorizeRemoteTxRequests, connector availability). Refused while not Accepted: the link does that.
 * A chargingProfile must be a TxProfile without a transactionId (§5.11); it becomes the TxProfile of
 * the session started, in force before the contactor closes.
 */
export const remoteStartTransaction: Handler<'RemoteStartTransaction'> = async (control, request) => {
  if (request.connectorId !== undefined && !isConnector(control, request.connectorId)) return { status: 'Rejected' };
  const p = request.chargingProfile;
  if (p === undefined) return { status: await control.remoteStart(request) };
  const problem = !control.chargingLimits
    ? 'SmartCharging is not supported'
    : p.chargingProfilePurpose !== 'TxProfile'
      ? 'its chargingProfile is not a TxProfile'
      : p.transactionId !== undefined
        ? 'its chargingProfile names a transactionId'
        : invalidTimeIn(p);
  if (problem !== undefined) {
    control.log.info({ idTag: request.idTag, profileId: p.chargingProfileId }, `remote start rejected: ${problem}`);
    return { status: 'Rejected' };
  }
  return { status: await control.remoteStart(request, profileFrom16(p, request.connectorId ?? 0)) };
};
