/**
 * Loads a fleet profile file (YAML or JSON; JSON is YAML) over the default profile, and turns the
 * Fleet's `behaviour` option into what the sessions run ({@link resolveBehaviour}).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { mergeOverDefault, parseProfile, ProfileError, type FleetProfile } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';
import type { ResolvedBehaviour } from './SessionPlanner.js';

/** The Fleet's `behaviour` option. */
export interface FleetBehaviourOptions {
  /** A validated profile ({@link loadProfile}, {@link parseProfile}); default {@link DEFAULT_PROFILE}. */
  profile?: FleetProfile;
  /** Wall-clock idle time of a free connector before an EV arrives, [min, max] ms: overrides the arrivals. */
  idleMs?: [number, number];
  /** Wall-clock charging time, [min, max] ms: overrides sessions.minutes and drops the energy target. */
  chargeMs?: [number, number];
}

/**
 * The simple loop of the first fleet (what `idleMs`/`chargeMs` without a profile mean): RFID
 * starts only, one EV model, no energy target, unplugged right after the stop, no faults.
 */
export const SIMPLE_PROFILE: FleetProfile = {
  ...DEFAULT_PROFILE,
  name: 'simple',
  // The shorthands are wall-clock times; in real time the EV's battery is full size and never
  // ends a long --charge early.
  time: { ...DEFAULT_PROFILE.time, acceleration: 1 },
  // The single EV of the first fleet: 60 kWh, 11 kW, SoC 10–60 %.
  evs: [{ name: 'mid', share: 1, batteryKWh: 60, maxCurrentA: 16, phases: 3, socStart: { min: 0.1, max: 0.6 } }],
  sessions: { minutes: 10, energyKWh: null, dwellMinutes: 0, remoteShare: 0, remotePatienceMinutes: 1, byHour: [] },
  faults: {},
};

export function resolveBehaviour(options: FleetBehaviourOptions = {}): ResolvedBehaviour {
  const simple = options.profile === undefined && (options.idleMs !== undefined || options.chargeMs !== undefined);
  return {
    profile: options.profile ?? (simple ? SIMPLE_PROFILE : DEFAULT_PROFILE),
    ...(options.idleMs && { idleMs: options.idleMs }),
    ...(options.chargeMs && { chargeMs: options.chargeMs }),
  };
}

/** Reads and validates a profile file; throws a {@link ProfileError} naming the file and the fields. */
export async function loadProfile(file: string): Promise<FleetProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ProfileError(file, [{ path: '(file)', message: `cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ProfileError(file, [{ path: '(file)', message: `not YAML or JSON: ${(err as Error).message.split('\n')[0]}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ProfileError(file, [{ path: '(top)', message: 'expected a mapping of profile sections' }]);
  return parseProfile(mergeOverDefault(DEFAULT_PROFILE, raw), file);
}

/** The OCPP keys of charger `k`: the profile's, then those of the group its seeded draw falls into. */
export function ocppForCharger(profile: FleetProfile, draw: number): Record<string, string | number | boolean> {
  let acc = 0;
  for (const g of profile.ocppGroups) {
    acc += g.share;
    if (draw < acc) return { ...profile.ocpp, ...g.ocpp };
  }
  return { ...profile.ocpp };
}
