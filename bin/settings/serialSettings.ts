/**
 * The `hal.serial` part of the settings (docs/hardware.md): its types, its JSON Schema and what
 * each key expects in words. Two forms describe the same thing:
 *
 * - the single-connector bench, `hal.serial.pilot/meter/relay/rfid`, which the EVSE_*_PORT
 *   variables fill on their own (an empty `port` means "not fitted");
 * - the device list, `hal.serial.buses` and `hal.serial.devices`, for several connectors,
 *   several devices on one RS-485 bus and per-device line and polling settings.
 *
 * Both are turned into one {@link SerialPlan} (bin/settings/serialPlan.ts), which also does the checks a
 * schema cannot (duplicate addresses, a connector without a meter, …).
 */
import { METER_MAPS, type MeterModel } from '../../hal/serial/meters/meterMaps.js';
import { integer, oneOfValues, section, taggedList, type ExpectedTable, type Schema } from './settingsSchema.js';

export type { MeterModel } from '../../hal/serial/meters/meterMaps.js';
/** The meters with a register map (hal/serial/meters/meterMaps.ts). */
export const METER_MODELS = Object.keys(METER_MAPS) as readonly MeterModel[];
export const RFID_MODELS = ['pn532', 'rdm6300'] as const;
export const RELAY_MODELS = ['modbus-relay'] as const;
export const PILOT_MODELS = ['openevse'] as const;
export const DEVICE_KINDS = ['meter', 'relay', 'pilot', 'rfid', 'tamper'] as const;
/** Baud rates a serial line may be set to; without `baud` a device uses its model's factory rate. */
export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
export const PARITIES = ['none', 'even', 'odd'] as const;

export type RfidModel = (typeof RFID_MODELS)[number];
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export type Parity = (typeof PARITIES)[number];
export type StopBits = 1 | 2;

/** Line settings a serial port may be given (all optional: the model's defaults otherwise). */
export interface LineSettings {
  readonly baud?: number;
  readonly parity?: Parity;
  readonly stopBits?: StopBits;
  /** Clock time between attempts to reopen the port after it was lost, ms (default 2000). */
  readonly reopenIntervalMs?: number;
}

/** OpenEVSE heartbeat supervision (`$SY`; per-model defaults in MODEL_DEFAULTS). */
export interface HeartbeatSettings {
  /** ms between pulses; 0 switches the board's supervision off. */
  readonly heartbeatIntervalMs?: number;
  /** How much longer than one interval the board waits before it falls back, ms. */
  readonly heartbeatGraceMs?: number;
  /** The current the board falls back to when the pulses stop, A. */
  readonly heartbeatFallbackA?: number;
}

/** Polling settings of a device (optional: per-model defaults, MODEL_DEFAULTS below). */
export interface PollSettings {
  /** How long the device may take to answer one request, ms. */
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Consecutive unanswered polls that raise the device's fault. */
  readonly missedPollsForFault?: number;
}

/** One RS-485 bus of the device list; Modbus devices name it with `bus:`. */
export interface BusSettings extends LineSettings {
  /** How devices refer to it (default: its port path). */
  readonly name?: string;
  readonly port: string;
  /** Default response timeout of the devices on it, ms. */
  readonly timeoutMs?: number;
}

/** A Modbus device is on a named bus, or on a port of its own (devices naming one port share it). */
interface ModbusPlacement extends LineSettings {
  readonly bus?: string;
  readonly port?: string;
  readonly address?: number;
}

export type DeviceSettings =
  | ({ readonly kind: 'meter'; readonly model: MeterModel; readonly connector: number } & ModbusPlacement & PollSettings)
  | ({
      readonly kind: 'relay';
      readonly model?: (typeof RELAY_MODELS)[number];
      readonly connector: number;
      readonly coil?: number;
      readonly feedbackInput?: number;
      readonly readyInput?: number;
      readonly deadlineMs?: number;
    } & ModbusPlacement &
      PollSettings)
  | ({ readonly kind: 'pilot'; readonly model?: (typeof PILOT_MODELS)[number]; readonly connector: number; readonly port: string; readonly deadlineMs?: number } & LineSettings &
      PollSettings &
      HeartbeatSettings)
  | ({
      readonly kind: 'tamper';
      readonly model?: (typeof RELAY_MODELS)[number];
      /** The discrete input the cabinet door / tilt switch is wired to. */
      readonly input: number;
      /** Input level meaning "tampered" (default off: a normally closed switch, a cut wire counts). */
      readonly activeWhen?: 'on' | 'off';
      /** A coil switched on while tampering is detected (a light, a camera trigger). */
      readonly alarmCoil?: number;
    } & ModbusPlacement &
      PollSettings)
  | ({
      readonly kind: 'rfid';
      readonly model: RfidModel;
      readonly port: string;
      readonly badFramesForFault?: number;
      readonly removalMs?: number;
      readonly uidFormat?: 'em4100' | 'tag';
    } & LineSettings &
      PollSettings);

