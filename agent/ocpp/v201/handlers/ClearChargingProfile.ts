import type { Handler201 } from './Handler201.js';

/** ClearChargingProfile (OCPP 2.0.1 K10): removes the matching profiles; Unknown when none matched. Answered once durable. */
export const clearChargingProfile: Handler201<'ClearChargingProfile'> = async (station, request) => ({
  status: station.smartCharging ? await station.smartCharging.clear(request) : 'Unknown',
});
