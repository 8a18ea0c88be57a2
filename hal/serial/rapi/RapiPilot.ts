/**
 * The control pilot of an OpenEVSE controller, driven over RAPI. Implements {@link ControlPilot}.
 */
import { EventEmitter } from 'node:events';
import { HalError, type HalErrorCode } from '../../errors.js';
import { dutyCycleForCurrent, type ControlPilot, type PilotEvents, type PilotState } from '../../index.js';
import { FaultLatch } from '../../FaultLatch.js';
import type { Clock, TimerId } from '../../clock.js';
import { RAPI_POWERED_STATES, type RapiController, type RapiStatus } from './RapiController.js';
import { RapiHeartbeat, type RapiHeartbeatSettings } from './RapiHeartbeat.js';

/** OpenEVSE EVSE_STATE_xxx codes of the error states, and the HAL fault each one is. */
export const RAPI_ERROR_STATES: Readonly<Record<number, HalErrorCode>> = {
  0x05: 'PILOT_DIODE', // diode check failed
  0x06: 'GROUND_FAULT', // GFCI tripped
  0x07: 'GROUND_FAULT', // no ground
  0x08: 'RELAY_WELDED', // stuck relay: contacts closed while they should be open
  0x09: 'GROUND_FAULT', // GFI self-test failed
  0x0a: 'HIGH_TEMPERATURE',
  0x0b: 'OVER_CURRENT',
  0x0e: 'RELAY_STUCK', // relay closure fault: did not close
};

/** Faults that belong to the contactor view rather than the pilot. */
export const CONTACTOR_FAULTS: ReadonlySet<HalErrorCode> = new Set(['RELAY_WELDED', 'RELAY_STUCK']);

/** OpenEVSE sleeping (PWM off, +12 V steady, relay open) and disabled (-12 V). */
export const RAPI_SLEEPING = 0xfe;
export const RAPI_DISABLED = 0xff;

const PILOT_STATES: Readonly<Record<number, PilotState>> = { 1: 'A', 2: 'B', 3: 'C', 4: 'D' };

/** Back-off between attempts of a start-up step, ms of clock time: doubles from `firstMs` up to `maxMs`. */
export const INIT_RETRY = { firstMs: 250, maxMs: 10_000 } as const;

/** A start-up step that failed and is tried again after `delayMs` (for the owner's log). */
export interface InitRetry {
  step: 'safe state' | 'current range';
  attempt: number;
  delayMs: number;
  error: unknown;
}

/** While the port is away retrying is pointless: the restored port initializes the board again. */
const PORT_GONE = new Set<string>(['PORT_LOST', 'PORT_OPEN_FAILED', 'DEVICE_CLOSED']);

export interface RapiPilotOptions {
  /** Device name, e.g. `pilot:1`. */
  id: string;
  controller: RapiController;
  /** Highest current the installation may offer, A (default: the board's `$GC` hardware maximum). */
  maxCurrentA?: number;
  /** Consecutive unanswered `$GS` polls before PILOT_FAULT (default 3). */
  missedPollsForFault?: number;
  /** Heartbeat supervision of the board ({@link RapiHeartbeat}); without it none is armed. */
  heartbeat?: RapiHeartbeatSettings;
  /** Told of every start-up step that failed and will be tried again (the HAL has no logger). */
  onInitRetry?: (retry: InitRetry) => void;
}

/**
 * ControlPilot over RAPI.
 *
 * - Offer `a` A: `$SC a V` (volatile) then `$FE` (enable: PWM on); offer 0: `$FS` (sleep: PWM off,
 *   pilot +12 V steady). `setUnavailable(true)`: `$FD` (pilot -12 V); `false`: back to the offer.
 *   Commands resolve on the controller's `$OK`; `$NK` to `$SC` rejects INVALID_ARGUMENT. Once
 *   confirmed, a change of `currentOfferA` emits `offer`.
 * - The pilot field of `$GS`/`$AT` (01–04) gives states A–D; any other value (an unreadable
 *   pilot, e.g. shorted to 0 V) is reported as E with PILOT_FAULT.
 * - EVSE error states become faults ({@link RAPI_ERROR_STATES}); while one is active the board
 *   holds the pilot at -12 V, reported as state F. Relay faults are left to {@link RapiContactor}.
 * - `missedPollsForFault` unanswered polls → PILOT_FAULT until the controller answers again.
 * - The port lost (or not opened at start) → PORT_LOST (PORT_OPEN_FAILED). Once it is back, the
 *   board gets what was last asked of it, whether or not that command got through (an offer 0
 *   sent while the port was away must still reach it), then the fault clears.
 * - With `heartbeat`, `init()` arms the board's supervision and pulses it ({@link RapiHeartbeat});
 *   when the board reports a missed pulse (it lowered its offer by itself) the offer is set again.
 * - `init()` puts the board in its safe state first (`$FS`, or `$FD` while unavailable) and reads
 *   it back (`$GS`: no power) before anything else, so a lost or unreadable reply cannot leave the
 *   board to its own auto-start; each step is retried on the clock with a bounded back-off
 *   ({@link INIT_RETRY}) until it is confirmed, unless the port is gone (the restored port
 *   initializes the board again).
 * - The board drawing power it was not told to (see {@link RapiController}): UNCOMMANDED_POWER
 *   until it reports a state without power; then what was last asked of it is sent again.
 */
