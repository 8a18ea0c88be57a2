import type { Handler201 } from './Handler201.js';

/** CancelReservation (OCPP 2.0.1 H02): Accepted when a reservation with this id is held here. */
export const cancelReservation: Handler201<'CancelReservation'> = (station, request) => ({ status: station.reservations.cancel(request.reservationId) });
