import type { Handler201 } from './Handler201.js';

/**
 * Reset (OCPP 2.0.1 B11/B12). This charger restarts as a whole: a Reset of one EVSE is Rejected
 * (B11.FR.10 lets a station that cannot reset an EVSE alone refuse it).
 */
export const reset: Handler201<'Reset'> = (station, request) => {
  if (request.evseId !== undefined) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: 'only the whole station resets' } };
  return { status: station.reset(request.type) };
};
