/**
 * How a simulated EV battery accepts charge, and the exact integration of state of charge over
 * time under a constant supply limit.
 *
 * The battery accepts the on-board charger's full current up to `kneeSoc`, then linearly less,
 * down to `floorFraction` of it at 100 %. The grid power drawn is
 * `P(s) = fullPowerW · min(limitFraction, accepted(s))`, and `ds/dt = P(s) · efficiency / capacity`.
 * On the taper that ODE is linear in s, so it has a closed form (an exponential approach):
 * integrating in one step is exact for any interval, and a fleet of EVs needs no stepping timers.
 */

export interface ChargingCurve {
  /** SoC (0..1) up to which the battery accepts the on-board charger's full current. */
  readonly kneeSoc: number;
  /** Fraction (0..1] of full current still accepted at 100 % SoC; > 0, so "full" is reached. */
  readonly floorFraction: number;
}

export const DEFAULT_CHARGING_CURVE: ChargingCurve = Object.freeze({ kneeSoc: 0.8, floorFraction: 0.1 });

/** Constant conditions of one charging interval. */
export interface ChargeRegime {
  readonly curve: ChargingCurve;
  /** Supply limit (offer, cable) as a fraction of the on-board charger's maximum current, (0..1]. */
  readonly limitFraction: number;
  /** Grid power at the on-board charger's maximum current on the phases in use, W. */
  readonly fullPowerW: number;
  /** Usable battery capacity, Wh. */
  readonly capacityWh: number;
  /** Battery energy stored per grid energy drawn, (0..1]. */
  readonly efficiency: number;
}

/** Throws a RangeError naming the bad field. */
export function checkCurve(curve: ChargingCurve): void {
  if (!(curve.kneeSoc > 0 && curve.kneeSoc < 1)) throw new RangeError(`curve.kneeSoc must be in (0, 1) (got ${curve.kneeSoc})`);
  if (!(curve.floorFraction > 0 && curve.floorFraction <= 1)) {
    throw new RangeError(`curve.floorFraction must be in (0, 1] (got ${curve.floorFraction})`);
  }
}

function slope(curve: ChargingCurve): number {
  return (1 - curve.floorFraction) / (1 - curve.kneeSoc);
}

/** Fraction (floor..1) of the on-board charger's maximum current the battery accepts at `soc`. */
export function acceptedFraction(curve: ChargingCurve, soc: number): number {
  if (soc <= curve.kneeSoc) return 1;
  return 1 - slope(curve) * (Math.min(soc, 1) - curve.kneeSoc);
}

/** Grid power drawn at `soc`, W (0 once full). */
export function powerAt(regime: ChargeRegime, soc: number): number {
  if (soc >= 1) return 0;
  return regime.fullPowerW * Math.min(regime.limitFraction, acceptedFraction(regime.curve, soc));
}

/** SoC change per ms at full current. */
function rate(regime: ChargeRegime): number {
  return (regime.fullPowerW * regime.efficiency) / (regime.capacityWh * 3_600_000);
}

/** SoC above which the battery, not the supply limit, sets the current (may be >= 1: never). */
function taperStart(regime: ChargeRegime): number {
  const { curve, limitFraction } = regime;
  if (limitFraction >= 1) return curve.kneeSoc;
  const a = slope(curve);
  return a === 0 ? Infinity : curve.kneeSoc + (1 - limitFraction) / a;
}

/** State of charge after charging `ms` from `soc` under `regime` (exact; capped at 1). */
export function socAfter(regime: ChargeRegime, soc: number, ms: number): number {
  if (ms <= 0 || soc >= 1 || regime.limitFraction <= 0) return soc;
  const r = rate(regime);
  const start = taperStart(regime);
  let s = soc;
  let left = ms;
  if (s < start) {
    const flat = r * regime.limitFraction;
    const toStart = (Math.min(start, 1) - s) / flat;
    if (left <= toStart) return Math.min(1, s + flat * left);
    if (start >= 1) return 1;
    s = start;
    left -= toStart;
  }
  const { kneeSoc } = regime.curve;
  const a = slope(regime.curve);
  const u = acceptedFraction(regime.curve, s) * Math.exp(-a * r * left);
  return Math.min(1, kneeSoc + (1 - u) / a);
}

/** Milliseconds of charging under `regime` to go from `soc` to `target` (Infinity without power). */
export function msUntilSoc(regime: ChargeRegime, soc: number, target: number): number {
  if (soc >= target) return 0;
  if (regime.limitFraction <= 0 || regime.fullPowerW <= 0) return Infinity;
  const r = rate(regime);
  const start = taperStart(regime);
  let s = soc;
  let ms = 0;
  if (s < start) {
    const end = Math.min(start, target);
    ms += (end - s) / (r * regime.limitFraction);
    s = end;
    if (s >= target) return ms;
  }
  const a = slope(regime.curve);
  const u0 = acceptedFraction(regime.curve, s);
  const uT = acceptedFraction(regime.curve, target);
  return ms + Math.log(u0 / uT) / (a * r);
}
