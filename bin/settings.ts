/**
 * The settings of one `evse` process: the schema of config/*.yaml (plus EVSE_* variables),
 * validated once at start into a typed, deeply frozen object.
 *
 * config/default.yaml is the single source of default values; this schema has none (except
 * optional keys), so a key missing from the files is an error here rather than a silent second
 * default. Values from environment variables arrive as strings and are converted where that is
 * unambiguous ("3" → 3, "1"/"true"/"yes"/"on" → true). Every problem is reported with its key
 * path and what was expected, all at once, so one run shows everything to fix.
 *
 * The tree is checked against a JSON Schema with ajv: ocpp-rpc loads ajv anyway, so this check
 * at start adds little to the agent's memory (zod, used before, added about 5 MB RSS). The OCPP
 * keys under `ocpp:` are checked against the keys the agent implements
 * (agent/ocpp/v16/configurationKeys.ts).
 */
import { createRequire } from 'node:module';
import { definitionOf, parseValue, resolveKey, type ConfigValue } from '../agent/ocpp/v16/configurationKeys.js';

/** `evse` exits with this when the configuration is invalid (sysexits.h EX_CONFIG). */
export const EX_CONFIG = 78;

export interface SettingsIssue {
  /** Key path, e.g. `csms.url` (or an environment variable name for problems outside the tree). */
  readonly path: string;
  /** What was expected and what was found, e.g. `expected a ws:// or wss:// URL, got "http://x"`. */
  readonly message: string;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly issues: readonly SettingsIssue[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

// ── the validated settings ──────────────────────────────────────────────────────────────────

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated, frozen settings (config/default.yaml documents every key). */
export interface Settings {
  readonly chargePoint: {
    /** OCPP-J identity: the last path segment of the CSMS URL and the HTTP Basic user name. */
    readonly id: string;
    readonly vendor: string;
    readonly model: string;
    readonly serialNumber: string;
    readonly firmwareVersion: string;
    readonly connectors: number;
    readonly maxCurrentA: number;
    readonly phases: 1 | 3;
    readonly voltageV: number;
    readonly meterType: string;
    readonly meterSerialNumber?: string;
  };
  readonly csms: {
    /** ws:// or wss://, without a trailing slash (the agent appends `/<id>`). */
    readonly url: string;
    readonly password?: string;
    readonly callTimeoutMs: number;
    /** 0: no pings. */
    readonly pingIntervalMs: number;
    readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  };
  readonly hal: {
    readonly driver: 'sim' | 'serial';
    readonly sim: {
      readonly evConnected: boolean;
      readonly ev: { readonly batteryKWh: number; readonly soc: number; readonly maxCurrentA: number; readonly phases: 1 | 3 };
    };
    /** Connector 1's devices when `driver` is `serial` (docs/hardware.md); an empty `port` means "not fitted". */
    readonly serial: SerialSettings;
  };
  /** MQTT telemetry; off while `url` is empty. */
  readonly telemetry: {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
    readonly prefix: string;
    readonly intervalS: number;
    readonly queueLimit: number;
    readonly idTag: 'hash' | 'raw';
    readonly idTagSalt?: string;
    /** Accept commands on <prefix>/<id>/cmd/… (authorization is the broker's topic ACL). */
    readonly commands: boolean;
    /** Home Assistant discovery: absent = leave the discovery topics alone; false removes them. */
    readonly homeAssistant?: { readonly enabled: boolean; readonly discoveryPrefix: string };
  };
  readonly dataDir: string;
  readonly log: { readonly level: LogLevel };
  /** Initial OCPP configuration, by canonical key name. */
  readonly ocpp: { readonly [key: string]: ConfigValue };
}

export const METER_MODELS = ['sdm630', 'sdm120'] as const;
export const RFID_MODELS = ['pn532', 'rdm6300'] as const;
/** Baud rates a serial device may be set to; a device without `baud` uses its model's factory rate. */
export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

export interface SerialSettings {
  /** OpenEVSE controller over RAPI: the control pilot, and the contactor unless `relay.port` is set. */
  readonly pilot: { readonly port: string; readonly baud?: number; readonly pollIntervalMs: number };
  /** Modbus RTU energy meter; `port` is its RS-485 bus. */
  readonly meter: { readonly port: string; readonly model: (typeof METER_MODELS)[number]; readonly address: number; readonly baud?: number; readonly pollIntervalMs: number };
  /** Modbus relay board (coil + mirror contact); the same port as the meter means one shared bus. */
  readonly relay: { readonly port: string; readonly address: number; readonly baud?: number; readonly coil: number; readonly feedbackInput: number; readonly deadlineMs: number };
  readonly rfid: { readonly port: string; readonly model: (typeof RFID_MODELS)[number]; readonly baud?: number };
}

// ── the schema ──────────────────────────────────────────────────────────────────────────────

/** The part of JSON Schema used here (draft-07, plus the `notBelowSibling` keyword below). */
interface Schema {
  readonly type?: 'object' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly [keyword: string]: unknown;
}

const integer = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
const decimal = (minimum: number, maximum: number) => ({ type: 'number', minimum, maximum }) as const;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const phases = { type: 'integer', enum: [1, 3] } as const;
const bool = { type: 'boolean' } as const;
/** A device path, or empty: the device is not fitted. */
const portPath = { type: 'string', maxLength: 4096 } as const;
const modbusAddress = integer(1, 247);
const baud = { type: 'integer', enum: BAUD_RATES } as const;

/** An object whose keys are all required (except `optional`) and nothing else is allowed. */
function section(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return { type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), additionalProperties: false };
}

/**
 * OCPP-J identity: it is the last URL path segment and the HTTP Basic user name. Characters of
 * OCPP's identifierString that need no escaping in a path; no ':' (ends a Basic user name),
 * and not only dots ('.' and '..' are path navigation).
 */
const CHARGE_POINT_ID = /^(?!\.+$)[A-Za-z0-9*_=+@.-]{1,48}$/;

const SCHEMA = section({
  chargePoint: section(
    {
      id: { type: 'string', pattern: CHARGE_POINT_ID.source },
      vendor: text(20),
      model: text(20),
      serialNumber: text(25),
      firmwareVersion: text(50),
      connectors: integer(1, 8),
      maxCurrentA: decimal(6, 80),
      phases,
      voltageV: decimal(100, 300),
      meterType: text(25),
      meterSerialNumber: text(25),
    },
    ['meterSerialNumber'],
  ),
  csms: section(
    {
      // The agent appends `/<id>` to the path: no query or fragment.
      url: { type: 'string', format: 'ws-url', pattern: '^[^?#]*$' },
      password: text(255),
      callTimeoutMs: integer(1000, 600_000),
      // 0 (no pings) or at least a second.
      pingIntervalMs: { ...integer(0, 3_600_000), not: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 1000 } },
      reconnect: section({ initialDelayMs: integer(100, 3_600_000), maxDelayMs: { ...integer(100, 3_600_000), notBelowSibling: 'initialDelayMs' } }),
    },
    ['password'],
  ),
  hal: section({
    driver: { type: 'string', enum: ['sim', 'serial'] },
    sim: section({
      evConnected: bool,
      ev: section({ batteryKWh: decimal(1, 300), soc: decimal(0, 1), maxCurrentA: decimal(6, 80), phases }),
    }),
    serial: section({
      pilot: section({ port: portPath, baud, pollIntervalMs: integer(100, 60_000) }, ['baud']),
      meter: section({ port: portPath, model: { type: 'string', enum: METER_MODELS }, address: modbusAddress, baud, pollIntervalMs: integer(100, 60_000) }, ['baud']),
      relay: section({ port: portPath, address: modbusAddress, baud, coil: integer(0, 65535), feedbackInput: integer(0, 65535), deadlineMs: integer(50, 10_000) }, ['baud']),
      rfid: section({ port: portPath, model: { type: 'string', enum: RFID_MODELS }, baud }, ['baud']),
    }),
  }),
  telemetry: section(
    {
      // Empty: telemetry off.
      url: { type: 'string', pattern: '^$|^(mqtts?|wss?)://[^\\s]+$' },
      username: text(255),
      password: text(255),
      // Topic levels without MQTT wildcards, not starting or ending with '/'.
      prefix: { type: 'string', pattern: '^[^#+/\\s][^#+\\s]{0,62}[^#+/\\s]$|^[^#+/\\s]$' },
      intervalS: integer(0, 86_400),
      queueLimit: integer(1, 1_000_000),
      idTag: { type: 'string', enum: ['hash', 'raw'] },
      idTagSalt: text(255),
      commands: bool,
      homeAssistant: section({ enabled: bool, discoveryPrefix: { type: 'string', pattern: '^[^#+/\\s][^#+\\s]{0,62}[^#+/\\s]$|^[^#+/\\s]$' } }),
    },
    ['username', 'password', 'idTagSalt', 'homeAssistant'],
  ),
  dataDir: text(4096),
  log: section({ level: { type: 'string', enum: LOG_LEVELS } }),
  // Names and values are checked against configurationKeys.ts below.
  ocpp: { type: 'object' },
});

