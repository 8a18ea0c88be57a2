/** The rules a charging profile must follow here, from the SmartCharging configuration keys (OCPP 1.6 §9.4). */
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { RateUnit } from './chargingProfile.js';
import type { ProfileRules } from './ChargingProfileStore.js';

const UNITS: Record<string, RateUnit> = { Current: 'A', Power: 'W' };

export function profileRules(config: OcppConfiguration, connectorCount: number): ProfileRules {
  return {
    maxStackLevel: config.getInt('ChargeProfileMaxStackLevel'),
    maxPeriods: config.getInt('ChargingScheduleMaxPeriods'),
    maxProfiles: config.getInt('MaxChargingProfilesInstalled'),
    units: config.getList('ChargingScheduleAllowedChargingRateUnit').flatMap((u) => (UNITS[u] ? [UNITS[u]] : [])),
    connectorCount,
  };
}
