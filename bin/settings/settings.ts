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
 * The tree is checked against a JSON Schema with ajv (bin/settings/settingsSchema.ts). `hal.serial` has
 * its own module (bin/settings/serialSettings.ts, bin/settings/serialPlan.ts). The OCPP keys under `ocpp:` are
 * checked against the keys the agent implements (agent/ocpp16/configurationKeys.ts).
 */
import { checkInitialValues, type ConfigValue } from '../../agent/ocpp16/configurationKeys.js';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
import { checkDisplay, DISPLAY_EMPTY_MEANS_UNSET, DISPLAY_EXPECTED, DISPLAY_SCHEMA, type DisplaySettingsInput } from './displaySettings.js';
import { planSerial } from './serialPlan.js';
import { SERIAL_EXPECTED, SERIAL_SCHEMA, type SerialSettings } from './serialSettings.js';
import {
  bySchemaOrder,
  compileSchema,
  convertStrings,
  decimal,
  deepFreeze,
  describe,
  describeError,
  integer,
  isRecord,
  section,
  text,
  bool,
  uniqueByPath,
  SettingsError,
  type ExpectedTable,
  type SettingsIssue,
} from './settingsSchema.js';

export { SettingsError, type SettingsIssue } from './settingsSchema.js';
export type { LogLevel } from '../logger.js';

/** `evse` exits with this when the configuration is invalid (sysexits.h EX_CONFIG). */
export const EX_CONFIG = 78;

// ── the validated settings ──────────────────────────────────────────────────────────────────

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
    /** vendorId of the DataTransfers the charger sends; absent: `vendor`. */
    readonly vendorId?: string;
    /** The charger can ventilate: an EV in pilot state D charges (otherwise D is refused). */
    readonly ventilation: boolean;
    /** Thermal derating of EVSEs with a temperature sensor: from `deratingStartC` the offer falls, at `cutoffC` it stops. */
    readonly thermal: { readonly deratingStartC: number; readonly cutoffC: number };
    /** IANA time zone (e.g. Europe/Berlin) recurring charging profiles repeat in; absent: UTC. */
    readonly timeZone?: string;
  };
  readonly clock: {
    /** `system`: trust the host clock; `csms`: take the time from BootNotification/Heartbeat answers. */
    readonly source: 'system' | 'csms';
  };
  readonly csms: {
    /** ws:// or wss://, without a trailing slash (the agent appends `/<id>`). */
    readonly url: string;
    readonly password?: string;
    /** OCPP security profile 0 (none), 1, 2 or 3 (docs/security.md); the CSMS can raise it, only this setting lowers it. */
    readonly securityProfile: 0 | 1 | 2 | 3;
    /** Allow a password over plain ws:// to a host other than the loopback (a trusted network, e.g. a VPN). */
    readonly allowPlainPassword: boolean;
    /** TLS to the CSMS: CA bundle, client certificate and key (PEM files), TLS 1.2 cipher list. */
    readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly ciphers: string };
    readonly callTimeoutMs: number;
    /** 0: no pings. */
    readonly pingIntervalMs: number;
    /**
     * More CSMSs (connection profiles 2, 3, …), tried when csms.url cannot be reached
     * (OCPP keys NetworkConfigurationPriority, NetworkProfileConnectionAttempts); same scheme as csms.url.
     */
    readonly fallbackUrls: readonly string[];
  };
  readonly hal: {
    readonly driver: 'sim' | 'serial';
    readonly sim: {
      readonly evConnected: boolean;
      /** The simulated cabinet door switch and warning light (a TamperSensor), driven from the dashboard or the fleet API. */
      readonly tamperSwitch: boolean;
      /** A temperature sensor in each simulated EVSE (reading 25 °C at start): TemperatureSensor.Temperature, the Temperature measurand. */
      readonly temperatureSensor: boolean;
      readonly ev: { readonly batteryKWh: number; readonly soc: number; readonly maxCurrentA: number; readonly phases: 1 | 3 };
    };
    /** Real devices when `driver` is `serial` (docs/hardware.md): the bench keys, or the device list. */
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
    /** TLS for mqtts:// / wss://: PEM files (CA to trust instead of the system roots; client certificate and key for mutual TLS). */
    readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
    /** Accept commands on <prefix>/<id>/cmd/… (authorization is the broker's topic ACL). */
    readonly commands: boolean;
    /** Home Assistant discovery: `enabled` absent = leave the discovery topics alone; false removes them. */
    readonly homeAssistant: { readonly enabled?: boolean; readonly discoveryPrefix: string; readonly startIdTag?: string };
  };
  /** The display facing the driver (docs/display.md). */
  readonly display: DisplaySettingsInput;
  /** The local web dashboard and control API (docs/dashboard.md); a password is required off loopback. */
  readonly dashboard: { readonly enabled: boolean; readonly host: string; readonly port: number; readonly password?: string };
  readonly dataDir: string;
  /** Firmware updates (docs/firmware.md). */
  readonly firmware: {
    /** The board's installer script; empty: the simulator's version file (hal.driver sim only). */
    readonly installer: string;
    /** Directory of ManufacturerRootCertificate PEM files; empty: `<dataDir>/certificates/manufacturer`. */
    readonly manufacturerRootsDir: string;
    /** Give up a download after this many seconds without data. */
    readonly stallTimeoutS: number;
  };
  /** `<dataDir>/sessions.log` for `evse sessions`: the newest `maxSessions` (0: none kept), none older than `maxDays` (0: no age limit). */
  readonly sessionHistory: { readonly maxSessions: number; readonly maxDays: number };
  readonly log: { readonly level: LogLevel };
  /** Initial OCPP configuration, by canonical key name. */
  readonly ocpp: { readonly [key: string]: ConfigValue };
  /** The OCPP version spoken (`ocpp.version`, default 1.6): the subprotocol offered and the face the agent shows; the first preference when several are offered. */
  readonly ocppVersion: OcppVersion;
  /**
   * The versions offered in the WebSocket handshake, most preferred first (`ocpp.version: auto` is
   * 2.0.1 then 1.6). With more than one the CSMS chooses at each start (agent/ocpp/negotiateVersion.ts).
   */
  readonly ocppVersions: readonly OcppVersion[];
}

