import type { Clock } from '../clock.js';
import type { ChargerHardware } from '../index.js';
import { requireInRange, requirePhases } from './optionChecks.js';
import { SimConnector } from './SimConnector.js';
import { SimSignalOutput, SimTamperSensor } from './SimTamperSensor.js';
import { SimRfidReader } from './SimRfidReader.js';
import { SimulatedEV, type SimulatedEVOptions } from './SimulatedEV.js';

export interface SimulatedChargerOptions {
  /** The clock every device and the physics use (a SimulatedClock for virtual time). */
  clock: Clock;
  /** Number of connectors, 1..64 (default 1). */
  connectors?: number;
  /** Hardware rating per connector, A, 6..80 (default 32). */
  maxCurrentA?: number;
  /** Phases wired to each connector (default 3). */
  phases?: 1 | 3;
  /** Line-to-neutral voltage, V, 100..480 (default 230). */
  voltageV?: number;
  /** Supply frequency, Hz, 45..65 (default 50). */
  frequencyHz?: number;
  /** The vehicle parked at each connector (one instance per connector); see {@link SimulatedEV}. */
  ev?: SimulatedEVOptions;
  /** A cabinet door switch and a warning-light output (default false: none, as most fleet chargers). */
  tamperSwitch?: boolean;
  /** Whether connector 1's EV is plugged in at start (pilot B). Default false. */
  evConnected?: boolean;
  /** Meter import register of each connector at start, Wh (index 0 = connector 1; default 0). */
  meterEnergyWh?: readonly number[];
  /** Prefix for device ids, e.g. `cp0042/` → `cp0042/relay:1`, `cp0042/rfid:0`. */
  idPrefix?: string;
  /** Relay timing for every connector, see {@link SimRelay}. */
  relay?: { actuationDelayMs?: number; deadlineMs?: number };
  /** Cables fixed to the charger (no socket, no cable lock). Default false: sockets with a lock. */
  tetheredCable?: boolean;
  /** Consecutive garbage frames before the reader reports RFID_FAULT (default 3). */
  rfidGarbageFaultThreshold?: number;
  /** A temperature sensor in each EVSE, reading this many °C at start, -40..120 (default: none, as most fleet chargers). */
  temperatureC?: number;
}

/** A simulated charger: the agent gets {@link hardware}; tests and scenarios drive the rest. */
export interface SimulatedCharger {
  /** What the agent is given. */
  readonly hardware: ChargerHardware;
  /** Index 0 is connectorId 1; each exposes ev, relay, meter, pilot and lock with their fault injections. */
  readonly connectors: readonly SimConnector[];
  /** The charger's card reader (also `hardware.readers[0]`). */
  readonly rfid: SimRfidReader;
  /** The cabinet door switch and the warning light (also `hardware.tamper` / `.alarm`), with `tamperSwitch`. */
  readonly tamper?: SimTamperSensor;
  readonly alarm?: SimSignalOutput;
  /** Releases every device and timer. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the simulated hardware of one charge point. Options are validated up front; a bad
 * value throws a RangeError naming the option, its range and the value given.
 */
export function createSimulatedCharger(options: SimulatedChargerOptions): SimulatedCharger {
  const { clock, connectors: count = 1, maxCurrentA = 32, phases = 3, voltageV = 230, frequencyHz = 50 } = options;
  if (!clock || typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function') {
    throw new RangeError('clock must be a Clock (e.g. new SimulatedClock())');
  }
  requireInRange('connectors', count, 1, 64, { integer: true });
  requireInRange('maxCurrentA', maxCurrentA, 6, 80, { hint: 'IEC 61851 PWM range' });
  requirePhases('phases', phases);
  requireInRange('voltageV', voltageV, 100, 480);
  requireInRange('frequencyHz', frequencyHz, 45, 65);
  if (options.temperatureC !== undefined) requireInRange('temperatureC', options.temperatureC, -40, 120);
  const idPrefix = options.idPrefix ?? '';

  // Made at its length, not pushed to (a pushed-to array keeps room for 17: ≈ 120 B per charger of a
  // fleet), in a loop rather than by a callback (whose captures would stay in `close`'s scope).
  const connectors: SimConnector[] = new Array<SimConnector>(count);
  for (let i = 1; i <= count; i++) {
    connectors[i - 1] = new SimConnector({
      connectorId: i,
      clock,
      ev: new SimulatedEV(options.ev),
      maxCurrentA,
      phases,
      voltageV,
      frequencyHz,
      idPrefix,
      ...(options.meterEnergyWh?.[i - 1] !== undefined && { meterEnergyWh: options.meterEnergyWh[i - 1] }),
      ...(options.relay && { relay: options.relay }),
      ...(options.tetheredCable && { tetheredCable: true }),
      ...(options.temperatureC !== undefined && { temperatureC: options.temperatureC }),
    });
  }
  const rfid = new SimRfidReader({
    id: `${idPrefix}rfid:0`,
    clock,
    ...(options.rfidGarbageFaultThreshold !== undefined && { garbageFaultThreshold: options.rfidGarbageFaultThreshold }),
  });
  if (options.evConnected) connectors[0]!.ev.plugIn();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= Promise.all([...connectors.map((c) => c.close()), rfid.release()]).then(() => undefined);
    return closing;
  };
  if (!options.tamperSwitch) return { hardware: { connectors, readers: [rfid], close }, connectors, rfid, close };
  const tamper = new SimTamperSensor({ id: `${idPrefix}tamper:0` });
  const alarm = new SimSignalOutput(`${idPrefix}alarm:0`);
  const hardware: ChargerHardware = { connectors, readers: [rfid], tamper, alarm, close };
  return { hardware, connectors, rfid, tamper, alarm, close };
}
