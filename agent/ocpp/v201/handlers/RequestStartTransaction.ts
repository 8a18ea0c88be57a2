import type { Handler201 } from './Handler201.js';

/**
 * RequestStartTransaction (OCPP 2.0.1 F01/F02): an evseId, when given, must be one of ours; the
 * station decides the rest (authorization per AuthCtrlr.AuthorizeRemoteStart, availability). Its
 * remoteStartId is carried by the TransactionEvent Started of the session it begins.
 */
export const requestStartTransaction: Handler201<'RequestStartTransaction'> = async (station, request) => {
  const { evseId } = request;
  if (evseId !== undefined && !(Number.isInteger(evseId) && evseId >= 1 && evseId <= station.evseCount)) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
  return { status: await station.remoteStart(request) };
};
