import type { Clock, TimerId } from '../clock.js';
import type { ConnectorHardware, VehicleInfo } from '../index.js';
import { powerAt } from './ChargingCurve.js';
import type { MeterFlow, MeterSource } from './MeterSource.js';
import { SimConnectorLock } from './SimConnectorLock.js';
import { SimControlPilot } from './SimControlPilot.js';
import { SimMeter } from './SimMeter.js';
import { SimRelay } from './SimRelay.js';
import { SimTemperatureSensor } from './SimTemperatureSensor.js';
import type { EvDraw, EvLink, SimulatedEV } from './SimulatedEV.js';

export interface SimConnectorOptions {
  /** OCPP connectorId, 1-based. */
  connectorId: number;
  clock: Clock;
  /** The vehicle parked at this connector (plugged in or not). */
  ev: SimulatedEV;
  /** Hardware rating of the connector, A (6..80). */
  maxCurrentA: number;
  /** Phases wired to the connector. */
  phases: 1 | 3;
  /** Line-to-neutral supply voltage, V. */
  voltageV: number;
  frequencyHz: number;
  /** Prefix for device ids (e.g. `cp42/` → `cp42/relay:1`). */
  idPrefix?: string;
  /** Relay timing, see {@link SimRelay}; defaults: confirms at once, 200 ms deadline. */
  relay?: { actuationDelayMs?: number; deadlineMs?: number };
  /** Meter import register at start, Wh. */
  meterEnergyWh?: number;
  /** A cable fixed to the charger: no socket, so no lock (default false: a socket with a cable lock). */
  tetheredCable?: boolean;
  /** A temperature sensor in the EVSE reading this many °C at start (default: none fitted). */
  temperatureC?: number;
}

/**
 * One simulated connector: contactor, meter, control pilot and lock wired to a simulated EV.
 *
 * Power flows only while the contactor is confirmed closed, the pilot reads C or D and the PWM
 * offer is > 0; the EV then draws `min(offer, on-board limit, cable)` A per phase, less on its
 * taper. Energy is integrated exactly over the injected clock in pieces: every change (relay
 * state, offer, anything the EV does) and every meter sample first books the energy of the
 * elapsed piece under the conditions that held during it, then re-evaluates. The meter's
 * register rises by that energy and the EV's SoC by the same energy times its efficiency;
 * the meter's current follows from P = V·I·phases.
 *
 * While charging, one clock timer is armed for the moment the battery becomes full (re-armed on
 * every change), when the EV stops and returns to pilot B. No intervals: a fleet of 10,000
 * connectors costs 10,000 entries in the clock's queue at most.
 */
export class SimConnector implements ConnectorHardware, EvLink, MeterSource, VehicleInfo {
  readonly connectorId: number;
  readonly relay: SimRelay;
  readonly meter: SimMeter;
  readonly pilot: SimControlPilot;
  /** The socket's cable lock; none with a tethered cable. */
  readonly lock: SimConnectorLock | undefined;
  /** The EVSE's temperature sensor; none unless `temperatureC` was given. */
  readonly temperature: SimTemperatureSensor | undefined;
  readonly ev: SimulatedEV;
  private readonly clock: Clock;
  private readonly supply: { voltageV: number; phases: 1 | 3 };
  private draw: EvDraw | undefined;
  private lastAt: number;
  private pendingWh = 0;
  private fullTimer: TimerId | undefined;
  private updating = false;
  private again = false;
  private closed = false;

