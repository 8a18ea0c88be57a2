import type { Handler } from './Handler.js';

/** CancelReservation (OCPP 1.6 §5.1): Accepted when a reservation with this id exists here. */
export const cancelReservation: Handler<'CancelReservation'> = (control, request) => ({
  status: control.cancelReservation(request.reservationId),
});
