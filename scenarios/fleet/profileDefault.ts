/**
 * The default fleet profile: a public/workplace AC site. On weekdays arrivals peak at 7–9 h and
 * 17–19 h and are rare at night; on Saturdays and Sundays there are no commute peaks, only a broad
 * midday one. Sessions last 2 h (median; 8 h at p90) or until 12 kWh (median; 35 kWh at p90) are
 * in the battery, and the EV stays plugged in for 15 min (median) after charging; EVs arriving in
 * the evening or at night (18–6 h) charge and stay longer, as at home; midday arrivals (11–15 h)
 * are short stops. 30 % of sessions are started remotely (app); faults are rare. The fleet starts
 * on Monday at 08:00, in the morning peak, and runs one profile hour every 10 s (a day in 4 min),
 * so 20 chargers show their first transactions within seconds; set `time.acceleration: 1` for
 * real time (config/fleet/rush.yaml, faulty.yaml and steady.yaml do).
 *
 * The EV mix: the on-board charger decides AC power. Most current European EVs charge at 11 kW
 * (3 × 16 A); small and older EVs and plug-in hybrids at 3.7 kW (1 × 16 A); a few offer 22 kW
 * (3 × 32 A). `mid` is the single EV of earlier versions (60 kWh, 11 kW, SoC 10–60 %): a profile
 * with `evs: [{name: mid, share: 1, …}]` behaves as they did.
 * config/fleet/default.yaml holds the same profile as a file to copy (a test keeps the two equal).
 */
import type { FleetProfile } from './profile.js';

export const DEFAULT_PROFILE: FleetProfile = {
  name: 'default',
  // A busy weekday morning, one profile hour every 10 s: a first run shows sessions within seconds.
  time: { startHour: 8, startDay: 'mon', acceleration: 360 },
  arrivals: {
    // prettier-ignore
    perHour: [0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.12, 0.3, 0.4, 0.3, 0.22, 0.2, 0.22, 0.22, 0.2, 0.22, 0.28, 0.38, 0.4, 0.32, 0.22, 0.15, 0.1, 0.05],
    weekend: { baseline: 0.03, peaks: [{ hour: 13, perHour: 0.2, widthHours: 3 }] },
  },
  charger: { ventilation: false },
  evs: [
    { name: 'city', share: 0.25, batteryKWh: 35, maxCurrentA: 16, phases: 1, socStart: { min: 0.1, max: 0.7 } },
    { name: 'mid', share: 0.6, batteryKWh: 60, maxCurrentA: 16, phases: 3, socStart: { min: 0.1, max: 0.6 } },
    { name: 'large', share: 0.15, batteryKWh: 90, maxCurrentA: 32, phases: 3, socStart: { min: 0.15, max: 0.6 } },
  ],
  sessions: {
    minutes: { median: 120, p90: 480, min: 10, max: 720 },
    energyKWh: { median: 12, p90: 35, min: 2, max: 80 },
    dwellMinutes: { median: 15, p90: 90, max: 480 },
    remoteShare: 0.3,
    remotePatienceMinutes: 3,
    byHour: [
      {
        from: 18,
        to: 6,
        minutes: { median: 300, p90: 600, min: 30, max: 720 },
        energyKWh: { median: 18, p90: 40, min: 4, max: 80 },
        dwellMinutes: { median: 180, p90: 540, max: 720 },
      },
      { from: 11, to: 15, minutes: { median: 60, p90: 150, min: 10, max: 300 }, energyKWh: { median: 7, p90: 18, min: 2, max: 50 }, dwellMinutes: { median: 10, p90: 30, max: 120 } },
    ],
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
  sites: [],
};
