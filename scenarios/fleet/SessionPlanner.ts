/**
 * Seeded plans for the sessions and faults of one charger under a {@link FleetProfile}: when the
 * next EV arrives at a free connector (a Poisson process whose rate follows the hour of day and,
 * on Saturdays and Sundays, the weekend rates; sampled by thinning), how it starts (RFID or
 * remote), which EV model it is and its state of charge, how long it may charge, the energy it
 * wants, how long it stays plugged in afterwards (the distributions of the `sessions.byHour`
 * window of its arrival hour, if any); and when each kind of fault strikes. Every draw comes from
 * the charger's own random stream in a fixed order, so the same seed, charger and times give the
 * same plan. Profile time runs `acceleration` times faster than the wall clock; the plans are in
 * wall-clock ms, and energies (target and battery) are divided by the acceleration like times.
 */
import { WEEKDAYS, type Arrivals, type DailyArrivals, type Distribution, type FaultKind, type FleetProfile, type SessionWindow, type Weekday } from './profile.js';
import { uniformBetween } from '../seededRandom.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** z of the 90th percentile of the standard normal distribution. */
const Z90 = 1.2815515655446004;
/** Thinning gives up (no arrival) after this much profile time without one; the caller asks again later. */
export const ARRIVAL_HORIZON_MS = 7 * DAY_MS;

/** The EV model of a session as the simulated EV takes it (`SimulatedEV.setModel`); battery in wall-clock kWh. */
export interface PlannedEv {
  readonly name: string;
  /** Profile kWh / acceleration: the battery fills in the profile time it would take. */
  readonly batteryKWh: number;
  readonly maxCurrentA: number;
  readonly phases: 1 | 3;
  /** Asks for ventilation while charging (pilot D). */
  readonly ventilation: boolean;
}

export interface SessionPlan {
  /** Wall ms from now until the EV plugs in. */
  arriveInMs: number;
  kind: 'rfid' | 'remote';
  ev: PlannedEv;
  /** State of charge when it plugs in, 0..1. */
  socStart: number;
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

/** Arrivals per free connector per profile hour of one kind of day at hour `h` (any real; taken mod 24). */
export function arrivalRate(a: DailyArrivals, h: number): number {
  const hour = ((h % 24) + 24) % 24;
  if ('perHour' in a) return a.perHour[Math.floor(hour)] ?? 0;
  let rate = a.baseline;
  for (const p of a.peaks) {
    const d = Math.min(Math.abs(hour - p.hour), 24 - Math.abs(hour - p.hour));
    rate += p.perHour * Math.exp(-(d * d) / (2 * p.widthHours * p.widthHours));
  }
  return rate;
}

function maxRate(a: DailyArrivals): number {
  return 'perHour' in a ? Math.max(0, ...a.perHour) : a.baseline + a.peaks.reduce((n, p) => n + p.perHour, 0);
}

/** Day of the week `hours` profile hours after midnight of `startDay`. */
export function dayAfter(startDay: Weekday, hours: number): Weekday {
  const i = WEEKDAYS.indexOf(startDay) + Math.floor(hours / 24);
  return WEEKDAYS[((i % 7) + 7) % 7]!;
}

/** The rates in force on `day`: the weekend's on Saturday and Sunday when the profile has them. */
export function arrivalsOn(a: Arrivals, day: Weekday): DailyArrivals {
  return a.weekend && (day === 'sat' || day === 'sun') ? a.weekend : a;
}

/** The `byHour` window that holds hour of day `h`, if any. */
export function windowAt(windows: readonly SessionWindow[], h: number): SessionWindow | undefined {
  return windows.find((w) => (w.from < w.to ? h >= w.from && h < w.to : h >= w.from || h < w.to));
}

/** Each profile's models in wall-clock terms, made once per profile (not per charger). */
const plannedEvs = new WeakMap<FleetProfile, PlannedEv[]>();
function evsOf(profile: FleetProfile): PlannedEv[] {
  let evs = plannedEvs.get(profile);
  if (!evs) {
    const a = profile.time.acceleration;
    evs = profile.evs.map((ev) => Object.freeze({ name: ev.name, batteryKWh: ev.batteryKWh / a, maxCurrentA: ev.maxCurrentA, phases: ev.phases, ventilation: ev.ventilation === true }));
    plannedEvs.set(profile, evs);
  }
  return evs;
}

export class SessionPlanner {
  private readonly acceleration: number;
  private readonly lambdaMax: number;

