import type { PilotState } from '../index.js';
import { checkCurve, DEFAULT_CHARGING_CURVE, msUntilSoc, socAfter, type ChargeRegime, type ChargingCurve } from './ChargingCurve.js';
import { requireInRange, requirePhases } from './optionChecks.js';

/** What {@link SimulatedEV.setModel} changes: the vehicle model parked at the connector. */
export interface EvModel {
  /** Usable battery capacity, kWh, 0.00001..1000 (tiny values serve accelerated fleets, where energies scale down). */
  batteryKWh: number;
  /** On-board charger limit per phase, A, 6..80. */
  maxCurrentA: number;
  /** Phases the on-board charger uses. */
  phases: 1 | 3;
}

/** Battery capacity bounds, kWh: a fleet at `acceleration: 100000` scales a 1 kWh battery to 0.01 Wh. */
const MIN_BATTERY_KWH = 0.00001;
const MAX_BATTERY_KWH = 1000;

export interface SimulatedEVOptions {
  /** Usable battery capacity, kWh (default 60). */
  batteryKWh?: number;
  /** State of charge at start as a fraction 0..1 (default 0.5). */
  soc?: number;
  /** On-board charger limit per phase, A (default 16). */
  maxCurrentA?: number;
  /** Phases the on-board charger uses (default 3). */
  phases?: 1 | 3;
  /** Rating of the EV's own cable (proximity, A); null for the charger's tethered cable (default). */
  cableRatingA?: number | null;
  /** Battery energy stored per grid energy drawn, (0..1] (default 0.9). */
  efficiency?: number;
  /** Requests charging with ventilation (pilot D instead of C). Default false. */
  ventilation?: boolean;
  curve?: ChargingCurve;
}

/** The connector an EV is plugged into, told about every change the vehicle makes. */
export interface EvLink {
  /** Before a change: book the energy that flowed up to now under the old conditions. */
  sync(): void;
  /** After a change: re-evaluate pilot state, power and the end-of-charge timer. */
  changed(): void;
}

/** What the EV draws under a given supply: the regime to integrate and how it is wired. */
export interface EvDraw {
  readonly regime: ChargeRegime;
  readonly phasesUsed: 1 | 3;
  readonly voltageV: number;
}

// Below this distance from 100 % the battery counts as full (absorbs float rounding at the
// end-of-charge timer, worth 0.06 Wh on a 60 kWh battery).
const FULL_EPSILON = 1e-9;

/**
 * A simulated electric vehicle: battery (capacity, state of charge), on-board charger limit and
 * phases, charging curve, and the control-pilot state it presents. Vocabulary after EVerest's EV
 * simulator (plug in, unplug, pause, set SoC), reimplemented.
 *
 * Behaviour, as a charger sees it:
 * - unplugged → pilot A; plugged → B; once it sees a PWM offer > 0 while not suspended and not
 *   full it requests power → C (D with ventilation). When the offer goes to 0 (or -12 V) it keeps
 *   requesting — C without current (C1), as real EVs do for a while — and does not leave B
 *   without an offer.
 * - draws `min(offer, on-board limit, cable rating)` per phase, less on the taper above the
 *   curve's knee; stops and returns to B when full. {@link suspend} → B while plugged (the
 *   charger reports SuspendedEV); {@link resume} asks again at the next offer > 0.
 * - {@link injectPilotError} shows E (short) or F on the pilot until {@link clearPilotError} or
 *   unplugging; no power flows meanwhile.
 *
 * The EV does not integrate time itself: the connector it is linked to ({@link connectTo}) asks
 * it for its {@link drawFor draw}, charges it with {@link absorb} and is told of every change.
 */
export class SimulatedEV {
  private batteryWh: number;
  private limitA: number;
  private wiredPhases: 1 | 3;
  readonly cableRatingA: number | null;
  readonly efficiency: number;
  readonly curve: ChargingCurve;
  private charge: number;
  private isPlugged = false;
  private paused = false;
  private wantsPower = false;
  private vented: boolean;
  /** A non-compliant on-board charger: asks for and draws power without a PWM offer. */
  private disobeys = false;
  private pilotError: 'E' | 'F' | undefined;
  private link: EvLink | undefined;

  constructor(options: SimulatedEVOptions = {}) {
    const { batteryKWh = 60, soc = 0.5, maxCurrentA = 16, phases = 3, cableRatingA = null, efficiency = 0.9, ventilation = false } = options;
    const curve = options.curve ?? DEFAULT_CHARGING_CURVE;
    checkModel({ batteryKWh, maxCurrentA, phases });
    requireInRange('ev.soc', soc, 0, 1, { hint: 'a fraction, not percent' });
    if (cableRatingA !== null) requireInRange('ev.cableRatingA', cableRatingA, 6, 80);
    requireInRange('ev.efficiency', efficiency, 0.01, 1);
    checkCurve(curve);
    this.batteryWh = batteryKWh * 1000;
    this.charge = soc;
    this.limitA = maxCurrentA;
    this.wiredPhases = phases;
    this.cableRatingA = cableRatingA;
    this.efficiency = efficiency;
    this.curve = curve;
    this.vented = ventilation;
  }

  /** Usable battery capacity, Wh. */
  get capacityWh(): number {
    return this.batteryWh;
  }

  /** On-board charger limit per phase, A. */
  get maxCurrentA(): number {
    return this.limitA;
  }

  /** Phases the on-board charger uses. */
  get phases(): 1 | 3 {
    return this.wiredPhases;
  }