type Expected = string | ((value: unknown) => string);

const BAUD_EXPECTED = `expected a baud rate: ${BAUD_RATES.join(', ')} (or no baud: the model's factory rate)`;

/**
 * What each key expects, in words: by key path, then (where it differs) by the schema keyword
 * that failed, with `''` for every other keyword. A missing key gets its `type` message.
 */
const EXPECTED: Readonly<Record<string, Expected | Readonly<Record<string, Expected>>>> = {
  '': 'expected the settings tree',
  chargePoint: 'expected a section (chargePoint: id, vendor, model, …)',
  'chargePoint.id': {
    type: 'expected an OCPP-J identity',
    pattern: 'expected 1 to 48 characters from A-Z a-z 0-9 * - _ = + @ . (an OCPP-J identity, part of the URL path)',
  },
  'chargePoint.vendor': 'expected a vendor name of 1 to 20 characters',
  'chargePoint.model': 'expected a model name of 1 to 20 characters',
  'chargePoint.serialNumber': 'expected a serial number of 1 to 25 characters',
  'chargePoint.firmwareVersion': 'expected a firmware version of 1 to 50 characters',
  'chargePoint.connectors': 'expected an integer from 1 to 8 (connectors)',
  'chargePoint.maxCurrentA': 'expected a current from 6 to 80 A',
  'chargePoint.phases': 'expected 1 or 3 (phases)',
  'chargePoint.voltageV': 'expected a phase-to-neutral voltage from 100 to 300 V',
  'chargePoint.meterType': 'expected a meter type of 1 to 25 characters',
  'chargePoint.meterSerialNumber': 'expected a meter serial number of 1 to 25 characters',
  csms: 'expected a section (csms: url, callTimeoutMs, …)',
  'csms.url': {
    '': 'expected a ws:// or wss:// URL',
    pattern: 'expected a ws:// or wss:// URL without query or fragment (the charge point id is appended to its path)',
  },
  'csms.password': 'expected a password of 1 to 255 characters',
  'csms.callTimeoutMs': 'expected an integer from 1000 to 600000',
  'csms.pingIntervalMs': { '': 'expected an integer from 0 to 3600000', not: 'expected 0 (no pings) or 1000 to 3600000 ms' },
  'csms.reconnect': 'expected a section (reconnect: initialDelayMs, maxDelayMs)',
  'csms.reconnect.initialDelayMs': 'expected an integer from 100 to 3600000',
  'csms.reconnect.maxDelayMs': { '': 'expected an integer from 100 to 3600000', notBelowSibling: 'expected maxDelayMs >= initialDelayMs' },
  hal: 'expected a section (hal: driver, sim, serial)',
  'hal.driver': 'expected "sim" (simulated devices) or "serial" (real devices, hal.serial)',
  'hal.sim': 'expected a section (sim: evConnected, ev)',
  'hal.sim.evConnected': 'expected true or false (or 1/0, yes/no, on/off)',
  'hal.sim.ev': 'expected a section (ev: batteryKWh, soc, maxCurrentA, phases)',
  'hal.sim.ev.batteryKWh': 'expected a battery capacity from 1 to 300 kWh',
  'hal.sim.ev.soc': 'expected a state of charge from 0 to 1 (a fraction, not %)',
  'hal.sim.ev.maxCurrentA': 'expected a current from 6 to 80 A',
  'hal.sim.ev.phases': 'expected 1 or 3 (phases)',
  'hal.serial': 'expected a section (serial: pilot, meter, relay, rfid)',
  'hal.serial.pilot': 'expected a section (pilot: port, pollIntervalMs, baud)',
  'hal.serial.pilot.port': 'expected the OpenEVSE controller\'s serial port path, or empty (none)',
  'hal.serial.pilot.baud': BAUD_EXPECTED,
  'hal.serial.pilot.pollIntervalMs': 'expected an integer from 100 to 60000 (ms between $GS polls)',
  'hal.serial.meter': 'expected a section (meter: port, model, address, pollIntervalMs, baud)',
  'hal.serial.meter.port': 'expected the meter\'s RS-485 serial port path, or empty (none)',
  'hal.serial.meter.model': `expected a meter model: ${METER_MODELS.join(' or ')}`,
  'hal.serial.meter.address': 'expected a Modbus address from 1 to 247',
  'hal.serial.meter.baud': BAUD_EXPECTED,
  'hal.serial.meter.pollIntervalMs': 'expected an integer from 100 to 60000 (ms between meter polls)',
  'hal.serial.relay': 'expected a section (relay: port, address, coil, feedbackInput, deadlineMs, baud)',
  'hal.serial.relay.port': 'expected the relay board\'s RS-485 serial port path, or empty (the OpenEVSE relay is the contactor)',
  'hal.serial.relay.address': 'expected a Modbus address from 1 to 247',
  'hal.serial.relay.baud': BAUD_EXPECTED,
  'hal.serial.relay.coil': 'expected a coil number from 0 to 65535',
  'hal.serial.relay.feedbackInput': 'expected a discrete input number from 0 to 65535',
  'hal.serial.relay.deadlineMs': 'expected an integer from 50 to 10000 (ms for the mirror contact to confirm)',
  'hal.serial.rfid': 'expected a section (rfid: port, model, baud)',
  'hal.serial.rfid.port': 'expected the card reader\'s serial port path, or empty (none)',
  'hal.serial.rfid.model': `expected a card reader model: ${RFID_MODELS.join(' or ')}`,
  'hal.serial.rfid.baud': BAUD_EXPECTED,
  telemetry: 'expected a section (telemetry: url, prefix, intervalS, queueLimit, idTag)',
  'telemetry.url': 'expected an mqtt://, mqtts://, ws:// or wss:// broker URL, or empty (telemetry off)',
  'telemetry.username': 'expected a user name of 1 to 255 characters',
  'telemetry.password': 'expected a password of 1 to 255 characters',
  'telemetry.prefix': 'expected 1 to 64 characters of MQTT topic levels, without + # or spaces, not starting or ending with /',
  'telemetry.intervalS': 'expected an integer from 0 to 86400 (seconds; 0 = only on change)',
  'telemetry.queueLimit': 'expected an integer from 1 to 1000000 (messages kept while the broker is away)',
  'telemetry.idTag': 'expected "hash" (default: a salted SHA-256 of the idTag) or "raw"',
  'telemetry.idTagSalt': 'expected a salt of 1 to 255 characters',
  'telemetry.commands': 'expected true or false (or 1/0, yes/no, on/off): accept MQTT commands',
  'telemetry.homeAssistant': 'expected a section (homeAssistant: enabled, discoveryPrefix)',
  'telemetry.homeAssistant.enabled': 'expected true or false (or 1/0, yes/no, on/off)',
  'telemetry.homeAssistant.discoveryPrefix': 'expected MQTT topic levels without + # or spaces (Home Assistant uses homeassistant)',
  dataDir: 'expected a directory path of 1 to 4096 characters',
  log: 'expected a section (log: level)',
  'log.level': `expected a log level: ${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1)}`,
  ocpp: 'expected a section of OCPP configuration keys (text, number, true/false or a list of text)',
};

