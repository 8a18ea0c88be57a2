import { compositeTo16 } from '../chargingProfile16.js';
import type { Handler } from './Handler.js';
import { isConnectorOrCharger } from './Handler.js';

/**
 * GetCompositeSchedule (OCPP 1.6 §5.7): the schedule the charger will follow on the connector from
 * now for `duration` seconds, in the unit asked (default A): the charging profiles capped by the
 * local limit, the cable and the hardware maximum. Connector 0: the ChargePointMax profiles.
 */
export const getCompositeSchedule: Handler<'GetCompositeSchedule'> = (control, request) => {
  const limits = control.chargingLimits;
  if (!limits || !isConnectorOrCharger(control, request.connectorId)) return { status: 'Rejected' };
  const schedule = limits.composite(request.connectorId, request.duration, request.chargingRateUnit ?? 'A');
  return schedule ? compositeTo16(request.connectorId, schedule) : { status: 'Rejected' };
};