  /**
   * Another vehicle model takes this parking space: battery, on-board charger limit and phases
   * change; state of charge, efficiency, curve and cable stay. Only while unplugged (a charger
   * never sees its EV change under a session): refused with an Error while plugged in, and with a
   * RangeError naming the field for a bad value; nothing changes then.
   */
  setModel(model: EvModel): void {
    if (this.isPlugged) throw new Error('ev.setModel: the EV is plugged in; unplug it before changing its model');
    checkModel(model);
    this.change(() => {
      this.batteryWh = model.batteryKWh * 1000;
      this.limitA = model.maxCurrentA;
      this.wiredPhases = model.phases;
    });
  }

  /** State of charge, fraction 0..1. */
  get soc(): number {
    return this.charge;
  }

  get plugged(): boolean {
    return this.isPlugged;
  }

  get suspended(): boolean {
    return this.paused;
  }

  get full(): boolean {
    return this.charge >= 1;
  }

  /** Whether the EV asks for power now (pilot C/D unless a pilot error is injected). */
  get requesting(): boolean {
    return this.wantsPower;
  }

  /** The pilot state the vehicle presents. */
  get pilotState(): PilotState {
    if (this.pilotError) return this.pilotError;
    if (!this.isPlugged) return 'A';
    if (this.wantsPower) return this.vented ? 'D' : 'C';
    return 'B';
  }

  plugIn(): void {
    if (this.isPlugged) return;
    this.change(() => {
      this.isPlugged = true;
      this.wantsPower = false;
    });
  }

  unplug(): void {
    if (!this.isPlugged) return;
    this.change(() => {
      this.isPlugged = false;
      this.wantsPower = false;
      this.pilotError = undefined;
    });
  }

  /** The vehicle pauses charging (pilot B while plugged). */
  suspend(): void {
    this.change(() => {
      this.paused = true;
      this.wantsPower = false;
    });
  }

  /** The vehicle may charge again; it asks at the next PWM offer > 0. */
  resume(): void {
    this.change(() => {
      this.paused = false;
    });
  }

  /** Sets the state of charge (fraction 0..1), e.g. to start a scenario near full. */
  setSoC(soc: number): void {
    requireInRange('soc', soc, 0, 1, { hint: 'a fraction, not percent' });
    this.change(() => {
      this.charge = soc;
    });
  }

  /**
   * A faulty on-board charger that ignores the PWM: it asks for power (C) and draws its own limit
   * whenever the supply is live, offer or not. Only a contactor that really opens stops it.
   */
  ignorePwm(ignores = true): void {
    this.change(() => {
      this.disobeys = ignores;
    });
  }

  /** Requests ventilation while charging (pilot D instead of C). */
  setVentilation(required: boolean): void {
    this.change(() => {
      this.vented = required;
    });
  }

  /** Vehicle-side pilot error: E (pilot shorted) or F. */
  injectPilotError(state: 'E' | 'F'): void {
    if (state !== 'E' && state !== 'F') throw new RangeError(`pilot error must be E or F; got ${String(state)}`);
    this.change(() => {
      this.pilotError = state;
    });
  }

  clearPilotError(): void {
    this.change(() => {
      this.pilotError = undefined;
    });
  }

  /** Connector side: links the EV to the physics that integrates its charging. */
  connectTo(link: EvLink): void {
    this.link = link;
  }

  /** Connector side: the PWM offer the vehicle sees now (0 = none); decides whether it asks. */
  seeOffer(offerA: number): void {
    const mayCharge = this.isPlugged && !this.paused && !this.full;
    this.wantsPower = mayCharge && (this.wantsPower || offerA > 0 || this.disobeys);
  }

  /** Connector side: what the EV draws from a live supply offering `offerA`, or undefined. */
  drawFor(offerA: number, supply: { voltageV: number; phases: 1 | 3 }): EvDraw | undefined {
    if (!this.wantsPower || this.pilotError || (offerA <= 0 && !this.disobeys)) return undefined;
    const limitA = Math.min(this.disobeys ? Infinity : offerA, this.maxCurrentA, this.cableRatingA ?? Infinity);
    const phasesUsed = Math.min(this.phases, supply.phases) as 1 | 3;
    const regime: ChargeRegime = {
      curve: this.curve,
      limitFraction: limitA / this.maxCurrentA,
      fullPowerW: this.maxCurrentA * supply.voltageV * phasesUsed,
      capacityWh: this.capacityWh,
      efficiency: this.efficiency,
    };
    return { regime, phasesUsed, voltageV: supply.voltageV };
  }

  /** Connector side: charges for `ms` under `regime`; returns the grid energy drawn, Wh. */
  absorb(regime: ChargeRegime, ms: number): number {
    const before = this.charge;
    let after = socAfter(regime, before, ms);
    if (after > 1 - FULL_EPSILON) after = 1;
    this.charge = after;
    return ((after - before) * this.capacityWh) / this.efficiency;
  }

  /** Connector side: ms until full under `regime` (Infinity without power). */
  msUntilFull(regime: ChargeRegime): number {
    return msUntilSoc(regime, this.charge, 1 - FULL_EPSILON);
  }

  private change(mutate: () => void): void {
    this.link?.sync();
    mutate();
    this.link?.changed();
  }
}

function checkModel(model: EvModel): void {
  requireInRange('ev.batteryKWh', model.batteryKWh, MIN_BATTERY_KWH, MAX_BATTERY_KWH);
  requireInRange('ev.maxCurrentA', model.maxCurrentA, 6, 80);
  requirePhases('ev.phases', model.phases);
}