/** The OCPP versions the agent speaks (`ocpp.version`). */
export const OCPP_VERSIONS = ['1.6', '2.0.1'] as const;
export type OcppVersion = (typeof OCPP_VERSIONS)[number];

// ── the schema ──────────────────────────────────────────────────────────────────────────────

const phases = { type: 'integer', enum: [1, 3] } as const;

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
      vendorId: text(255),
      ventilation: bool,
      thermal: section({ deratingStartC: decimal(-20, 150), cutoffC: decimal(-20, 150) }),
      timeZone: { type: 'string', format: 'time-zone' },
    },
    ['meterSerialNumber', 'vendorId', 'timeZone'],
  ),
  clock: section({ source: { type: 'string', enum: ['system', 'csms'] } }),
  csms: section(
    {
      // The agent appends `/<id>` to the path: no query or fragment.
      url: { type: 'string', format: 'ws-url', pattern: '^[^?#]*$' },
      password: text(255),
      securityProfile: integer(0, 3),
      allowPlainPassword: bool,
      tls: section({ caFile: text(4096), certFile: text(4096), keyFile: text(4096), ciphers: { type: 'string', pattern: '^[A-Za-z0-9@=+!_:.-]+$', maxLength: 2000 } }, ['caFile', 'certFile', 'keyFile']),
      callTimeoutMs: integer(1000, 600_000),
      // 0 (no pings) or at least a second.
      pingIntervalMs: { ...integer(0, 3_600_000), not: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 1000 } },
      fallbackUrls: { type: 'array', items: { type: 'string', format: 'ws-url', pattern: '^[^?#]*$' }, maxItems: 8 },
    },
    ['password'],
  ),
  hal: section({
    driver: { type: 'string', enum: ['sim', 'serial'] },
    sim: section({
      evConnected: bool,
      tamperSwitch: bool,
      temperatureSensor: bool,
      ev: section({ batteryKWh: decimal(1, 300), soc: decimal(0, 1), maxCurrentA: decimal(6, 80), phases }),
    }),
    serial: SERIAL_SCHEMA,
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
      tls: section({ caFile: text(4096), certFile: text(4096), keyFile: text(4096) }, ['caFile', 'certFile', 'keyFile']),
      commands: bool,
      // startIdTag: an OCPP 1.6 IdToken (CiString20).
      homeAssistant: section({ enabled: bool, discoveryPrefix: { type: 'string', pattern: '^[^#+/\\s][^#+\\s]{0,62}[^#+/\\s]$|^[^#+/\\s]$' }, startIdTag: text(20) }, ['enabled', 'startIdTag']),
    },
    ['username', 'password', 'idTagSalt', 'tls'],
  ),
  display: DISPLAY_SCHEMA,
  // host: a name or an IP address to bind (no scheme, port or path).
  dashboard: section({ enabled: bool, host: { type: 'string', pattern: '^[A-Za-z0-9.:%_-]{1,253}$' }, port: integer(0, 65_535), password: text(255) }, ['password']),
  dataDir: text(4096),
  firmware: section({ installer: { type: 'string', maxLength: 4096 }, manufacturerRootsDir: { type: 'string', maxLength: 4096 }, stallTimeoutS: integer(1, 3600) }),
  sessionHistory: section({ maxSessions: integer(0, 1_000_000), maxDays: integer(0, 36_500) }),
  log: section({ level: { type: 'string', enum: LOG_LEVELS } }),
  // Names and values are checked against configurationKeys.ts below.
  ocpp: { type: 'object' },
});

