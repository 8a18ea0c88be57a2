import type { Handler } from './Handler.js';
import { isConnectorOrCharger } from './Handler.js';

/**
 * ReserveNow (OCPP 1.6 §5.13): connectorId 0 reserves any connector and is only allowed when
 * ReserveConnectorZeroSupported is true; an id that is not ours is Rejected.
 */
export const reserveNow: Handler<'ReserveNow'> = (control, request) => {
  if (!isConnectorOrCharger(control, request.connectorId)) return { status: 'Rejected' };
  if (request.connectorId === 0 && !control.config.getBool('ReserveConnectorZeroSupported')) return { status: 'Rejected' };
  return { status: control.reserveNow(request) };
};
