import type { Handler } from './Handler.js';
import { isConnectorOrCharger } from './Handler.js';

/**
 * ChangeAvailability (OCPP 1.6 §5.2): connectorId 0 means the whole charger; an id that is not
 * ours is Rejected. Scheduled when a transaction runs (decided by the charge point).
 */
export const changeAvailability: Handler<'ChangeAvailability'> = (control, request) => {
  if (!isConnectorOrCharger(control, request.connectorId)) return { status: 'Rejected' };
  return { status: control.changeAvailability(request.connectorId, request.type === 'Operative') };
};