/**
 * What each key expects, in words: by key path, then (where it differs) by the schema keyword
 * that failed, with `''` for every other keyword. A missing key gets its `type` message.
 */
const EXPECTED: ExpectedTable = {
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
  'chargePoint.vendorId': 'expected a DataTransfer vendor id of 1 to 255 characters (e.g. a reversed domain name)',
  'chargePoint.thermal': 'expected a section (thermal: deratingStartC, cutoffC)',
  'chargePoint.thermal.deratingStartC': 'expected a temperature from -20 to 150 °C (where the offer starts to fall)',
  'chargePoint.thermal.cutoffC': 'expected a temperature from -20 to 150 °C (where the EVSE stops offering power), above deratingStartC',
  'chargePoint.ventilation': 'expected true or false (or 1/0, yes/no, on/off): the charger can ventilate (pilot state D)',
  'chargePoint.timeZone': 'expected an IANA time zone name such as Europe/Berlin or UTC (recurring charging profiles repeat in it)',
  clock: 'expected a section (clock: source)',
  'clock.source': 'expected "system" (trust the host clock) or "csms" (take the time from the CSMS: a board without RTC/NTP)',
  csms: 'expected a section (csms: url, callTimeoutMs, …)',
  'csms.url': {
    '': 'expected a ws:// or wss:// URL',
    pattern: 'expected a ws:// or wss:// URL without query or fragment (the charge point id is appended to its path)',
  },
  'csms.password': 'expected a password of 1 to 255 characters',
  'csms.securityProfile': 'expected an OCPP security profile: 0 (none), 1 (password over ws://), 2 (password over TLS) or 3 (TLS with a client certificate)',
  'csms.allowPlainPassword': 'expected true or false (or 1/0, yes/no, on/off): allow a password over plain ws:// to another host than 127.0.0.1',
  'csms.tls': 'expected a section (tls: caFile, certFile, keyFile, ciphers)',
  'csms.tls.caFile': "expected the path of a PEM file with the CA certificate(s) the CSMS's certificate must chain to",
  'csms.tls.certFile': "expected the path of a PEM file with the charger's client certificate (security profile 3; needs keyFile)",
  'csms.tls.keyFile': "expected the path of a PEM file with the client certificate's private key (needs certFile)",
  'csms.tls.ciphers': 'expected an OpenSSL cipher list (names separated by :), e.g. ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
  'csms.callTimeoutMs': 'expected an integer from 1000 to 600000',
  'csms.pingIntervalMs': { '': 'expected an integer from 0 to 3600000', not: 'expected 0 (no pings) or 1000 to 3600000 ms' },
  'csms.fallbackUrls': { '': 'expected a list of ws:// or wss:// URLs (fallback CSMSs)', maxItems: 'expected at most 8 fallback URLs (connection profiles 2 to 9)' },
  'csms.fallbackUrls[]': {
    '': 'expected a ws:// or wss:// URL',
    pattern: 'expected a ws:// or wss:// URL without query or fragment (the charge point id is appended to its path)',
  },
  hal: 'expected a section (hal: driver, sim, serial)',
  'hal.driver': 'expected "sim" (simulated devices) or "serial" (real devices, hal.serial)',
  'hal.sim': 'expected a section (sim: evConnected, tamperSwitch, temperatureSensor, ev)',
  'hal.sim.evConnected': 'expected true or false (or 1/0, yes/no, on/off)',
  'hal.sim.tamperSwitch': 'expected true or false (or 1/0, yes/no, on/off)',
  'hal.sim.temperatureSensor': 'expected true or false (or 1/0, yes/no, on/off)',
  'hal.sim.ev': 'expected a section (ev: batteryKWh, soc, maxCurrentA, phases)',
  'hal.sim.ev.batteryKWh': 'expected a battery capacity from 1 to 300 kWh',
  'hal.sim.ev.soc': 'expected a state of charge from 0 to 1 (a fraction, not %)',
  'hal.sim.ev.maxCurrentA': 'expected a current from 6 to 80 A',
  'hal.sim.ev.phases': 'expected 1 or 3 (phases)',
  ...SERIAL_EXPECTED,
  telemetry: 'expected a section (telemetry: url, prefix, intervalS, queueLimit, idTag)',
  'telemetry.url': 'expected an mqtt://, mqtts://, ws:// or wss:// broker URL, or empty (telemetry off)',
  'telemetry.username': 'expected a user name of 1 to 255 characters',
  'telemetry.password': 'expected a password of 1 to 255 characters',
  'telemetry.prefix': 'expected 1 to 64 characters of MQTT topic levels, without + # or spaces, not starting or ending with /',
  'telemetry.intervalS': 'expected an integer from 0 to 86400 (seconds; 0 = only on change)',
  'telemetry.queueLimit': 'expected an integer from 1 to 1000000 (messages kept while the broker is away)',
  'telemetry.idTag': 'expected "hash" (default: a salted SHA-256 of the idTag) or "raw"',
  'telemetry.idTagSalt': 'expected a salt of 1 to 255 characters',
  'telemetry.tls': 'expected a section (tls: caFile, certFile, keyFile)',
  'telemetry.tls.caFile': "expected the path of a PEM file with the CA certificate(s) that signed the broker's certificate",
  'telemetry.tls.certFile': 'expected the path of a PEM file with the client certificate (mutual TLS; needs keyFile)',
  'telemetry.tls.keyFile': "expected the path of a PEM file with the client certificate's private key (needs certFile)",
  'telemetry.commands': 'expected true or false (or 1/0, yes/no, on/off): accept MQTT commands',
  'telemetry.homeAssistant': 'expected a section (homeAssistant: enabled, discoveryPrefix, startIdTag)',
  'telemetry.homeAssistant.enabled': 'expected true or false (or 1/0, yes/no, on/off): publish (true) or remove (false) the discovery configs',
  'telemetry.homeAssistant.discoveryPrefix': 'expected MQTT topic levels without + # or spaces (Home Assistant uses homeassistant)',
  'telemetry.homeAssistant.startIdTag': 'expected an idTag of 1 to 20 characters (the Start button starts sessions with it)',
  ...DISPLAY_EXPECTED,
  dashboard: 'expected a section (dashboard: enabled, host, port, password)',
  'dashboard.enabled': 'expected true or false (or 1/0, yes/no, on/off): serve the local web dashboard',
  'dashboard.host': 'expected an address or host name to listen on, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
  'dashboard.port': 'expected a TCP port from 0 to 65535 (0: any free port)',
  'dashboard.password': 'expected a password of 1 to 255 characters',
  dataDir: 'expected a directory path of 1 to 4096 characters',
  firmware: 'expected a section (firmware: installer, manufacturerRootsDir, stallTimeoutS)',
  'firmware.installer': 'expected the path of the executable that installs firmware images on this board, or empty (the simulator\'s version file)',
  'firmware.manufacturerRootsDir': 'expected a directory path of ManufacturerRootCertificate PEM files, or empty (<dataDir>/certificates/manufacturer)',
  'firmware.stallTimeoutS': 'expected an integer from 1 to 3600 (seconds without data before a download is retried)',
  sessionHistory: 'expected a section (sessionHistory: maxSessions, maxDays)',
  'sessionHistory.maxSessions': 'expected an integer from 0 to 1000000 (sessions kept in the history; 0 = no history)',
  'sessionHistory.maxDays': 'expected an integer from 0 to 36500 (days of history kept; 0 = no age limit)',
  log: 'expected a section (log: level)',
  'log.level': `expected a log level: ${LOG_LEVELS.slice(0, -1).join(', ')} or ${LOG_LEVELS.at(-1)}`,
  ocpp: 'expected a section of OCPP configuration keys (text, number, true/false or a list of text)',
};