export class RapiPilot extends EventEmitter<PilotEvents> implements ControlPilot {
  readonly id: string;
  readonly proximityRatingA = null;
  /** The board's heartbeat supervision, when configured. */
  readonly heartbeat: RapiHeartbeat | undefined;
  private readonly controller: RapiController;
  private readonly faults: FaultLatch;
  private readonly missedPollsForFault: number;
  private maxA: number;
  private vehicle: PilotState = 'A';
  private offerA = 0;
  private unavailable = false;
  /** What was last asked for, even if the command failed: re-applied when the port is back. */
  private wanted = { offerA: 0, unavailable: false };
  private initialized = false;
  private configuredMaxA: number | undefined;
  private silent = false;
  private errorFault: HalErrorCode | undefined;
  private released = false;
  private initializing: Promise<void> | undefined;
  private retryTimer: TimerId | undefined;
  private wake: (() => void) | undefined;
  private readonly onInitRetry: ((retry: InitRetry) => void) | undefined;
  private readonly onStatus = (s: RapiStatus): void => this.observe(s);
  private readonly onUncommanded = (active: boolean, s: RapiStatus): void => {
    if (active) return void this.faults.raise('UNCOMMANDED_POWER', `OpenEVSE in state 0${s.evseState.toString(16)} without $FE: disabled ($FD)`);
    this.faults.clear('UNCOMMANDED_POWER');
    // The emergency $FD holds the pilot at -12 V: back to what was asked (asleep, or disabled).
    if (!this.wanted.unavailable && this.wanted.offerA === 0) this.command('FS').catch(() => undefined);
  };
  private readonly onLost = (error: HalError): void => void this.faults.raise(error.code, error.message);
  private readonly onRestored = (): void => {
    const { offerA, unavailable } = this.wanted;
    // Queued at once, ahead of the controller's next poll. A board never initialized (its port
    // was missing at start) reads its range first; init puts it to sleep or disables it, so only
    // an offer is left to send.
    const again = this.initialized
      ? unavailable
        ? this.command('FD')
        : this.apply(offerA)
      : this.init(this.configuredMaxA).then(() => (unavailable || offerA === 0 ? undefined : this.apply(offerA)));
    again
      .then(() => this.settled(offerA, unavailable))
      .catch(() => undefined)
      .finally(() => {
        this.faults.clear('PORT_OPEN_FAILED');
        this.faults.clear('PORT_LOST');
      });
  };
  private readonly onMissed = (n: number): void => {
    if (n >= this.missedPollsForFault) {
      this.silent = true;
      this.faults.raise('PILOT_FAULT', `controller did not answer ${n} polls`);
    }
  };

  constructor(options: RapiPilotOptions) {
    super();
    this.id = options.id;
    this.controller = options.controller;
    this.maxA = options.maxCurrentA ?? 32;
    this.missedPollsForFault = options.missedPollsForFault ?? 3;
    this.faults = new FaultLatch(this.id, (e) => this.emit('fault', e), (c) => this.emit('faultCleared', c));
    this.onInitRetry = options.onInitRetry;
    if (options.heartbeat) {
      this.heartbeat = new RapiHeartbeat({ ...options.heartbeat, clock: this.controller.clock, controller: this.controller, onMissedPulse: () => this.reapplyOffer() });
    }
    this.controller.on('status', this.onStatus);
    this.controller.on('uncommanded', this.onUncommanded);
    this.controller.on('missed', this.onMissed);
    this.controller.on('lost', this.onLost);
    this.controller.on('restored', this.onRestored);
  }

  /**
   * Puts the board to sleep (offer 0; disabled while unavailable) and confirms it, then reads its
   * current range (`$GC`, capped by `configuredMaxA`); see the class comment for the retries.
   * A call while one runs joins it.
   */
  init(configuredMaxA?: number): Promise<void> {
    this.configuredMaxA = configuredMaxA;
    this.initializing ??= this.initSteps(configuredMaxA).finally(() => (this.initializing = undefined));
    return this.initializing;
  }

  private async initSteps(configuredMaxA: number | undefined): Promise<void> {
    await this.retrying('safe state', () => this.confirmSafe());
    await this.retrying('current range', async () => {
      const gc = await this.controller.request('GC');
      const hmax = Number(gc.params[1]);
      if (gc.ok && Number.isFinite(hmax) && hmax >= 6) this.maxA = Math.min(configuredMaxA ?? hmax, hmax, 80);
    });
    this.initialized = true;
    if (this.heartbeat && !this.released) await this.heartbeat.start();
  }

