/**
 * Seeded plans for the sessions and faults of one charger under a {@link FleetProfile}: when the
 * next EV arrives at a free connector (a Poisson process whose rate follows the hour of day,
 * sampled by thinning), how it starts (RFID or remote), how long it may charge, the energy it
 * wants, how long it stays plugged in afterwards; and when each kind of fault strikes. Every draw
 * comes from the charger's own random stream in a fixed order, so the same seed, charger and
 * times give the same plan. Profile time runs `acceleration` times faster than the wall clock;
 * the plans are in wall-clock ms.
 */
import type { Arrivals, Distribution, FaultKind, FleetProfile } from './profile.js';
import { uniformBetween } from '../seededRandom.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** z of the 90th percentile of the standard normal distribution. */
const Z90 = 1.2815515655446004;
/** Thinning gives up (no arrival) after this much profile time without one; the caller asks again later. */
export const ARRIVAL_HORIZON_MS = 7 * DAY_MS;

export interface SessionPlan {
  /** Wall ms from now until the EV plugs in. */
  arriveInMs: number;
  kind: 'rfid' | 'remote';
  /** Longest the EV charges, wall ms. */
  chargeMs: number;
  /** Grid energy the EV wants, Wh on the wall clock (profile kWh / acceleration), or undefined: no target. */
  energyWh: number | undefined;
  /** Plugged in after charging ended, wall ms. */
  dwellMs: number;
  /** How long the driver waits for the transaction to start, wall ms. */
  patienceMs: number;
}

/** What the behaviour runs: a validated profile, plus the CLI's shorthands in wall-clock ms. */
export interface ResolvedBehaviour {
  profile: FleetProfile;
  /** Overrides the arrivals: a free connector waits a uniform time in this range. */
  idleMs?: [number, number];
  /** Overrides sessions.minutes with a uniform wall-clock range and drops the energy target. */
  chargeMs?: [number, number];
}

/** Draws one value of a distribution (units as given). */
export function sample(d: Distribution, random: () => number): number {
  if (typeof d === 'number') return d;
  if (!('median' in d)) return uniformBetween(random, d.min, d.max);
  const sigma = Math.log(d.p90 / d.median) / Z90;
  // Box–Muller; 1 - u keeps log() away from 0.
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const v = d.median * Math.exp(sigma * z);
  return Math.min(d.max ?? Infinity, Math.max(d.min ?? 0, v));
}

/** Arrivals per free connector per profile hour at profile hour `h` (any real; taken mod 24). */
export function arrivalRate(a: Arrivals, h: number): number {
  const hour = ((h % 24) + 24) % 24;
  if ('perHour' in a) return a.perHour[Math.floor(hour)] ?? 0;
  let rate = a.baseline;
  for (const p of a.peaks) {
    const d = Math.min(Math.abs(hour - p.hour), 24 - Math.abs(hour - p.hour));
    rate += p.perHour * Math.exp(-(d * d) / (2 * p.widthHours * p.widthHours));
  }
  return rate;
}

function maxRate(a: Arrivals): number {
  return 'perHour' in a ? Math.max(0, ...a.perHour) : a.baseline + a.peaks.reduce((n, p) => n + p.perHour, 0);
}

export class SessionPlanner {
  private readonly acceleration: number;
  private readonly lambdaMax: number;

  constructor(
    private readonly behaviour: ResolvedBehaviour,
    private readonly random: () => number,
    /** Wall-clock ms at which profile time is `time.startHour`. */
    private readonly epochMs: number,
  ) {
    this.acceleration = behaviour.profile.time.acceleration;
    this.lambdaMax = maxRate(behaviour.profile.arrivals);
  }

  /** Profile hour of day at wall time `wallMs`. */
  hourAt(wallMs: number): number {
    return (this.behaviour.profile.time.startHour + ((wallMs - this.epochMs) * this.acceleration) / HOUR_MS) % 24;
  }

  private wall(profileMs: number): number {
    return profileMs / this.acceleration;
  }

  /** Wall ms from `nowMs` to the next arrival at a free connector, or undefined if none within {@link ARRIVAL_HORIZON_MS} of profile time. */
  nextArrivalInMs(nowMs: number): number | undefined {
    if (this.behaviour.idleMs) return uniformBetween(this.random, ...this.behaviour.idleMs);
    if (this.lambdaMax <= 0) return undefined;
    const arrivals = this.behaviour.profile.arrivals;
    const startH = this.hourAt(nowMs);
    let h = 0;
    // Bounded: each step advances by an exponential gap of mean 1/λmax hours.
    for (let i = 0; i < 100_000 && h * HOUR_MS < ARRIVAL_HORIZON_MS; i++) {
      h += -Math.log(1 - this.random()) / this.lambdaMax;
      if (this.random() * this.lambdaMax < arrivalRate(arrivals, startH + h)) return this.wall(h * HOUR_MS);
    }
    return undefined;
  }

  /** The next session of a free connector, drawn from `nowMs` on. */
  next(nowMs: number): SessionPlan | undefined {
    const arriveInMs = this.nextArrivalInMs(nowMs);
    if (arriveInMs === undefined) return undefined;
    const s = this.behaviour.profile.sessions;
    const kind = this.random() < s.remoteShare ? 'remote' : 'rfid';
    const chargeMs = this.behaviour.chargeMs ? uniformBetween(this.random, ...this.behaviour.chargeMs) : this.wall(sample(s.minutes, this.random) * 60_000);
    const energy = s.energyKWh === null || this.behaviour.chargeMs ? undefined : sample(s.energyKWh, this.random);
    return {
      arriveInMs,
      kind,
      chargeMs,
      energyWh: energy === undefined ? undefined : (energy * 1000) / this.acceleration,
      dwellMs: this.wall(sample(s.dwellMinutes, this.random) * 60_000),
      patienceMs: this.wall(s.remotePatienceMinutes * 60_000),
    };
  }
}

export interface FaultPlan {
  kind: FaultKind;
  /** Wall ms until it strikes. */
  inMs: number;
  /** Wall ms it lasts (Infinity: for the rest of the run). */
  forMs: number;
}

/** Seeded fault times of one charger: each kind is its own Poisson process in profile days. */
export class FaultPlanner {
  constructor(
    private readonly profile: FleetProfile,
    private readonly random: () => number,
  ) {}

  /** Kinds with a rate above zero, in a fixed order. */
  kinds(): FaultKind[] {
    return (Object.keys(this.profile.faults) as FaultKind[]).filter((k) => (this.profile.faults[k]?.perDay ?? 0) > 0).sort();
  }

  next(kind: FaultKind): FaultPlan {
    const rate = this.profile.faults[kind]!;
    const a = this.profile.time.acceleration;
    const inMs = ((-Math.log(1 - this.random()) / rate.perDay) * DAY_MS) / a;
    const forMs = kind === 'relayWeld' ? Infinity : (sample(rate.minutes ?? 10, this.random) * 60_000) / a;
    return { kind, inMs, forMs };
  }
}