// ── ajv ─────────────────────────────────────────────────────────────────────────────────────

/** The part of ajv 8's API used here (its own typings resolve to eslint's ajv 6 from bin/). */
interface AjvError {
  readonly keyword: string;
  /** JSON Pointer to the value, e.g. `/csms/url`. */
  readonly instancePath: string;
  readonly params: { readonly missingProperty?: string; readonly additionalProperty?: string };
  readonly message?: string;
}
interface AjvValidate {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}
interface AjvInstance {
  addFormat(name: string, format: (value: string) => boolean): AjvInstance;
  addKeyword(definition: {
    keyword: string;
    type: string;
    schemaType: string;
    validate: (schema: string, value: number, parentSchema: unknown, context?: { parentData: Record<string, unknown> }) => boolean;
  }): AjvInstance;
  compile(schema: Schema): AjvValidate;
}
type AjvClass = new (options: { allErrors: boolean; strict: boolean; validateSchema: boolean }) => AjvInstance;

/**
 * ajv 8 as ocpp-rpc loads it: resolved from ocpp-rpc's own directory, so the process holds one
 * ajv whether npm nests it under ocpp-rpc (as now: the `ajv` at the top of node_modules is
 * eslint's ajv 6) or hoists it. ocpp-rpc itself is only resolved here, not loaded
 * (agent/ocpp/v16/ocppRpc.ts loads it). loadSettings.test.ts checks that there is one ajv.
 */
