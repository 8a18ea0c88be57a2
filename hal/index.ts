/**
 * The hardware abstraction layer: the device interfaces the agent drives. No implementation here.
 *
 * Conventions every device follows:
 * - **Commands are async** and resolve only once the hardware has *confirmed* the new state
 *   (mirror contact, read-back). A command that cannot be confirmed within its deadline rejects
 *   with a {@link HalError} and the device also emits `fault`.
 * - **Events report confirmed hardware state** and are typed (Node `EventEmitter<Events>`).
 *   `fault` is emitted when a device enters a fault, `faultCleared` when that fault has gone
 *   (only for recoverable faults). A device never emits `fault` twice for the same code without
 *   a `faultCleared` in between.
 * - `release()` frees the device (port, timers); afterwards commands reject with DEVICE_CLOSED.
 *   (Not `close()`: on a relay that word is the contactor command.)
 * - Devices never call `Date.now()`/`setTimeout`: they are given a {@link Clock}.
 *
 * Simulated twins live in `hal/sim/`, serial drivers in `hal/serial/`; both pass the contract
 * suites in `hal/contract/`.
 */
import type { EventEmitter } from 'node:events';
import type { HalError, HalErrorCode } from './errors.js';

export type { Clock, TimerId } from './clock.js';
export { HalError, HAL_ERRORS, isHalError } from './errors.js';
export type { HalErrorCode, OcppFaultCode } from './errors.js';

/** Events every device can emit. */
export interface FaultEvents {
  /** The device entered a fault. */
  fault: [error: HalError];
  /** A recoverable fault with this code has cleared. */
  faultCleared: [code: HalErrorCode];
}