const validate = compileSchema(SCHEMA);

// ── parsing ─────────────────────────────────────────────────────────────────────────────────

/** The cut-off must lie above the start of derating (the offer falls between them). */
function thermalIssues(t: Settings['chargePoint']['thermal']): SettingsIssue[] {
  return t.cutoffC > t.deratingStartC ? [] : [{ path: 'chargePoint.thermal.cutoffC', message: `expected a temperature above chargePoint.thermal.deratingStartC (${t.deratingStartC} °C), got ${t.cutoffC}` }];
}

/** Validates a raw settings tree (from node-config); throws a {@link SettingsError} naming every bad key. */
export function parseSettings(raw: unknown): Settings {
  const tree = convertStrings(SCHEMA, raw, EMPTY_MEANS_UNSET);
  const issues = validate(tree) ? [] : uniqueByPath((validate.errors ?? []).map((error) => describeError(error, raw, EXPECTED, SECRET_PATHS)));
  const { version, keys } = isRecord(raw) && isRecord(raw.ocpp) ? splitOcppVersion(raw.ocpp) : { version: undefined, keys: isRecord(raw) ? raw.ocpp : undefined };
  replacedKeys(raw, issues);
  const ocpp = checkOcppKeys(keys, issues);
  const ocppVersions = checkOcppVersion(version, issues);
  if (issues.length === 0) issues.push(...connectionProfileIssues(tree as unknown as Settings, ocpp ?? {}));
  if (issues.length === 0 && (tree as Settings).hal.driver === 'serial') issues.push(...planSerial(tree as Settings).issues);
  if (issues.length === 0) issues.push(...checkDisplay((tree as Settings).display, (tree as Settings).hal.driver));
  if (issues.length === 0) issues.push(...dashboardIssues((tree as Settings).dashboard));
  if (issues.length === 0) issues.push(...thermalIssues((tree as Settings).chargePoint.thermal));
  if (issues.length > 0) throw new SettingsError(issues.sort(bySchemaOrder(SCHEMA)));
  const settings = tree as { csms: { url: string; fallbackUrls: string[] }; ocpp: unknown; ocppVersion: OcppVersion; ocppVersions: readonly OcppVersion[] };
  // The agent appends `/<id>`: a trailing slash would make the path `//<id>`.
  settings.csms.url = settings.csms.url.replace(/\/+$/, '');
  settings.csms.fallbackUrls = (settings.csms.fallbackUrls ?? []).map((url) => url.replace(/\/+$/, ''));
  settings.ocpp = ocpp;
  settings.ocppVersion = ocppVersions[0]!;
  settings.ocppVersions = ocppVersions;
  return deepFreeze(settings as unknown as Settings);
}

