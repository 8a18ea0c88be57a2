/**
 * The default fleet profile: a public/workplace AC site on a weekday. Arrivals peak at 7–9 h and
 * 17–19 h and are rare at night; sessions last 2 h (median; 8 h at p90) or until 12 kWh (median;
 * 35 kWh at p90) are in the battery; the EV stays plugged in for 15 min (median) after charging;
 * 30 % of sessions are started remotely (app); faults are rare. config/fleet/default.yaml holds
 * the same profile as a file to copy (a test keeps the two equal).
 */
import type { FleetProfile } from './profile.js';

export const DEFAULT_PROFILE: FleetProfile = {
  name: 'default',
  time: { startHour: 0, acceleration: 1 },
  arrivals: {
    // prettier-ignore
    perHour: [0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.12, 0.3, 0.4, 0.3, 0.22, 0.2, 0.22, 0.22, 0.2, 0.22, 0.28, 0.38, 0.4, 0.32, 0.22, 0.15, 0.1, 0.05],
  },
  sessions: {
    minutes: { median: 120, p90: 480, min: 10, max: 720 },
    energyKWh: { median: 12, p90: 35, min: 2, max: 80 },
    dwellMinutes: { median: 15, p90: 90, max: 480 },
    remoteShare: 0.3,
    remotePatienceMinutes: 3,
  },
  faults: {
    meterTimeout: { perDay: 0.02, minutes: { min: 2, max: 30 } },
    relayStuck: { perDay: 0.005, minutes: { min: 30, max: 240 } },
    relayWeld: { perDay: 0.0005 },
    pilotError: { perDay: 0.01, minutes: { min: 1, max: 10 } },
    lockJam: { perDay: 0.002, minutes: { min: 10, max: 60 } },
    networkOutage: { perDay: 0.05, minutes: { median: 5, p90: 30 } },
  },
  ocpp: { MeterValueSampleInterval: 60 },
  ocppGroups: [],
};