  constructor(
    private readonly behaviour: ResolvedBehaviour,
    private readonly random: () => number,
    /** Wall-clock ms at which profile time is `time.startHour` of `time.startDay`. */
    private readonly epochMs: number,
  ) {
    const { time, arrivals } = behaviour.profile;
    this.acceleration = time.acceleration;
    this.lambdaMax = Math.max(maxRate(arrivals), arrivals.weekend ? maxRate(arrivals.weekend) : 0);
  }

  /** Profile hours at wall time `wallMs`, counted from midnight of the start day. */
  profileHoursAt(wallMs: number): number {
    return this.behaviour.profile.time.startHour + ((wallMs - this.epochMs) * this.acceleration) / HOUR_MS;
  }

  /** Profile hour of day at wall time `wallMs`. */
  hourAt(wallMs: number): number {
    return ((this.profileHoursAt(wallMs) % 24) + 24) % 24;
  }

  /** Profile day of the week at wall time `wallMs`. */
  dayAt(wallMs: number): Weekday {
    return dayAfter(this.behaviour.profile.time.startDay, this.profileHoursAt(wallMs));
  }

  private wall(profileMs: number): number {
    return profileMs / this.acceleration;
  }

  /** Arrivals per free connector per profile hour, `hours` after midnight of the start day. */
  private rateAt(hours: number): number {
    const { arrivals, time } = this.behaviour.profile;
    return arrivalRate(arrivalsOn(arrivals, dayAfter(time.startDay, hours)), hours);
  }

  /** Wall ms from `nowMs` to the next arrival at a free connector, or undefined if none within {@link ARRIVAL_HORIZON_MS} of profile time. */
  nextArrivalInMs(nowMs: number): number | undefined {
    if (this.behaviour.idleMs) return uniformBetween(this.random, ...this.behaviour.idleMs);
    if (this.lambdaMax <= 0) return undefined;
    const startH = this.profileHoursAt(nowMs);
    let h = 0;
    // Bounded: each step advances by an exponential gap of mean 1/λmax hours.
    for (let i = 0; i < 100_000 && h * HOUR_MS < ARRIVAL_HORIZON_MS; i++) {
      h += -Math.log(1 - this.random()) / this.lambdaMax;
      if (this.random() * this.lambdaMax < this.rateAt(startH + h)) return this.wall(h * HOUR_MS);
    }
    return undefined;
  }

  /** The next session of a free connector, drawn from `nowMs` on. */
  next(nowMs: number): SessionPlan | undefined {
    const arriveInMs = this.nextArrivalInMs(nowMs);
    if (arriveInMs === undefined) return undefined;
    const { sessions: s, evs } = this.behaviour.profile;
    const kind = this.random() < s.remoteShare ? 'remote' : 'rfid';
    const pick = this.random();
    let model = evs.length - 1;
    for (let i = 0, acc = 0; i < evs.length - 1; i++) if (pick < (acc += evs[i]!.share)) {
      model = i;
      break;
    }
    const socStart = Math.min(1, sample(evs[model]!.socStart, this.random));
    const w = windowAt(s.byHour, this.hourAt(nowMs + arriveInMs));
    const minutes = w?.minutes ?? s.minutes;
    const energyKWh = w?.energyKWh !== undefined ? w.energyKWh : s.energyKWh;
    const chargeMs = this.behaviour.chargeMs ? uniformBetween(this.random, ...this.behaviour.chargeMs) : this.wall(sample(minutes, this.random) * 60_000);
    const energy = energyKWh === null || this.behaviour.chargeMs ? undefined : sample(energyKWh, this.random);
    return {
      arriveInMs,
      kind,
      ev: evsOf(this.behaviour.profile)[model]!,
      socStart,
      chargeMs,
      energyWh: energy === undefined ? undefined : (energy * 1000) / this.acceleration,
      dwellMs: this.wall(sample(w?.dwellMinutes ?? s.dwellMinutes, this.random) * 60_000),
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