export interface SerialSettings {
  /** OpenEVSE controller over RAPI: the control pilot, and the contactor unless `relay.port` is set. */
  readonly pilot: { readonly port: string; readonly baud?: number; readonly pollIntervalMs: number };
  /** Modbus RTU energy meter; `port` is its RS-485 bus. */
  readonly meter: { readonly port: string; readonly model: MeterModel; readonly address: number; readonly baud?: number; readonly pollIntervalMs: number };
  /** Modbus relay board (coil + mirror contact); the same port as the meter means one shared bus. */
  readonly relay: { readonly port: string; readonly address: number; readonly baud?: number; readonly coil: number; readonly feedbackInput: number; readonly deadlineMs: number };
  readonly rfid: { readonly port: string; readonly model: RfidModel; readonly baud?: number };
  /** The device-list form: RS-485 buses … */
  readonly buses: readonly BusSettings[];
  /** … and every device with the connector it serves (empty: the bench keys above describe connector 1). */
  readonly devices: readonly DeviceSettings[];
}

// ── per-model defaults ──────────────────────────────────────────────────────────────────────

interface ModelDefaults {
  /** Factory line rate; a relay board's only counts when no meter on its bus says otherwise. */
  readonly baud: number;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly missedPollsForFault: number;
  /** Settings the model has no use for, and why (a key given for it is an error). */
  readonly unused?: { readonly keys: readonly string[]; readonly why: string };
  /** Heartbeat supervision, for boards that have it (docs/hardware.md, second table). */
  readonly heartbeat?: { readonly intervalMs: number; readonly graceMs: number; readonly fallbackA: number };
}

/**
 * Per-model defaults (docs/hardware.md shows this table; a test keeps the two equal). Every
 * line is 8 data bits, no parity, 1 stop bit unless configured.
 */
export const MODEL_DEFAULTS: Readonly<Record<MeterModel | 'modbus-relay' | 'openevse' | RfidModel, ModelDefaults>> = {
  // Meters: the factory baud rate from the register map.
  ...(Object.fromEntries(Object.entries(METER_MAPS).map(([model, map]) => [model, { baud: map.defaultBaudRate, timeoutMs: 500, pollIntervalMs: 1000, missedPollsForFault: 3 }])) as Record<
    MeterModel,
    ModelDefaults
  >),
  // 100 ms: a feedback poll takes ~17 ms of a 9600-baud line, and the line is shared with meters.
  'modbus-relay': { baud: 9600, timeoutMs: 200, pollIntervalMs: 100, missedPollsForFault: 3 },
  // A pulse every 5 s; the board falls back 15 s after the last one (whole seconds on the board), to
  // 6 A, the lowest offer the firmware makes.
  openevse: { baud: 115200, timeoutMs: 500, pollIntervalMs: 1000, missedPollsForFault: 3, heartbeat: { intervalMs: 5000, graceMs: 10_000, fallbackA: 6 } },
  pn532: { baud: 115200, timeoutMs: 300, pollIntervalMs: 200, missedPollsForFault: 3, unused: { keys: ['removalMs', 'uidFormat'], why: 'a PN532 is polled: a card is removed when a poll no longer sees it' } },
  rdm6300: { baud: 9600, timeoutMs: 0, pollIntervalMs: 0, missedPollsForFault: 0, unused: { keys: ['timeoutMs', 'pollIntervalMs', 'missedPollsForFault'], why: 'an RDM6300 only sends, it is not polled' } },
};
/** Other defaults of the device list (the bench keys have theirs in config/default.yaml). */
export const DEVICE_DEFAULTS = { meterAddress: 1, relayAddress: 2, coil: 0, feedbackInput: 0, relayDeadlineMs: 500, openevseDeadlineMs: 1000, reopenIntervalMs: 2000, badFramesForFault: 3, removalMs: 500, uidFormat: 'em4100' } as const;

// ── the schema ──────────────────────────────────────────────────────────────────────────────

/** A device path, or empty: the device is not fitted. */
const benchPort = { type: 'string', maxLength: 4096 } as const;
const port = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const address = integer(1, 247);
const baud = oneOfValues(BAUD_RATES);
const line = { baud, parity: oneOfValues(PARITIES), stopBits: oneOfValues([1, 2]), reopenIntervalMs: integer(100, 600_000) };
const heartbeat = { heartbeatIntervalMs: integer(0, 60_000), heartbeatGraceMs: integer(1000, 600_000), heartbeatFallbackA: integer(6, 80) };
const poll = { timeoutMs: integer(10, 10_000), pollIntervalMs: integer(10, 60_000), missedPollsForFault: integer(1, 100) };
const connector = integer(1, 8);
const optional = (s: Record<string, Schema>, ...required: string[]): Schema => section(s, Object.keys(s).filter((k) => !required.includes(k)));