// An empty password or file (e.g. a blank template variable) means none.
const EMPTY_MEANS_UNSET = new Set(['chargePoint.timeZone', 'csms.password', 'csms.tls.caFile', 'csms.tls.certFile', 'csms.tls.keyFile', 'dashboard.password', ...DISPLAY_EMPTY_MEANS_UNSET]);

/** `localhost`, 127.0.0.0/8 and ::1: only this machine can reach the dashboard. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The dashboard controls the charger: reachable from elsewhere, it must ask for a password. */
function dashboardIssues(d: Settings['dashboard']): SettingsIssue[] {
  if (!d.enabled || isLoopbackHost(d.host) || d.password !== undefined) return [];
  return [{ path: 'dashboard.password', message: `expected a password of 1 to 255 characters: required when dashboard.host (${d.host}) is not a loopback address (127.0.0.1, ::1, localhost)` }];
}

/**
 * Settings that were replaced: named with their successor instead of "unknown key".
 * csms.reconnect (initialDelayMs, maxDelayMs) became the OCPP keys of the OCPP 2.0.1 back-off.
 */
function replacedKeys(raw: unknown, issues: SettingsIssue[]): void {
  if (!isRecord(raw) || !isRecord(raw.csms) || raw.csms.reconnect === undefined) return;
  const at = issues.findIndex((i) => i.path === 'csms.reconnect');
  const issue = { path: 'csms.reconnect', message: 'replaced by the OCPP keys ocpp.RetryBackOffWaitMinimum, ocpp.RetryBackOffRandomRange and ocpp.RetryBackOffRepeatTimes (seconds; README.md, Reconnecting and fallback CSMSs)' };
  if (at >= 0) issues[at] = issue;
  else issues.push(issue);
}

