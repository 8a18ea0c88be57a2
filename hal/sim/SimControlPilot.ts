import { EventEmitter } from 'node:events';
import { HalError, type HalErrorCode } from '../errors.js';
import { dutyCycleForCurrent, type ControlPilot, type PilotEvents, type PilotState } from '../index.js';
import { FaultLatch } from '../FaultLatch.js';

export interface SimControlPilotOptions {
  /** Device name used in errors and logs, e.g. `pilot:1`. */
  id: string;
  /** Highest current this EVSE may offer, A (6..80). */
  maxCurrentA: number;
  /**
   * Called after the EVSE-side output changed (current offer or unavailable), so the physics
   * behind the pilot (the simulated EV) can react. Called synchronously, before the command's
   * promise resolves.
   */
  onOutputChange?: () => void;
}

const PILOT_STATES: readonly PilotState[] = ['A', 'B', 'C', 'D', 'E', 'F'];

/**
 * Simulated IEC 61851-1 control pilot. Implements the {@link ControlPilot} contract.
 *
 * EVSE side (the agent): `setCurrentOffer(a)` — 0 switches PWM off, 6..maxCurrentA switches
 * it on at the IEC duty cycle, anything else rejects with INVALID_ARGUMENT and changes nothing;
 * `setUnavailable(true)` drives -12 V: while it holds, `currentOfferA` is 0 and
 * `dutyCyclePercent` is 0 (constant low), and the offer comes back on `setUnavailable(false)`.
 * Commands confirm at once (the PWM generator has no feedback delay worth simulating); a change
 * of `currentOfferA` emits `offer`.
 *
 * Vehicle side (the simulated EV or a test): {@link setVehicleState} and {@link setProximity}.
 * Entering E or F emits `state` and a PILOT_FAULT `fault` (once); returning to A–D emits
 * `state` and `faultCleared`. On a SimConnector the EV drives these; do not call them there.
 */
export class SimControlPilot extends EventEmitter<PilotEvents> implements ControlPilot {
  readonly id: string;
  readonly maxCurrentA: number;
  private readonly onOutputChange: (() => void) | undefined;
  private readonly faults: FaultLatch;
  private vehicle: PilotState = 'A';
  private offerA = 0;
  private unavailable = false;
  private proximity: number | null = null;
  private closed = false;

  constructor(options: SimControlPilotOptions) {
    super();
    const { id, maxCurrentA, onOutputChange } = options;
    if (!(maxCurrentA >= 6 && maxCurrentA <= 80)) throw new RangeError(`${id}: maxCurrentA must be 6..80 A (got ${maxCurrentA})`);
    this.id = id;
    this.maxCurrentA = maxCurrentA;
    this.onOutputChange = onOutputChange;
    this.faults = new FaultLatch(id, this);
  }

  get state(): PilotState {
    return this.vehicle;
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  get currentOfferA(): number {
    return this.unavailable ? 0 : this.offerA;
  }

  get dutyCyclePercent(): number {
    return this.unavailable ? 0 : dutyCycleForCurrent(this.offerA);
  }

  get proximityRatingA(): number | null {
    return this.proximity;
  }

  get isUnavailable(): boolean {
    return this.unavailable;
  }

  async setCurrentOffer(amps: number): Promise<void> {
    if (this.closed) throw new HalError('DEVICE_CLOSED', this.id);
    const valid = amps === 0 || (Number.isFinite(amps) && amps >= 6 && amps <= this.maxCurrentA);
    if (!valid) throw new HalError('INVALID_ARGUMENT', this.id, `current offer ${amps} A: use 0 or 6..${this.maxCurrentA} A`);
    if (amps === this.offerA) return;
    const before = this.currentOfferA;
    this.offerA = amps;
    this.onOutputChange?.();
    this.offered(before);
  }

  async setUnavailable(unavailable: boolean): Promise<void> {
    if (this.closed) throw new HalError('DEVICE_CLOSED', this.id);
    if (unavailable === this.unavailable) return;
    const before = this.currentOfferA;
    this.unavailable = unavailable;
    this.onOutputChange?.();
    this.offered(before);
  }

  /** Emits `offer` when `currentOfferA` is no longer `before`. */
  private offered(before: number): void {
    if (this.currentOfferA !== before) this.emit('offer', this.currentOfferA, before);
  }

  release(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Vehicle side: the pilot voltage the EV presents now. Ignored once the device is closed. */
  setVehicleState(state: PilotState): void {
    if (!PILOT_STATES.includes(state)) throw new RangeError(`${this.id}: unknown pilot state ${String(state)}`);
    if (this.closed || state === this.vehicle) return;
    const previous = this.vehicle;
    this.vehicle = state;
    this.emit('state', state, previous);
    if (state === 'E' || state === 'F') this.faults.raise('PILOT_FAULT', `pilot state ${state}`);
    else this.faults.clear('PILOT_FAULT');
  }

  /** Vehicle side: the cable's proximity rating in A, or null (no cable / tethered cable). */
  setProximity(ratingA: number | null): void {
    if (ratingA !== null && !(ratingA > 0 && Number.isFinite(ratingA))) {
      throw new RangeError(`${this.id}: proximity rating must be > 0 A or null (got ${ratingA})`);
    }
    if (this.closed || ratingA === this.proximity) return;
    this.proximity = ratingA;
    this.emit('proximity', ratingA);
  }
}