export const SERIAL_SCHEMA: Schema = section({
  pilot: section({ port: benchPort, baud, pollIntervalMs: integer(100, 60_000) }, ['baud']),
  meter: section({ port: benchPort, model: oneOfValues(METER_MODELS), address, baud, pollIntervalMs: integer(100, 60_000) }, ['baud']),
  relay: section({ port: benchPort, address, baud, coil: integer(0, 65535), feedbackInput: integer(0, 65535), deadlineMs: integer(50, 10_000) }, ['baud']),
  rfid: section({ port: benchPort, model: oneOfValues(RFID_MODELS), baud }, ['baud']),
  buses: { type: 'array', items: optional({ name: { type: 'string', pattern: '^[^\\s]{1,64}$' }, port, ...line, timeoutMs: poll.timeoutMs }, 'port') },
  devices: taggedList('kind', [
    optional({ kind: { const: 'meter' }, model: oneOfValues(METER_MODELS), connector, bus: port, port, address, ...line, ...poll }, 'kind', 'model', 'connector'),
    optional(
      { kind: { const: 'relay' }, model: oneOfValues(RELAY_MODELS), connector, bus: port, port, address, coil: integer(0, 65535), feedbackInput: integer(0, 65535), readyInput: integer(0, 65535), deadlineMs: integer(50, 10_000), ...line, ...poll },
      'kind',
      'connector',
    ),
    optional(
      { kind: { const: 'tamper' }, model: oneOfValues(RELAY_MODELS), bus: port, port, address, input: integer(0, 65535), activeWhen: oneOfValues(['on', 'off']), alarmCoil: integer(0, 65535), ...line, ...poll },
      'kind',
      'input',
    ),
    optional({ kind: { const: 'pilot' }, model: oneOfValues(PILOT_MODELS), connector, port, deadlineMs: integer(50, 10_000), ...line, ...poll, ...heartbeat }, 'kind', 'connector', 'port'),
    optional(
      { kind: { const: 'rfid' }, model: oneOfValues(RFID_MODELS), port, badFramesForFault: integer(1, 100), removalMs: integer(50, 60_000), uidFormat: oneOfValues(['em4100', 'tag']), ...line, ...poll },
      'kind',
      'model',
      'port',
    ),
  ]),
});

const BAUD_EXPECTED = `expected a baud rate: ${BAUD_RATES.join(', ')} (or no baud: the model's factory rate)`;
const D = 'hal.serial.devices[]';