/** Fallback CSMSs connect with csms.url's security settings, so they share its scheme; the priority names only profiles that exist. */
function connectionProfileIssues(s: Settings, ocpp: Record<string, ConfigValue>): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const scheme = new URL(s.csms.url).protocol;
  s.csms.fallbackUrls?.forEach((url, i) => {
    if (new URL(url).protocol !== scheme) issues.push({ path: `csms.fallbackUrls[${i}]`, message: `expected a ${scheme}// URL like csms.url (a fallback connects with its security settings), got "${url}"` });
  });
  const profiles = 1 + (s.csms.fallbackUrls?.length ?? 0);
  const priority = ocpp.NetworkConfigurationPriority;
  const bad = typeof priority === 'string' ? priority.split(',').find((slot) => slot !== '' && Number(slot) > profiles) : undefined;
  if (bad !== undefined) issues.push({ path: 'ocpp.NetworkConfigurationPriority', message: `expected connection profile slots from 1 to ${profiles} (1: csms.url, 2…: csms.fallbackUrls), got slot ${bad}` });
  return issues;
}

/** Checks the `ocpp:` map (names in any case; canonical names out). Adds its problems to `issues`. */
function checkOcppKeys(entries: unknown, issues: SettingsIssue[]): Record<string, ConfigValue> | undefined {
  if (!isRecord(entries)) return undefined; // reported by the schema
  const checked = checkInitialValues(entries);
  for (const issue of checked.issues) {
    const path = `ocpp.${issue.name}`;
    issues.push('message' in issue ? { path, message: issue.message } : describe(path, issue.expected, issue.input));
  }
  return checked.values;
}

/**
 * `ocpp:` holds the OCPP configuration keys and, under `version`, the version spoken (no OCPP key
 * is called that): the two apart.
 */
function splitOcppVersion(entries: Record<string, unknown>): { version: unknown; keys: Record<string, unknown> } {
  const { version, ...keys } = entries;
  return { version, keys };
}

/**
 * `ocpp.version`: 1.6 (also when unset) or 2.0.1 (YAML may give 1.6 as a number); or the versions
 * offered in order of preference, `2.0.1,1.6` (`auto`: that order), for the CSMS to choose.
 */
function checkOcppVersion(value: unknown, issues: SettingsIssue[]): OcppVersion[] {
  if (value === undefined || value === '') return ['1.6'];
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value).trim();
    const words = text === 'auto' ? ['2.0.1', '1.6'] : text.split(',').map((w) => w.trim());
    const versions = words.map((w) => OCPP_VERSIONS.find((v) => v === w));
    if (versions.every((v) => v !== undefined) && new Set(versions).size === versions.length) return versions as OcppVersion[];
  }
  issues.push(describe('ocpp.version', 'expected the OCPP version spoken: 1.6 or 2.0.1, or both offered in order of preference: 2.0.1,1.6 (or auto, the same) or 1.6,2.0.1', value));
  return ['1.6'];
}

// Secrets never appear in messages.
const SECRET_PATHS = new Set(['csms.password', 'telemetry.password', 'dashboard.password']);

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