const Ajv = createRequire(createRequire(import.meta.url).resolve('ocpp-rpc'))('ajv') as AjvClass;

// No check of the schema against the JSON Schema meta-schema, which ajv would compile for it
// (3 MB RSS): the schema is a constant, and strict mode still rejects unknown keywords and
// keyword values of the wrong type when it is compiled, here at module load.
const ajv = new Ajv({ allErrors: true, strict: true, validateSchema: false })
  .addFormat('ws-url', (s) => URL.canParse(s) && /^wss?:$/.test(new URL(s).protocol))
  .addKeyword({
    keyword: 'notBelowSibling',
    type: 'number',
    schemaType: 'string',
    // A sibling that is not a number is reported on its own key.
    validate: (sibling, value, _parentSchema, context) => {
      const other = context?.parentData[sibling];
      return typeof other !== 'number' || value >= other;
    },
  });
const validate = ajv.compile(SCHEMA);

// ── parsing ─────────────────────────────────────────────────────────────────────────────────

/** Validates a raw settings tree (from node-config); throws a {@link SettingsError} naming every bad key. */
export function parseSettings(raw: unknown): Settings {
  const tree = convertStrings(SCHEMA, raw, '');
  const issues = validate(tree) ? [] : uniqueByPath((validate.errors ?? []).map((error) => describeError(error, raw)));
  const ocpp = isRecord(raw) ? checkOcppKeys(raw.ocpp, issues) : undefined;
  if (issues.length === 0) issues.push(...checkSerialDevices(tree as Settings));
  if (issues.length > 0) throw new SettingsError(issues.sort(bySchemaOrder));
  const settings = tree as { csms: { url: string }; ocpp: unknown };
  // The agent appends `/<id>`: a trailing slash would make the path `//<id>`.
  settings.csms.url = settings.csms.url.replace(/\/+$/, '');
  settings.ocpp = ocpp;
  return deepFreeze(settings as Settings);
}

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 'true', 'yes', 'on'].map((w) => [w, true] as const),
  ...['0', 'false', 'no', 'off'].map((w) => [w, false] as const),
]);
// An empty password (e.g. a blank template variable) means none.
const EMPTY_MEANS_UNSET = new Set(['csms.password']);

