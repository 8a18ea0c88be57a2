import type { Handler201 } from './Handler201.js';

/**
 * ReserveNow (OCPP 2.0.1 H01): an EVSE of ours, or none (any EVSE, when
 * ReservationCtrlr.NonEvseSpecific); Accepted, or Occupied / Faulted / Unavailable as the EVSEs are.
 */
export const reserveNow: Handler201<'ReserveNow'> = (station, request) => station.reservations.reserve(request);
