import type { Handler201 } from './Handler201.js';

/**
 * ChangeAvailability (OCPP 2.0.1 G03/G04): no evse means the whole station; an EVSE, or its one
 * connector, that is not ours is Rejected. Scheduled while a transaction runs there.
 */
export const changeAvailability: Handler201<'ChangeAvailability'> = (station, request) => {
  const evse = request.evse;
  const operative = request.operationalStatus === 'Operative';
  if (!evse) return { status: station.changeAvailability(0, operative) };
  const known = Number.isInteger(evse.id) && evse.id >= 1 && evse.id <= station.evseCount && (evse.connectorId === undefined || evse.connectorId === 1);
  if (!known) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
  return { status: station.changeAvailability(evse.id, operative) };
};