/** Common surface of every device. */
export interface Device {
  /** Stable name used in logs and errors, e.g. `relay:1`. */
  readonly id: string;
  /** Codes of the faults currently active on this device. */
  readonly activeFaults: ReadonlySet<HalErrorCode>;
  /** Releases the device (port, timers). Idempotent; does not move any actuator. */
  release(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Contactor
// ---------------------------------------------------------------------------------------------

export type RelayState = 'open' | 'closed';

export interface RelayEvents extends FaultEvents {
  /** The confirmed contactor state changed (after feedback, never on the command alone). */
  state: [state: RelayState];
}

/**
 * The power contactor of one connector.
 *
 * - `close()` resolves once the feedback contact confirms *closed*; if it does not within
 *   `deadlineMs`, the relay is commanded open again, `close()` rejects with RELAY_STUCK and
 *   `fault` is emitted.
 * - `open()` resolves once feedback confirms *open*; if it does not within the deadline (or the
 *   feedback reports closed later while commanded open), it rejects with RELAY_WELDED
 *   (not recoverable) and `fault` is emitted. Callers treat a welded contactor as unsafe.
 * - `open()` is always allowed, also while faulted; `close()` rejects while a fault is active.
 * - Feedback reporting closed while the relay is commanded open and no command is under way (the
 *   contacts closed by themselves, or a board switched on its own) is commanded open again at once
 *   and reported as UNCOMMANDED_POWER, which clears once open is confirmed; if it does not open
 *   within the deadline, RELAY_WELDED follows.
 * - A contactor whose feedback the driver polls over a bus (ModbusRelay) counts the deadline from
 *   the moment the board took the command, and decides STUCK / WELDED on a reading taken after the
 *   deadline: a late answer on a busy bus delays the verdict, it never invents one. Without any
 *   reading the command fails with RELAY_FEEDBACK_LOST (or PORT_LOST).
 */
export interface Relay extends Device, EventEmitter<RelayEvents> {
  /** Last confirmed state. */
  readonly state: RelayState;
  /** How long a command may take to be confirmed, in ms. */
  readonly deadlineMs: number;
  close(): Promise<void>;
  open(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Energy meter
// ---------------------------------------------------------------------------------------------

/** One consistent snapshot of the meter. Per-phase arrays have one entry per connected phase. */
export interface MeterReading {
  /** Clock time of the reading, epoch ms. */
  timestamp: number;
  /** Import active energy register, Wh (monotonic, never decreases). */
  energyWh: number;
  /** Total active power, W. */
  powerW: number;
  /** Current per phase, A (L1..L3). */
  currentA: number[];
  /** Voltage per phase (line to neutral), V. */
  voltageV: number[];
  /** Supply frequency, Hz. */
  frequencyHz: number;
}

export interface MeterEvents extends FaultEvents {
  /** A reading was taken (by the device's own polling, or by `read()`). */
  reading: [reading: MeterReading];
}

/**
 * The energy meter of one connector.
 * `read()` returns a fresh reading or rejects with METER_TIMEOUT / METER_INVALID (and emits
 * `fault`); the first successful reading after a fault emits `faultCleared`.
 */
export interface EnergyMeter extends Device, EventEmitter<MeterEvents> {
  /** Number of phases wired (1 or 3). */
  readonly phases: 1 | 3;
  read(): Promise<MeterReading>;
  /** The last good reading, if any, without touching the device. */
  readonly lastReading: MeterReading | undefined;
}

// ---------------------------------------------------------------------------------------------
// RFID reader
// ---------------------------------------------------------------------------------------------

/** How a card was read; ISO15693 is a vicinity card (its UID is an 8-byte one, OCPP 2.0.1 idToken type ISO15693). */
export type CardTechnology = 'ISO14443A' | 'ISO14443B' | 'ISO15693' | 'FeliCa' | 'EM4100' | 'unknown';

export interface CardEvent {
  /** Card uid as upper-case hex without separators, e.g. `04A2B3C4D5E6F7`. */
  uid: string;
  technology: CardTechnology;
  /** Clock time of the tap, epoch ms. */
  timestamp: number;
}

export interface RfidEvents extends FaultEvents {
  /**
   * A card was presented. A card held on the reader is one event (debounced); presenting it
   * again after removal is a new event. Unreadable frames never produce a card event.
   */
  card: [card: CardEvent];
}

export interface RfidReader extends Device, EventEmitter<RfidEvents> {}

// ---------------------------------------------------------------------------------------------
// Control pilot (IEC 61851-1)
// ---------------------------------------------------------------------------------------------

/**
 * Pilot states seen from the EVSE: A no vehicle, B connected, C charging requested,
 * D charging with ventilation requested, E pilot shorted / no supply, F EVSE error (-12 V).
 */
export type PilotState = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

export interface PilotEvents extends FaultEvents {
  /** The vehicle-side pilot state changed. */
  state: [state: PilotState, previous: PilotState];
  /** The cable's proximity (PP) rating changed; `null` when no cable / tethered. */
  proximity: [ratingA: number | null];
  /**
   * `currentOfferA` changed (an offer confirmed by the hardware, PWM off, or unavailable / back):
   * once per change, after the value is in effect; not for a command that changes nothing.
   */
  offer: [amps: number, previous: number];
}

/**
 * The control pilot of one connector: reads the vehicle's state and offers it a current.
 *
 * - `setCurrentOffer(a)` with 6..80 A switches the PWM on at the IEC 61851 duty cycle for `a`;
 *   `setCurrentOffer(0)` switches PWM off (state B1/C1: "no power available now").
 *   Values between 0 and 6 or above `maxCurrentA` reject with INVALID_ARGUMENT.
 * - `setUnavailable(true)` drives the pilot to -12 V (state F seen by the vehicle: EVSE not
 *   available); `false` returns to +12 V oscillator-off / PWM as offered.
 * - E and F read from the vehicle side are reported as `state` events *and* as a PILOT_FAULT.
 */
export interface ControlPilot extends Device, EventEmitter<PilotEvents> {
  readonly state: PilotState;
  /** Current offered to the vehicle in A; 0 when PWM is off. */
  readonly currentOfferA: number;
  /** PWM duty cycle in percent for the current offer; 100 when off (constant +12/+9 V). */
  readonly dutyCyclePercent: number;
  /** Cable current rating from the proximity contact, or null (no cable / tethered cable). */
  readonly proximityRatingA: number | null;
  /** Highest current this EVSE may offer (hardware rating), A. */
  readonly maxCurrentA: number;
  setCurrentOffer(amps: number): Promise<void>;
  setUnavailable(unavailable: boolean): Promise<void>;
}

/** IEC 61851-1 duty cycle (percent) for a current offer in A. 0 A → PWM off (100 %). */
export function dutyCycleForCurrent(amps: number): number {
  if (amps === 0) return 100;
  if (amps < 6 || amps > 80) throw new RangeError(`current offer ${amps} A outside 6..80 A`);
  return amps <= 51 ? amps / 0.6 : amps / 2.5 + 64;
}

/** Inverse of {@link dutyCycleForCurrent}: current in A the vehicle may draw for a duty cycle. */
export function currentForDutyCycle(percent: number): number {
  if (percent >= 100 || percent < 8) return 0;
  return percent <= 85 ? percent * 0.6 : (percent - 64) * 2.5;
}

// ---------------------------------------------------------------------------------------------
// Connector lock (optional, for sockets without a tethered cable)
// ---------------------------------------------------------------------------------------------

export interface LockEvents extends FaultEvents {
  state: [locked: boolean];
}

/** `lock()`/`unlock()` resolve once the lock's feedback confirms; else LOCK_FAILURE. */
export interface ConnectorLock extends Device, EventEmitter<LockEvents> {
  readonly locked: boolean;
  lock(): Promise<void>;
  unlock(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// What the vehicle tells (optional: ISO 15118 / CHAdeMO; a PWM-only IEC 61851 board learns nothing)
// ---------------------------------------------------------------------------------------------

export interface VehicleInfo {
  /** The EV's state of charge in percent (0..100); undefined while no EV reports it. */
  readonly socPercent: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Temperature (optional)
// ---------------------------------------------------------------------------------------------

export interface TemperatureEvents extends FaultEvents {
  /** A good reading, °C: each one `read()` returns and each one the driver takes on its own. */
  reading: [celsius: number];
}

/**
 * A temperature sensor in a connector's EVSE (OpenEVSE: the board's sensors, `$GP`).
 *
 * - `read()` reads it now and resolves with °C; it rejects with a HalError when no value can be
 *   had (the board does not answer, no sensor is fitted) and `lastCelsius` becomes undefined.
 * - The driver keeps `lastCelsius` fresh on its own (OpenEVSE: a `$GP` every 30 s), emitting
 *   `reading` each time, so the agent can show and sample it without asking.
 * - The board's own over-temperature cut-off is the pilot's HIGH_TEMPERATURE fault, not this device's.
 */
export interface TemperatureSensor extends Device, EventEmitter<TemperatureEvents> {
  /** The last good reading, °C; undefined before the first and after a failed one. */
  readonly lastCelsius: number | undefined;
  read(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Tamper detection and site signalling (optional)
// ---------------------------------------------------------------------------------------------

export interface TamperEvents extends FaultEvents {
  /** The confirmed switch state changed: true = cabinet open / charger tilted. */
  tamper: [active: boolean];
}

/**
 * A cabinet door or tilt switch. `active` is the last confirmed (debounced) state; each change
 * emits one `tamper` event. A switch that cannot be read raises TAMPER_SENSOR_LOST (cleared by the
 * next good reading) and keeps its last confirmed state: the agent decides what an unknown state means.
 */
export interface TamperSensor extends Device, EventEmitter<TamperEvents> {
  readonly active: boolean;
}

/**
 * An output the charger switches to tell the site something: a warning light, a camera trigger.
 * `set()` resolves once the output is written (read back where the hardware allows).
 */
export interface SignalOutput extends Device {
  readonly on: boolean;
  set(on: boolean): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Driver display (optional: a text LCD, a screen)
// ---------------------------------------------------------------------------------------------

/** How urgent a screen is; a display with a coloured backlight shows it (OpenEVSE: `$FB`). */
export type DisplayTone = 'info' | 'action' | 'charging' | 'warning' | 'fault';

/** One screen: text lines already fitted to the display, and optionally a QR code. */
export interface DisplayContent {
  /** Lines from the top: at most `height` of them, each at most `width` characters of the display's charset. */
  readonly lines: readonly string[];
  /** What a QR code encodes (a URL for the driver's phone); ignored by a display without QR codes. */
  readonly qr?: string;
  readonly tone: DisplayTone;
}

export interface DisplayEvents extends FaultEvents {
  /** The display confirmed showing this content (after `show()` or after it redrew it by itself). */
  shown: [content: DisplayContent];
}

/**
 * A display facing the driver. The agent decides what to say and fits it (agent/display/); the
 * device only shows lines.
 *
 * - `show(c)` resolves once the display confirmed every line; lines beyond `height`, longer than
 *   `width`, or with characters outside `charset` reject INVALID_ARGUMENT and show nothing.
 * - A display that loses its link (port lost, no answer) emits `fault`; once back it shows the last
 *   content again by itself (a board that rebooted has lost it), then emits `faultCleared`.
 *   `show()` while faulted rejects with the fault and is remembered as the content to show once back.
 * - `content` is the last content asked for (shown, or to be shown once the display is back).
 */
export interface Display extends Device, EventEmitter<DisplayEvents> {
  /** Characters per line. */
  readonly width: number;
  /** Lines. */
  readonly height: number;
  /** `ascii`: printable ASCII only (a character LCD); `unicode`: any text. */
  readonly charset: 'ascii' | 'unicode';
  /** Whether it can show a QR code. */
  readonly showsQr: boolean;
  /** Connectors this display stands at (OCPP connectorIds); empty: the whole charger. */
  readonly connectors: readonly number[];
  readonly content: DisplayContent | undefined;
  show(content: DisplayContent): Promise<void>;
}

/** Whether `content` fits `display` (the obligation {@link Display.show} checks); the first problem, or undefined. */
export function displayMisfit(display: Pick<Display, 'width' | 'height' | 'charset'>, content: DisplayContent): string | undefined {
  if (content.lines.length > display.height) return `${content.lines.length} lines for a display of ${display.height}`;
  for (const [i, line] of content.lines.entries()) {
    if ([...line].length > display.width) return `line ${i + 1} has ${[...line].length} characters for a width of ${display.width}`;
    if (display.charset === 'ascii' && !/^[\x20-\x7e]*$/.test(line)) return `line ${i + 1} has characters outside printable ASCII`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The hardware of a whole charger
// ---------------------------------------------------------------------------------------------

/** Devices serving one connector (OCPP connectorId >= 1). */
export interface ConnectorHardware {
  /** OCPP connectorId, 1-based. */
  readonly connectorId: number;
  readonly relay: Relay;
  readonly meter: EnergyMeter;
  readonly pilot: ControlPilot;
  readonly lock?: ConnectorLock;
  /** Present only where the hardware hears from the vehicle beyond the pilot (SoC, …). */
  readonly vehicle?: VehicleInfo;
  /** The EVSE's temperature sensor, where fitted. */
  readonly temperature?: TemperatureSensor;
}

/** Everything the agent is given: one entry per connector, plus the card reader(s). */
export interface ChargerHardware {
  readonly connectors: readonly ConnectorHardware[];
  /** Card readers; a card read on any of them is offered to the charger as a whole. */
  readonly readers: readonly RfidReader[];
  /** Cabinet door / tilt switch, where fitted. */
  readonly tamper?: TamperSensor;
  /** Output switched on while tampering is detected (a light, a camera trigger), where fitted. */
  readonly alarm?: SignalOutput;
  /** Displays facing the driver (none: the charger has no display). */
  readonly displays?: readonly Display[];
  /** Releases every device. */
  close(): Promise<void>;
}