  /** `$FS`/`$FD`, then `$GS` must show a state without power. */
  private async confirmSafe(): Promise<void> {
    const cmd = this.wanted.unavailable ? 'FD' : 'FS';
    await this.command(cmd);
    const status = await this.controller.poll();
    if (!status) throw new HalError('FRAME_ERROR', this.id, `no state read back after $${cmd}`);
    if (RAPI_POWERED_STATES.has(status.evseState)) throw new HalError('UNCOMMANDED_POWER', this.id, `still in state 0${status.evseState.toString(16)} after $${cmd}`);
  }

  private async retrying(step: InitRetry['step'], attempt: () => Promise<void>): Promise<void> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
        if (error instanceof HalError && PORT_GONE.has(error.code)) throw error;
        const delayMs = Math.min(INIT_RETRY.firstMs * 2 ** (n - 1), INIT_RETRY.maxMs);
        this.onInitRetry?.({ step, attempt: n, delayMs, error });
        await this.pause(this.controller.clock, delayMs);
      }
    }
  }

  /** Waits on the clock; release() ends the wait early. */
  private pause(clock: Clock, ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.retryTimer = clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  get state(): PilotState {
    return this.vehicle;
  }
  get currentOfferA(): number {
    return this.unavailable ? 0 : this.offerA;
  }
  get dutyCyclePercent(): number {
    return dutyCycleForCurrent(this.currentOfferA);
  }
  get maxCurrentA(): number {
    return this.maxA;
  }
  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  async setCurrentOffer(amps: number): Promise<void> {
    if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
    if (!(amps === 0 || (amps >= 6 && amps <= this.maxA && Number.isInteger(amps)))) {
      throw new HalError('INVALID_ARGUMENT', this.id, `offer ${amps} A: whole amps 6..${this.maxA} or 0`);
    }
    this.wanted.offerA = amps;
    if (!this.unavailable) await this.apply(amps);
    this.settled(amps, this.unavailable);
  }

  async setUnavailable(unavailable: boolean): Promise<void> {
    if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
    this.wanted.unavailable = unavailable;
    if (unavailable) await this.command('FD');
    else await this.apply(this.offerA);
    this.settled(this.offerA, unavailable);
  }

  /** The board confirmed this offer and availability: take them, and emit `offer` if `currentOfferA` moved. */
  private settled(offerA: number, unavailable: boolean): void {
    const before = this.currentOfferA;
    this.offerA = offerA;
    this.unavailable = unavailable;
    if (this.currentOfferA !== before) this.emit('offer', this.currentOfferA, before);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.heartbeat?.stop();
    this.controller.off('status', this.onStatus);
    this.controller.off('uncommanded', this.onUncommanded);
    this.controller.off('missed', this.onMissed);
    this.controller.clock.clearTimeout(this.retryTimer);
    this.wake?.();
    this.controller.off('lost', this.onLost);
    this.controller.off('restored', this.onRestored);
  }

  /** The board raised its offer to its maximum (a missed pulse acknowledged): set ours again. */
  private async reapplyOffer(): Promise<void> {
    if (this.released || this.unavailable || this.offerA === 0) return;
    await this.controller.request('SC', [this.offerA, 'V']);
  }

  private async apply(amps: number): Promise<void> {
    if (amps === 0) return this.command('FS');
    const reply = await this.controller.request('SC', [amps, 'V']);
    if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
    if (!reply.ok || Number(reply.params[0]) !== amps) {
      throw new HalError('INVALID_ARGUMENT', this.id, `controller set ${reply.params[0] ?? '?'} A for ${amps} A`);
    }
    await this.command('FE');
  }

  private async command(cmd: string): Promise<void> {
    const reply = await this.controller.request(cmd);
    if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
    if (!reply.ok) throw new HalError('FRAME_ERROR', this.id, `controller refused $${cmd}`);
  }

  private observe({ evseState, pilotState }: RapiStatus): void {
    if (this.released) return;
    this.silent = false;
    const fault = RAPI_ERROR_STATES[evseState];
    const pilotFault = fault && !CONTACTOR_FAULTS.has(fault) ? fault : undefined;
    if (this.errorFault && this.errorFault !== pilotFault) this.faults.clear(this.errorFault);
    this.errorFault = pilotFault;
    if (pilotFault) this.faults.raise(pilotFault, `OpenEVSE state 0x${evseState.toString(16)}`);
    const next: PilotState = fault && evseState !== 0x05 ? 'F' : (PILOT_STATES[pilotState] ?? 'E');
    if (next !== this.vehicle) {
      const previous = this.vehicle;
      this.vehicle = next;
      this.emit('state', next, previous);
    }
    if (next === 'E' || next === 'F') this.faults.raise('PILOT_FAULT', `pilot state ${next}`);
    else if (!this.silent) this.faults.clear('PILOT_FAULT');
  }
}
