import type { Handler201 } from './Handler201.js';

/**
 * Reset (OCPP 2.0.1 B11/B12): the whole station (it restarts), or one EVSE (`evseId`: that EVSE
 * alone is reset, its transaction ended first; an EVSE this station does not have is Rejected with
 * reasonCode UnknownEvse).
 */
export const reset: Handler201<'Reset'> = (station, request) => {
  const { evseId } = request;
  if (evseId === undefined) return { status: station.reset(request.type) };
  if (!(Number.isInteger(evseId) && evseId >= 1 && evseId <= station.evseCount)) {
    return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse', additionalInfo: `this station has EVSEs 1 to ${station.evseCount}` } };
  }
  return { status: station.resetEvse(request.type, evseId) };
};
