import type { Handler201 } from './Handler201.js';

/**
 * GetCompositeSchedule (OCPP 2.0.1 K08): the schedule the EVSE will follow from now for `duration`
 * seconds in the unit asked (default A), the profiles capped by the local limit, the cable and the
 * hardware; EVSE 0: the station's maximum. An EVSE that is not ours is Rejected.
 */
export const getCompositeSchedule: Handler201<'GetCompositeSchedule'> = (station, request) => {
  const schedule = station.smartCharging?.composite(request.evseId, request.duration, request.chargingRateUnit ?? 'A');
  return schedule ? { status: 'Accepted', schedule } : { status: 'Rejected', statusInfo: { reasonCode: station.smartCharging ? 'UnknownEvse' : 'UnsupportedRequest' } };
};