/**
 * A copy of the tree's sections with strings converted where the schema wants a number or a
 * boolean (environment variables are strings). What cannot be converted is left for the schema
 * to reject; messages quote the value as written.
 */
function convertStrings(schema: Schema, value: unknown, path: string): unknown {
  if (schema.properties && isRecord(value)) {
    const properties = schema.properties;
    // Known keys in schema order, then the rest (which the schema rejects).
    const keys = [...Object.keys(properties).filter((k) => Object.hasOwn(value, k)), ...Object.keys(value).filter((k) => !Object.hasOwn(properties, k))];
    const entries = keys.map((key) => {
      const keyPath = path ? `${path}.${key}` : key;
      const v = value[key];
      if (EMPTY_MEANS_UNSET.has(keyPath) && v === '') return [key, undefined] as const;
      return [key, Object.hasOwn(properties, key) ? convertStrings(properties[key]!, v, keyPath) : v] as const;
    });
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  if (typeof value !== 'string') return value;
  if ((schema.type === 'integer' || schema.type === 'number') && NUMERIC.test(value)) return Number(value);
  if (schema.type === 'boolean') return BOOLEAN_WORDS.get(value.trim().toLowerCase()) ?? value;
  return value;
}

function describeError(error: AjvError, raw: unknown): SettingsIssue {
  const at = error.instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const { additionalProperty, missingProperty } = error.params;
  if (error.keyword === 'additionalProperties' && additionalProperty !== undefined) {
    return { path: [...at, additionalProperty].join('.'), message: 'unknown key' };
  }
  const path = missingProperty !== undefined ? [...at, missingProperty] : at;
  const value = valueAt(raw, path);
  const entry = EXPECTED[path.join('.')];
  const keyword = error.keyword === 'required' ? 'type' : error.keyword;
  const expected = typeof entry === 'object' ? (entry[keyword] ?? entry['']) : entry;
  // ajv's own words only for a key missing from EXPECTED (a test makes sure none is).
  const message = (typeof expected === 'function' ? expected(value) : expected) ?? error.message ?? `fails ${keyword}`;
  return describe(path.join('.'), message, value);
}

/** Checks the `ocpp:` map (names in any case; canonical names out). Adds its problems to `issues`. */
function checkOcppKeys(entries: unknown, issues: SettingsIssue[]): Record<string, ConfigValue> | undefined {
  if (!isRecord(entries)) return undefined; // reported by the schema
  const out: Record<string, ConfigValue> = {};
  for (const [name, input] of Object.entries(entries)) {
    const path = `ocpp.${name}`;
    const key = resolveKey(name);
    if (!key) {
      issues.push({ path, message: 'unknown OCPP configuration key' });
      continue;
    }
    if (definitionOf(key).readonly) {
      issues.push({ path, message: 'read-only OCPP key: the agent sets it itself' });
      continue;
    }
    const isList = Array.isArray(input) && input.every((item) => typeof item === 'string');
    if (!isList && !['string', 'number', 'boolean'].includes(typeof input)) {
      issues.push(describe(path, 'expected text, a number, true/false or a list of text', input));
      continue;
    }
    const parsed = parseValue(key, input, (k) => {
      const maxKey = resolveKey(k);
      const dflt = maxKey ? definitionOf(maxKey).default : undefined;
      return typeof dflt === 'number' ? dflt : undefined;
    });
    if (parsed.ok) out[key] = parsed.value;
    else issues.push(describe(path, `expected a valid ${definitionOf(key).type} for ${key} (${parsed.reason})`, input));
  }
  return out;
}

/**
 * What the schema cannot say about `hal.serial`: with the serial driver a pilot and a meter are
 * required, there is one connector, and devices sharing one RS-485 bus need distinct addresses and one baud rate.
 */
function checkSerialDevices({ hal, chargePoint }: Settings): SettingsIssue[] {
  if (hal.driver !== 'serial') return [];
  const { pilot, meter, relay } = hal.serial;
  const issues: SettingsIssue[] = [];
  if (chargePoint.connectors !== 1) issues.push(describe('chargePoint.connectors', 'expected 1 with hal.driver "serial" (hal.serial describes one connector)', chargePoint.connectors));
  const required = (path: string, what: string) => describe(path, `expected ${what} when hal.driver is "serial"`, undefined);
  if (!pilot.port) issues.push(required('hal.serial.pilot.port', "the OpenEVSE controller's serial port path (EVSE_PILOT_PORT)"));
  if (!meter.port) issues.push(required('hal.serial.meter.port', "the meter's serial port path (EVSE_METER_PORT)"));
  if (relay.port && relay.port === meter.port) {
    if (relay.address === meter.address) issues.push(describe('hal.serial.relay.address', `expected an address other than the meter's (${meter.address}) on their shared bus ${meter.port}`, relay.address));
    if (relay.baud !== undefined && meter.baud !== undefined && relay.baud !== meter.baud) {
      issues.push(describe('hal.serial.relay.baud', `expected the meter's baud rate (${meter.baud}) on their shared bus`, relay.baud));
    }
  }
  const used = new Set<string>();
  for (const device of ['pilot', 'meter', 'relay', 'rfid'] as const) {
    const port = hal.serial[device].port;
    if (!port || (device === 'relay' && port === meter.port)) continue;
    if (used.has(port)) issues.push(describe(`hal.serial.${device}.port`, 'expected a port of its own (only the meter and the relay board may share one)', port));
    used.add(port);
  }
  return issues;
}

// Secrets never appear in messages.
const SECRET_PATHS = new Set(['csms.password']);

function describe(path: string, expected: string, value: unknown): SettingsIssue {
  const shownPath = path || '(top level)';
  if (value === undefined) return { path: shownPath, message: `${expected}, but it is not set` };
  // JSON, except what JSON cannot show (NaN and Infinity from YAML's .nan and .inf).
  const json = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  const shown = SECRET_PATHS.has(path) ? '(hidden)' : clip(json);
  return { path: shownPath, message: `${expected}, got ${shown}` };
}

/** One problem per key, the first ajv found (it checks a value's type before anything else). */
function uniqueByPath(issues: readonly SettingsIssue[]): SettingsIssue[] {
  const byPath = new Map<string, SettingsIssue>();
  for (const issue of issues) if (!byPath.has(issue.path)) byPath.set(issue.path, issue);
  return [...byPath.values()];
}

/** Schema order (the order of config/default.yaml); unknown keys after the known ones of their section. */
function bySchemaOrder(a: SettingsIssue, b: SettingsIssue): number {
  const [ka, kb] = [schemaPosition(a.path), schemaPosition(b.path)];
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return ka.length - kb.length;
}

function schemaPosition(path: string): number[] {
  const position: number[] = [];
  let node: Schema | undefined = SCHEMA;
  for (const key of path.split('.')) {
    const keys: string[] = Object.keys(node?.properties ?? {});
    const index = keys.indexOf(key);
    position.push(index < 0 ? keys.length : index);
    node = index < 0 ? undefined : node?.properties?.[key];
  }
  return position;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface ExitIo {
  readonly stderr: { write(text: string): unknown };
  readonly exit: (code: number) => never;
}

/**
 * For bin/: prints `evse: invalid configuration: <key>: <expected>` for each problem to stderr
 * and exits with 78 (EX_CONFIG). Anything that is not a {@link SettingsError} is rethrown.
 */
export function exitOnInvalidSettings(err: unknown, io: ExitIo = { stderr: process.stderr, exit: (code) => process.exit(code) }): never {
  if (!(err instanceof SettingsError)) throw err;
  for (const issue of err.issues) io.stderr.write(`evse: invalid configuration: ${issue.path}: ${issue.message}\n`);
  return io.exit(EX_CONFIG);
}