  constructor(options: SimConnectorOptions) {
    const { connectorId, clock, ev, maxCurrentA, phases, voltageV, frequencyHz, idPrefix = '' } = options;
    this.connectorId = connectorId;
    this.clock = clock;
    this.ev = ev;
    this.supply = { voltageV, phases };
    this.lastAt = clock.now();
    this.relay = new SimRelay({ id: `${idPrefix}relay:${connectorId}`, clock, ...options.relay, onConductingChange: () => this.update() });
    this.meter = new SimMeter({
      id: `${idPrefix}meter:${connectorId}`,
      clock,
      phases,
      voltageV,
      frequencyHz,
      initialEnergyWh: options.meterEnergyWh ?? 0,
      source: this,
    });
    this.pilot = new SimControlPilot({ id: `${idPrefix}pilot:${connectorId}`, maxCurrentA, onOutputChange: () => this.update() });
    if (!options.tetheredCable) this.lock = new SimConnectorLock({ id: `${idPrefix}lock:${connectorId}` });
    if (options.temperatureC !== undefined) this.temperature = new SimTemperatureSensor({ id: `${idPrefix}temperature:${connectorId}`, celsius: options.temperatureC });
    // Registered before anyone else can listen, so the physics is current when the agent hears.
    this.relay.on('state', () => this.update());
    ev.connectTo(this);
    this.update();
  }

  /** Power flowing now, W (what the meter would read). Brings the physics up to the clock first. */
  get powerW(): number {
    this.integrate();
    return this.draw ? powerAt(this.draw.regime, this.ev.soc) : 0;
  }

  /** The simulated EV reports its state of charge (as an ISO 15118 vehicle would); the connector is its own {@link VehicleInfo}. */
  get vehicle(): VehicleInfo {
    return this;
  }

  /** {@link VehicleInfo}: the plugged-in EV's SoC, brought up to the clock first. */
  get socPercent(): number | undefined {
    if (!this.ev.plugged) return undefined;
    this.integrate();
    return this.ev.soc * 100;
  }

  /** Releases every device and the end-of-charge timer. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.integrate();
    this.closed = true;
    this.draw = undefined;
    this.clock.clearTimeout(this.fullTimer);
    this.fullTimer = undefined;
    await Promise.all([this.relay.release(), this.meter.release(), this.pilot.release(), this.lock?.release(), this.temperature?.release()]);
  }

  /** Books the energy of the piece since the last call under the draw that held during it. */
  private integrate(): void {
    const now = this.clock.now();
    const elapsed = now - this.lastAt;
    this.lastAt = now;
    if (elapsed > 0 && this.draw && !this.closed) this.pendingWh += this.ev.absorb(this.draw.regime, elapsed);
  }

  /** {@link EvLink}: the EV is about to change; book the energy so far. (The connector is its own link and meter source: no closures per connector.) */
  sync(): void {
    this.integrate();
  }

  /** {@link EvLink}: the EV changed; re-evaluate. */
  changed(): void {
    this.update();
  }

  /** {@link MeterSource}: the energy since the previous take and the power now. */
  take(): MeterFlow {
    this.integrate();
    const energyWh = this.pendingWh;
    this.pendingWh = 0;
    return { energyWh, powerW: this.draw ? powerAt(this.draw.regime, this.ev.soc) : 0, phasesUsed: this.draw?.phasesUsed ?? this.supply.phases };
  }

  // Re-entrant calls (a listener of the pilot's `state` event changing the offer synchronously)
  // are folded into another pass of the running update instead of nesting.
  private update(): void {
    if (this.closed) return;
    if (this.updating) {
      this.again = true;
      return;
    }
    this.updating = true;
    try {
      do {
        this.again = false;
        this.integrate();
        this.evaluate();
      } while (this.again);
    } finally {
      this.updating = false;
    }
  }

  private evaluate(): void {
    const { ev, pilot } = this;
    const offerA = pilot.currentOfferA;
    ev.seeOffer(offerA);
    pilot.setProximity(ev.plugged ? ev.cableRatingA : null);
    pilot.setVehicleState(ev.pilotState);
    const energized = this.relay.conducting && (pilot.state === 'C' || pilot.state === 'D');
    this.draw = energized ? ev.drawFor(offerA, this.supply) : undefined;
    this.clock.clearTimeout(this.fullTimer);
    this.fullTimer = undefined;
    if (this.draw) {
      const ms = ev.msUntilFull(this.draw.regime);
      // At least 1 ms, so float rounding at the very end cannot re-arm at the same instant forever.
      if (Number.isFinite(ms)) this.fullTimer = this.clock.setTimeout(() => this.update(), Math.max(1, Math.ceil(ms)));
    }
  }
}
