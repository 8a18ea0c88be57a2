import type { Handler } from './Handler.js';
import { isConnector } from './Handler.js';

/**
 * RemoteStartTransaction (OCPP 1.6 §5.11). A connectorId, when given, must be one of ours (the
 * spec requires > 0); the charge point decides the rest (authorization per
 * AuthorizeRemoteTxRequests, connector availability). Refused while not Accepted: the link does that.
 */
export const remoteStartTransaction: Handler<'RemoteStartTransaction'> = async (control, request) => {
  if (request.connectorId !== undefined && !isConnector(control, request.connectorId)) return { status: 'Rejected' };
  return { status: await control.remoteStart(request) };
};
