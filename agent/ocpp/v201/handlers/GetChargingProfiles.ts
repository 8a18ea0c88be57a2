import type { Handler201 } from './Handler201.js';

/** GetChargingProfiles (OCPP 2.0.1 K09): Accepted, then the matching profiles in ReportChargingProfiles; NoProfiles when none match. */
export const getChargingProfiles: Handler201<'GetChargingProfiles'> = (station, request) => ({
  status: station.smartCharging ? station.smartCharging.report(request) : 'NoProfiles',
});