/** What each `hal.serial` key expects (see settingsSchema.ts ExpectedTable). */
export const SERIAL_EXPECTED: ExpectedTable = {
  'hal.serial': 'expected a section (serial: pilot, meter, relay, rfid, buses, devices)',
  'hal.serial.pilot': 'expected a section (pilot: port, pollIntervalMs, baud)',
  'hal.serial.pilot.port': "expected the OpenEVSE controller's serial port path, or empty (none)",
  'hal.serial.pilot.baud': BAUD_EXPECTED,
  'hal.serial.pilot.pollIntervalMs': 'expected an integer from 100 to 60000 (ms between $GS polls)',
  'hal.serial.meter': 'expected a section (meter: port, model, address, pollIntervalMs, baud)',
  'hal.serial.meter.port': "expected the meter's RS-485 serial port path, or empty (none)",
  'hal.serial.meter.model': `expected a meter model: ${METER_MODELS.join(' or ')}`,
  'hal.serial.meter.address': 'expected a Modbus address from 1 to 247',
  'hal.serial.meter.baud': BAUD_EXPECTED,
  'hal.serial.meter.pollIntervalMs': 'expected an integer from 100 to 60000 (ms between meter polls)',
  'hal.serial.relay': 'expected a section (relay: port, address, coil, feedbackInput, deadlineMs, baud)',
  'hal.serial.relay.port': "expected the relay board's RS-485 serial port path, or empty (the OpenEVSE relay is the contactor)",
  'hal.serial.relay.address': 'expected a Modbus address from 1 to 247',
  'hal.serial.relay.baud': BAUD_EXPECTED,
  'hal.serial.relay.coil': 'expected a coil number from 0 to 65535',
  'hal.serial.relay.feedbackInput': 'expected a discrete input number from 0 to 65535',
  'hal.serial.relay.deadlineMs': 'expected an integer from 50 to 10000 (ms for the mirror contact to confirm)',
  'hal.serial.rfid': 'expected a section (rfid: port, model, baud)',
  'hal.serial.rfid.port': "expected the card reader's serial port path, or empty (none)",
  'hal.serial.rfid.model': `expected a card reader model: ${RFID_MODELS.join(' or ')}`,
  'hal.serial.rfid.baud': BAUD_EXPECTED,
  'hal.serial.buses': 'expected a list of RS-485 buses ({ name, port, baud, parity, stopBits, timeoutMs, reopenIntervalMs }), or []',
  'hal.serial.buses[]': 'expected a bus ({ name, port, baud, parity, stopBits, timeoutMs, reopenIntervalMs })',
  'hal.serial.buses[].name': 'expected a name of 1 to 64 characters without spaces (devices refer to it with bus:)',
  'hal.serial.buses[].port': "expected the bus adapter's serial port path",
  'hal.serial.buses[].baud': BAUD_EXPECTED,
  'hal.serial.buses[].parity': `expected a parity: ${PARITIES.join(', ')}`,
  'hal.serial.buses[].stopBits': 'expected 1 or 2 (stop bits)',
  'hal.serial.buses[].timeoutMs': 'expected an integer from 10 to 10000 (ms a device on the bus may take to answer)',
  'hal.serial.buses[].reopenIntervalMs': 'expected an integer from 100 to 600000 (ms between attempts to reopen a lost port)',
  'hal.serial.devices': 'expected a list of devices ({ kind, model, connector, bus or port, … }), or []',
  [D]: 'expected a device ({ kind: meter|relay|pilot|rfid|tamper, model, connector, bus or port, … })',
  [`${D}.kind`]: `expected a device kind: ${DEVICE_KINDS.join(', ')}`,
  [`${D}.model`]: `expected a model of the device's kind: meter ${METER_MODELS.join('|')}, relay ${RELAY_MODELS.join('|')}, pilot ${PILOT_MODELS.join('|')}, rfid ${RFID_MODELS.join('|')}`,
  [`${D}.connector`]: 'expected the connector it serves, 1 to 8',
  [`${D}.bus`]: 'expected the name (or port) of a bus in hal.serial.buses',
  [`${D}.port`]: "expected the device's serial port path",
  [`${D}.address`]: 'expected a Modbus address from 1 to 247',
  [`${D}.baud`]: BAUD_EXPECTED,
  [`${D}.parity`]: `expected a parity: ${PARITIES.join(', ')}`,
  [`${D}.stopBits`]: 'expected 1 or 2 (stop bits)',
  [`${D}.reopenIntervalMs`]: 'expected an integer from 100 to 600000 (ms between attempts to reopen a lost port)',
  [`${D}.heartbeatIntervalMs`]: 'expected an integer from 0 (supervision off) to 60000 (ms between heartbeat pulses to the OpenEVSE)',
  [`${D}.heartbeatGraceMs`]: 'expected an integer from 1000 to 600000 (ms the board waits beyond one interval before it falls back)',
  [`${D}.heartbeatFallbackA`]: 'expected whole amps from 6 to 80 (the current the board falls back to without pulses)',
  [`${D}.timeoutMs`]: 'expected an integer from 10 to 10000 (ms the device may take to answer)',
  [`${D}.pollIntervalMs`]: 'expected an integer from 10 to 60000 (ms between polls)',
  [`${D}.missedPollsForFault`]: 'expected an integer from 1 to 100 (unanswered polls in a row that raise a fault)',
  [`${D}.coil`]: 'expected a coil number from 0 to 65535',
  [`${D}.feedbackInput`]: 'expected a discrete input number from 0 to 65535 (the mirror contact)',
  [`${D}.readyInput`]: 'expected a discrete input number from 0 to 65535 (the contactor driver is ready)',
  [`${D}.deadlineMs`]: 'expected an integer from 50 to 10000 (ms for the contactor to confirm)',
  [`${D}.badFramesForFault`]: 'expected an integer from 1 to 100 (unreadable frames in a row that raise RFID_FAULT)',
  [`${D}.removalMs`]: 'expected an integer from 50 to 60000 (ms without frames after which a card counts as removed)',
  [`${D}.input`]: 'expected a discrete input number from 0 to 65535 (the cabinet door / tilt switch)',
  [`${D}.activeWhen`]: 'expected "off" (default: a normally closed switch, the input is on while shut) or "on"',
  [`${D}.alarmCoil`]: 'expected a coil number from 0 to 65535 (switched on while tampering is detected)',
  [`${D}.uidFormat`]: 'expected "em4100" (all 10 hex digits) or "tag" (the 4-byte tag)',
};
