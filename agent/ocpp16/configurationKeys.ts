/**
 * The OCPP 1.6 configuration keys this charge point knows (§9.1 Core, §9.2 LocalAuthListManagement,
 * §9.3 Reservation, §9.4 SmartCharging, and vendor keys at the end): type, access, default, validation. One module-level table shared by every
 * charger; a charger stores only its overrides (see agent/store/OcppConfiguration.ts).
 */
import type { MeterValuesRequest } from './messages.js';
import { isTimeZone } from '../chargingLimits/localTime.js';

export type Measurand = NonNullable<MeterValuesRequest['meterValue'][number]['sampledValue'][number]['measurand']>;

/**
 * Measurands our metering can supply: what a Modbus meter measures (energy register, power,
 * current, voltage, frequency), what the charger itself knows (the offered current/power), the
 * EV's state of charge and the EVSE's temperature (where the hardware has them: measurandsUnavailableOn).
 * The CSMS may only configure these; anything else is Rejected.
 */
export const SUPPORTED_MEASURANDS: readonly Measurand[] = [
  'Energy.Active.Import.Register',
  'Energy.Active.Import.Interval',
  'Power.Active.Import',
  'Power.Offered',
  'Current.Import',
  'Current.Offered',
  'Voltage',
  'Frequency',
  'SoC',
  'Temperature',
];

export const FEATURE_PROFILES = ['Core', 'FirmwareManagement', 'LocalAuthListManagement', 'Reservation', 'SmartCharging', 'RemoteTrigger'] as const;

const PHASE_ROTATION = /^(\d+\.)?(NotApplicable|Unknown|RST|RTS|SRT|STR|TRS|TSR)$/;

export type ConfigValue = number | boolean | string;
export type KeyType = 'integer' | 'boolean' | 'string' | 'csl';

export interface KeyDefinition {
  readonly type: KeyType;
  /** Read-only for the CSMS (ChangeConfiguration → Rejected); set by the charger at start. */
  readonly readonly: boolean;
  /** Default value; a CSL is stored as its normalised comma-separated string. */
  readonly default: ConfigValue;
  /** Inclusive integer range. */
  readonly min?: number;
  readonly max?: number;
  /** CSL: allowed members (list or pattern). */
  readonly members?: readonly string[] | RegExp;
  /** CSL: integer key holding the maximum number of members. */
  readonly maxItemsKey?: string;
  /** A change only takes effect after a reboot (ChangeConfiguration answers RebootRequired). */
  readonly rebootRequired?: boolean;
  /**
   * Decided and stored by a service (OcppConfiguration.delegate), never by the store: without the
   * service a ChangeConfiguration is Rejected, and no config file may set it (`ocpp:` in settings).
   */
  readonly owned?: boolean;
  /** Never reported (GetConfiguration shows the key without a value): a secret. */
  readonly writeOnly?: boolean;
  /**
   * An OCPP 2.0.1 variable with nothing to act on under 1.6: a 1.6 CSMS does not see it
   * (GetConfiguration: unknownKey when named, absent from the full list; ChangeConfiguration:
   * NotSupported). It stays a setting (`ocpp:`) and a device-model variable.
   */
  readonly only201?: boolean;
  /**
   * String or CSL (normalised): what is wrong with a value (Rejected), or undefined when it is fine.
   * `intOf` reads another integer key's current value (undefined when not known here).
   */
  readonly check?: (value: string, intOf: (key: string) => number | undefined) => string | undefined;
}

/** Languages the display has texts in (agent/display/texts.ts; a test keeps the two lists equal). */
export const DISPLAY_LANGUAGES = ['en', 'de'] as const;

const isPrice = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** A key's value as a JSON object, or what is wrong with it. */
function jsonObjectOf(value: string): Record<string, unknown> | string {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return 'not JSON';
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : 'not a JSON object';
}

/** OCA California Pricing DefaultPrice: JSON {priceText, priceTextOffline?, chargingPrice?{kWhPrice, hourPrice, flatFee}}; '' for none. */
function defaultPriceProblem(value: string): string | undefined {
  if (value === '') return undefined;
  const o = jsonObjectOf(value);
  if (typeof o === 'string') return o;
  if (typeof o.priceText !== 'string') return 'priceText missing';
  if (o.priceTextOffline !== undefined && typeof o.priceTextOffline !== 'string') return 'priceTextOffline not text';
  const cp = o.chargingPrice as Record<string, unknown> | undefined;
  if (cp !== undefined && (typeof cp !== 'object' || cp === null || Object.values(cp).some((p) => !isPrice(p)))) return 'chargingPrice not prices';
  return undefined;
}

/** OCA DefaultPriceText,<language>: JSON {priceText, priceTextOffline?}; '' for none. */
function priceTextProblem(value: string): string | undefined {
  if (value === '') return undefined;
  const o = jsonObjectOf(value);
  if (typeof o === 'string') return o;
  if (typeof o.priceText !== 'string' || o.priceText === '') return 'priceText missing';
  if (o.priceTextOffline !== undefined && typeof o.priceTextOffline !== 'string') return 'priceTextOffline not text';
  return undefined;
}

/** A UTC offset as RFC 3339 writes it (+01:00, -08:00), as the OCA TimeOffset keys take it. */
export const UTC_OFFSET = /^[+-](?:0\d|1[0-4]):[0-5]\d$/;
const offsetProblem = (value: string): string | undefined => (value === '' || UTC_OFFSET.test(value) ? undefined : 'not a UTC offset such as +01:00 or -08:00');
const dateTimeProblem = (value: string): string | undefined =>
  value === '' || (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value))) ? undefined : 'not an RFC 3339 date-time with offset';
/** A price of the charger's own estimate: a decimal of 0 or more, or '' for none. */
const offlinePrice = { type: 'string', readonly: false, default: '', check: (v: string) => (v === '' || (/^\d+(\.\d+)?$/.test(v) && Number.isFinite(Number(v))) ? undefined : 'not a price (a decimal of 0 or more, or empty)') } as const;
const priceText = { type: 'string', readonly: false, default: '', check: priceTextProblem } as const;

// Interval keys stop below 2^31 ms: Node timers (which a SystemClock arms) overflow beyond that.
const SECONDS = { type: 'integer', readonly: false, min: 0, max: 2_147_483 } as const;
const rw = <T extends KeyType, V extends ConfigValue>(type: T, dflt: V) => ({ type, readonly: false, default: dflt }) as const;
const ro = <T extends KeyType, V extends ConfigValue>(type: T, dflt: V) => ({ type, readonly: true, default: dflt }) as const;
const measurands = (dflt: string, maxItemsKey: string) =>
  ({ type: 'csl', readonly: false, default: dflt, members: SUPPORTED_MEASURANDS, maxItemsKey }) as const;

/** TxStartPoint / TxStopPoint members (OCPP 2.0.1 TxStartStopPointEnumType, in the specification's order). */
export const TX_POINTS = ['ParkingBayOccupancy', 'EVConnected', 'Authorized', 'DataSigned', 'PowerPathClosed', 'EnergyTransfer'] as const;

export const CONFIGURATION_KEYS = {
  // §9.1 Core profile
  AllowOfflineTxForUnknownId: rw('boolean', false),
  AuthorizationCacheEnabled: rw('boolean', true),
  // The CSMS already authorized the idTag it sends in RemoteStart; authorizing again is opt-in.
  AuthorizeRemoteTxRequests: rw('boolean', false),
  ClockAlignedDataInterval: { ...SECONDS, default: 0 },
  ConnectionTimeOut: { ...SECONDS, default: 60 },
  ConnectorPhaseRotation: { type: 'csl', readonly: false, default: '0.Unknown', members: PHASE_ROTATION, maxItemsKey: 'ConnectorPhaseRotationMaxLength' },
  // One entry for the grid connection (0) and one per connector: set from NumberOfConnectors at start.
  ConnectorPhaseRotationMaxLength: { ...ro('integer', 2), min: 1 },
  GetConfigurationMaxKeys: { ...ro('integer', 50), min: 1 },
  HeartbeatInterval: { ...SECONDS, default: 300 },
  LocalAuthorizeOffline: rw('boolean', true),
  LocalPreAuthorize: rw('boolean', false),
  // Wh an EV may still draw after the CSMS invalidated the idTag of its running transaction, while
  // StopTransactionOnInvalidId is false; 0 suspends at once.
  MaxEnergyOnInvalidId: { type: 'integer', readonly: false, default: 0, min: 0, max: 1_000_000_000 },
  MeterValuesAlignedData: measurands('Energy.Active.Import.Register', 'MeterValuesAlignedDataMaxLength'),
  MeterValuesAlignedDataMaxLength: ro('integer', SUPPORTED_MEASURANDS.length),
  MeterValuesSampledData: measurands('Energy.Active.Import.Register', 'MeterValuesSampledDataMaxLength'),
  MeterValuesSampledDataMaxLength: ro('integer', SUPPORTED_MEASURANDS.length),
  MeterValueSampleInterval: { ...SECONDS, default: 60 },
  MinimumStatusDuration: { ...SECONDS, default: 0 },
  NumberOfConnectors: { ...ro('integer', 1), min: 1 },
  // Retries of a restart after a Reset that failed (bin/runAgent.ts: back-off 2 s, 4 s, … 60 s);
  // once they are used up, `evse run` exits for the service manager to start it again.
  ResetRetries: { type: 'integer', readonly: false, default: 3, min: 0, max: 100 },
  StopTransactionOnEVSideDisconnect: rw('boolean', true),
  StopTransactionOnInvalidId: rw('boolean', true),
  StopTxnAlignedData: measurands('', 'StopTxnAlignedDataMaxLength'),
  StopTxnAlignedDataMaxLength: ro('integer', SUPPORTED_MEASURANDS.length),
  StopTxnSampledData: measurands('', 'StopTxnSampledDataMaxLength'),
  StopTxnSampledDataMaxLength: ro('integer', SUPPORTED_MEASURANDS.length),
  // The charger states its profiles at start (bin/agentIdentity.ts, with LocalAuthListManagement);
  // this default is only what a store opened without them reports.
  SupportedFeatureProfiles: { ...ro('csl', 'Core,Reservation,SmartCharging,RemoteTrigger'), members: FEATURE_PROFILES, maxItemsKey: 'SupportedFeatureProfilesMaxLength' },
  SupportedFeatureProfilesMaxLength: ro('integer', FEATURE_PROFILES.length),
  TransactionMessageAttempts: { type: 'integer', readonly: false, default: 3, min: 1, max: 100 },
  TransactionMessageRetryInterval: { ...SECONDS, default: 60 },
  UnlockConnectorOnEVSideDisconnect: rw('boolean', true),
  // 0 disables WebSocket pings (§9.1).
  WebSocketPingInterval: { ...SECONDS, default: 60 },
  // §9.2 LocalAuthListManagement
  LocalAuthListEnabled: rw('boolean', true),
  LocalAuthListMaxLength: { ...ro('integer', 1000), min: 0 },
  SendLocalListMaxLength: { ...ro('integer', 100), min: 0 },
  // §9.3 Reservation
  // Connector 0 reservations hold the last free connector (agent/sessions/Reservations.ts).
  ReserveConnectorZeroSupported: ro('boolean', true),
  // §9.4 SmartCharging (agent/chargingLimits/). The charger cannot switch a session between 3 and 1
  // phases: numberPhases only converts W to A.
  ChargeProfileMaxStackLevel: { ...ro('integer', 8), min: 0 },
  ChargingScheduleAllowedChargingRateUnit: { ...ro('csl', 'Current,Power'), members: ['Current', 'Power'] },
  ChargingScheduleMaxPeriods: { ...ro('integer', 24), min: 1 },
  ConnectorSwitch3to1PhaseSupported: ro('boolean', false),
  MaxChargingProfilesInstalled: { ...ro('integer', 16), min: 1 },
  // OCA "California Pricing" for 1.6 (agent/pricing/): true when the charger shows prices and costs
  // (it has a display; set at start); cost values shown with this many decimals.
  CustomDisplayCostAndPrice: ro('boolean', false),
  NumberOfDecimalsForCostValues: { type: 'integer', readonly: false, default: 2, min: 0, max: 6 },
  // The charger sends ConnectorUnplugged when the vehicle leaves after a transaction (an idle fee
  // may run until then); false: it does not.
  CustomIdleFeeAfterStop: rw('boolean', true),
  // Shown on the idle screen: priceText, or priceTextOffline while the CSMS is unreachable.
  DefaultPrice: { type: 'string', readonly: false, default: '', check: defaultPriceProblem },
  // Per display language (OCA v3 multi-language): {priceText, priceTextOffline?}, shown instead of
  // DefaultPrice's texts when the display speaks that language. One key per SupportedLanguages member.
  'DefaultPriceText,en': priceText,
  'DefaultPriceText,de': priceText,
  // true when the charger shows the CSMS's texts in the driver's language (priceTextExtra; set at start with a display).
  CustomMultiLanguageMessages: ro('boolean', false),
  // OCPP 2.0.1 TariffCostCtrlr (I04, I05), the same under 1.6: the tariff shown where a session can
  // start when DefaultPrice gives none, and the text with the summary of a session that ended
  // offline without a cost from the CSMS.
  TariffFallbackMessage: { type: 'string', readonly: false, default: '', check: (v) => (v.length > 255 ? 'longer than 255 characters' : undefined) },
  TotalCostFallbackMessage: { type: 'string', readonly: false, default: '', check: (v) => (v.length > 255 ? 'longer than 255 characters' : undefined) },
  // OCPP 2.0.1 TariffCostCtrlr.TariffFallbackMessage[Offline] and OfflineChargingPrice[…]: the
  // tariff shown while the CSMS is unreachable, and the prices of the charger's own estimate,
  // where DefaultPrice gives none (its priceTextOffline and chargingPrice come first).
  OfflineTariffFallbackMessage: { type: 'string', readonly: false, default: '', check: (v) => (v.length > 255 ? 'longer than 255 characters' : undefined) },
  'OfflineChargingPrice,kWhPrice': offlinePrice,
  'OfflineChargingPrice,hourPrice': offlinePrice,
  'OfflineChargingPrice,flatFee': offlinePrice,
  // Whether the display shows the driver's tariffs, the costs, and the operator's messages (OCPP
  // 2.0.1 TariffCostCtrlr.Enabled[Tariff], [Cost], DisplayMessageCtrlr.Enabled; vendor keys under 1.6).
  TariffEnabled: rw('boolean', true),
  CostEnabled: rw('boolean', true),
  DisplayMessagesEnabled: rw('boolean', true),
  // The local time shown to the driver (OCA "Timezone for Display"): UTC offset, and the offset
  // that applies from NextTimeOffsetTransitionDateTime on (summer/winter time).
  TimeOffset: { type: 'string', readonly: false, default: '+00:00', check: (v) => (v === '' ? 'empty' : offsetProblem(v)) },
  NextTimeOffsetTransitionDateTime: { type: 'string', readonly: false, default: '', check: dateTimeProblem },
  TimeOffsetNextTransition: { type: 'string', readonly: false, default: '', check: offsetProblem },
  // The IANA time zone recurring charging profiles repeat in (OCPP 2.0.1 ClockCtrlr.TimeZone; a
  // vendor key under 1.6); empty: chargePoint.timeZone of the settings (UTC without one). Read once,
  // when the charger starts (the charging-limit service is built with it): a change is stored and
  // answered RebootRequired, and applies from the next start.
  TimeZone: { type: 'string', readonly: false, default: '', rebootRequired: true, check: (v) => (v === '' || isTimeZone(v) ? undefined : 'not an IANA time zone name such as Europe/Berlin or UTC') },
  // The display's language (one of SupportedLanguages); its initial value is display.language.
  Language: { type: 'string', readonly: false, default: 'en', check: (v) => ((DISPLAY_LANGUAGES as readonly string[]).includes(v) ? undefined : `not one of ${DISPLAY_LANGUAGES.join(',')}`) },
  SupportedLanguages: { ...ro('csl', DISPLAY_LANGUAGES.join(',')), members: DISPLAY_LANGUAGES },
  // Vendor key: after a power cut, continue a transaction whose EV is still plugged in and whose
  // idTag is still valid (same transactionId) instead of ending it with reason PowerLoss.
  ResumeTransactionOnPowerLoss: rw('boolean', false),
  // Vendor key: a service visit. While true, opening the cabinet (TamperSensor) is allowed; setting
  // it also puts a charger that detected tampering back in service (agent/tamper/TamperGuard.ts).
  MaintenanceMode: rw('boolean', false),
  // OCPP 2.0.1 MonitoringCtrlr.OfflineQueuingSeverity (agent/ocpp/v201/NotifyEvents.ts): offline, a
  // NotifyEvent is kept for later only with a severity number up to this (0 Danger … 9 Debug).
  // Under 1.6 a vendor key without effect (1.6 has no NotifyEvent).
  OfflineQueuingSeverity: { type: 'integer', readonly: false, default: 9, min: 0, max: 9 },
  // OCPP 2.0.1 SmartChargingCtrlr.LimitChangeSignificance (a fraction: 0.1 = 10 %): a change of the
  // limit in force for a running transaction by more than this is a TransactionEvent Updated
  // (ChargingRateChanged), one of an external (local) limit a NotifyChargingLimit. Under 1.6 a
  // vendor key without effect (1.6 reports neither).
  LimitChangeSignificance: { type: 'string', readonly: false, default: '0.1', check: (v) => (/^\d+(\.\d+)?$/.test(v) && Number(v) <= 1 ? undefined : 'not a fraction from 0 to 1 (0.1 = 10 %)') },
  // OCPP 1.6 Security Whitepaper (edition 3). AuthorizationKey and SecurityProfile are owned by the
  // security service (agent/security/CsmsCredentials.ts): write-only and raise-only, stored 0600.
  AdditionalRootCertificateCheck: ro('boolean', false),
  AuthorizationKey: { ...rw('string', ''), owned: true, writeOnly: true },
  CertificateSignedMaxChainSize: ro('integer', 10_000),
  CertificateStoreMaxLength: { ...ro('integer', 20), min: 1 },
  CpoName: rw('string', ''),
  SecurityProfile: { type: 'integer', readonly: false, default: 0, min: 0, max: 3, owned: true },
  // Reconnecting (the OCPP 2.0.1 OCPPCommCtrlr variables of the same names; vendor keys under 1.6,
  // agent/ocpp/backoff.ts): the n-th reconnect after a lost connection waits
  // RetryBackOffWaitMinimum · 2^min(n-1, RetryBackOffRepeatTimes) + a random part of up to
  // RetryBackOffRandomRange seconds. Read at every attempt: a change applies to the next one.
  RetryBackOffWaitMinimum: { type: 'integer', readonly: false, default: 3, min: 0, max: 3600 },
  RetryBackOffRandomRange: { type: 'integer', readonly: false, default: 10, min: 0, max: 3600 },
  RetryBackOffRepeatTimes: { type: 'integer', readonly: false, default: 3, min: 0, max: 20 },
  // Connection profiles (agent/ocpp/ConnectionProfiles.ts): slot 1 is csms.url, slots 2… the
  // csms.fallbackUrls in order; the charger states how many it has at start.
  NetworkConnectionProfiles: { ...ro('integer', 1), min: 1, max: 9 },
  // The slots to try, most preferred first; empty: every profile in slot order. A slot that is not
  // a profile of this charger is Rejected.
  NetworkConfigurationPriority: { type: 'csl', readonly: false, default: '', members: /^[1-9]$/, check: prioritySlotProblem },
  // Failed connection attempts on one profile before the next in NetworkConfigurationPriority is tried.
  NetworkProfileConnectionAttempts: { type: 'integer', readonly: false, default: 3, min: 1, max: 100 },
  // OCPP 2.0.1 OCPPCommCtrlr.OfflineThreshold (B04, agent/ocpp/v201/Ocpp201Outbound.ts), seconds:
  // after a reconnection without a new boot, an outage longer than this is followed by a
  // StatusNotification of every EVSE, a shorter one only by those whose status is not the one the
  // CSMS last received. 0 (default): every EVSE after every reconnection. Not a 1.6 key: a 1.6
  // charger boots on every connection and then reports every connector (OCPP 1.6 has no equivalent).
  OfflineThreshold: { type: 'integer', readonly: false, default: 0, min: 0, max: 2_592_000, only201: true },
  // OCPP 2.0.1 OCPPCommCtrlr.QueueAllMessages (a vendor key under 1.6, honoured the same;
  // agent/StatusReporter.ts): true keeps every status change that happens while the CSMS cannot be
  // reached (not only each connector's latest) and sends them in order, with their own timestamps,
  // after the next accepted registration. Transaction messages, NotifyEvents, security events,
  // firmware and log notifications wait whatever this says.
  QueueAllMessages: rw('boolean', false),
  // OCPP 2.0.1 ChargingStation.AllowNewSessionsPendingFirmwareUpdate (a vendor key under 1.6,
  // honoured the same; agent/firmware/FirmwareService.ts): false (default) holds every connector not
  // in use Unavailable while a staged firmware waits for the running transactions to end before its
  // reboot, and each one freed becomes so (L01.FR.07); true lets new sessions start meanwhile (the
  // reboot then waits for a moment without any).
  AllowNewSessionsPendingFirmwareUpdate: rw('boolean', false),
  // The authorization cache's rules (OCPP 2.0.1 AuthCacheCtrlr.LifeTime and .Policy; vendor keys
  // under 1.6, where they act the same on the one cache, agent/auth/AuthorizationCache.ts): an entry
  // without an expiry date of its own is forgotten AuthCacheLifeTime s after its last use (0: never),
  // and a full cache makes room by AuthCachePolicy (CUSTOM, the fourth 2.0.1 value, is not kept).
  AuthCacheLifeTime: { type: 'integer', readonly: false, default: 0, min: 0, max: 315_360_000 },
  AuthCachePolicy: { type: 'string', readonly: false, default: 'LRU', check: (v) => (['LRU', 'LFU', 'FIFO'].includes(v) ? undefined : 'not one of LRU,LFU,FIFO (this charger keeps no CUSTOM policy)') },
  // OCPP 2.0.1 AuthCtrlr.DisableRemoteAuthorization (a vendor key under 1.6, honoured the same): no
  // Authorize is sent; the local list and the cache alone decide, an identifier neither knows is refused.
  DisableRemoteAuthorization: rw('boolean', false),
  // OCPP 2.0.1 TxCtrlr.TxStartPoint / TxStopPoint (agent/ocpp/v201/transactionPoints.ts): where a
  // transaction begins and ends. Kept here so they survive restarts; only the 2.0.1 face acts on
  // them (it sets the connectors' TransactionPoints), under 1.6 vendor keys without effect (a 1.6
  // transaction always begins with an idTag). TxStopPoint '' is the 1.6 way: Authorized, and
  // EVConnected while StopTransactionOnEVSideDisconnect is true.
  TxStartPoint: { type: 'csl', readonly: false, default: 'PowerPathClosed', members: TX_POINTS, check: (v) => txPointProblem('start', v) },
  TxStopPoint: { type: 'csl', readonly: false, default: '', members: TX_POINTS, check: (v) => txPointProblem('stop', v) },
} as const satisfies Record<string, KeyDefinition>;

/**
 * Why this charger cannot honour a TxStartPoint / TxStopPoint value (members already checked), or
 * undefined: it has no parking bay sensor and no signed meter, and begins a transaction at the
 * latest when the power path closes (so not only once energy flows).
 */
export function txPointProblem(which: 'start' | 'stop', value: string): string | undefined {
  const members = value.split(',').filter((m) => m !== '');
  if (members.length === 0) return which === 'start' ? 'no start point given' : undefined;
  if (members.includes('ParkingBayOccupancy')) return 'ParkingBayOccupancy is not supported: this station has no parking bay sensor';
  if (members.includes('DataSigned')) return 'DataSigned is not supported: this station has no meter that signs its values';
  if (which === 'start' && members.includes('EnergyTransfer')) return 'EnergyTransfer is not supported as a start point: a transaction begins at the latest when the power path closes (PowerPathClosed)';
  return undefined;
}

function prioritySlotProblem(value: string, intOf: (key: string) => number | undefined): string | undefined {
  const profiles = intOf('NetworkConnectionProfiles');
  const bad = profiles === undefined ? undefined : value.split(',').find((slot) => slot !== '' && Number(slot) > profiles);
  return bad === undefined ? undefined : `slot ${bad} is not a connection profile of this charger (it has ${profiles})`;
}

// LightIntensity and BlinkRepeat (§9.1) are left out: no HAL device has a light to dim or blink.

export type ConfigurationKey = keyof typeof CONFIGURATION_KEYS;
type KeysOfType<T extends KeyType> = { [K in ConfigurationKey]: (typeof CONFIGURATION_KEYS)[K]['type'] extends T ? K : never }[ConfigurationKey];
export type IntegerKey = KeysOfType<'integer'>;
export type BooleanKey = KeysOfType<'boolean'>;
export type StringKey = KeysOfType<'string'>;
export type ListKey = KeysOfType<'csl'>;
export type WritableKey = { [K in ConfigurationKey]: (typeof CONFIGURATION_KEYS)[K]['readonly'] extends false ? K : never }[ConfigurationKey];

export const KEY_NAMES = Object.keys(CONFIGURATION_KEYS) as ConfigurationKey[];
const BY_LOWER_CASE = new Map(KEY_NAMES.map((k) => [k.toLowerCase(), k]));

/** The canonical key for a name (exact, then case-insensitive), or undefined if unknown. */
export function resolveKey(name: string): ConfigurationKey | undefined {
  return Object.hasOwn(CONFIGURATION_KEYS, name) ? (name as ConfigurationKey) : BY_LOWER_CASE.get(name.toLowerCase());
}

export function definitionOf(key: ConfigurationKey): KeyDefinition {
  return CONFIGURATION_KEYS[key];
}

/** The keys a 1.6 CSMS sees (GetConfiguration without keys): all but the 2.0.1 variables 1.6 has nothing to act on. */
export const KEY_NAMES_16: readonly ConfigurationKey[] = KEY_NAMES.filter((k) => definitionOf(k).only201 !== true);

/** Whether the key is a list of measurands (MeterValuesSampledData, StopTxnAlignedData, …). */
export function isMeasurandList(key: ConfigurationKey): boolean {
  return definitionOf(key).members === SUPPORTED_MEASURANDS;
}

/**
 * Read-only facts that follow from others when the charger does not state them itself:
 * ConnectorPhaseRotation has one entry for the grid connection and one per connector.
 */
export function derivedFacts(numberOfConnectors: number): Record<string, ConfigValue> {
  return { ConnectorPhaseRotationMaxLength: numberOfConnectors + 1 };
}

/** Outcome of parsing a value for a key. */
export type ParseResult = { ok: true; value: ConfigValue } | { ok: false; reason: string };

/**
 * Parses and validates a value (a ChangeConfiguration string, or a typed value from a config
 * file) for `key`. `maxItems` looks up the current value of an integer key (for CSL lengths).
 */
export function parseValue(key: ConfigurationKey, input: unknown, maxItems: (key: string) => number | undefined): ParseResult {
  const def = definitionOf(key);
  switch (def.type) {
    case 'integer': {
      const n = typeof input === 'number' ? input : typeof input === 'string' && /^\s*[-+]?\d+\s*$/.test(input) ? Number(input) : NaN;
      if (!Number.isSafeInteger(n)) return { ok: false, reason: 'not an integer' };
      if (def.min !== undefined && n < def.min) return { ok: false, reason: `below ${def.min}` };
      if (def.max !== undefined && n > def.max) return { ok: false, reason: `above ${def.max}` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof input === 'boolean') return { ok: true, value: input };
      const s = typeof input === 'string' ? input.trim().toLowerCase() : '';
      if (s === 'true' || s === 'false') return { ok: true, value: s === 'true' };
      return { ok: false, reason: 'not a boolean' };
    }
    case 'string': {
      if (typeof input !== 'string' || input.length > 500) return { ok: false, reason: 'not a string of at most 500 characters' };
      const problem = def.check?.(input, maxItems);
      return problem === undefined ? { ok: true, value: input } : { ok: false, reason: problem };
    }
    case 'csl': {
      const items = Array.isArray(input) ? input.map(String) : typeof input === 'string' ? input.split(',') : undefined;
      if (!items) return { ok: false, reason: 'not a comma-separated list' };
      const members = items.map((s) => s.trim()).filter((s) => s.length > 0);
      const allowed = def.members;
      const bad = members.find((m) => (allowed instanceof RegExp ? !allowed.test(m) : allowed !== undefined && !allowed.includes(m)));
      if (bad !== undefined) return { ok: false, reason: `'${bad}' is not allowed` };
      if (new Set(members).size !== members.length) return { ok: false, reason: 'duplicate members' };
      const max = def.maxItemsKey === undefined ? undefined : maxItems(def.maxItemsKey);
      if (max !== undefined && members.length > max) return { ok: false, reason: `more than ${max} members` };
      const value = members.join(',');
      if (value.length > 500) return { ok: false, reason: 'longer than 500 characters' };
      const problem = def.check?.(value, maxItems);
      return problem === undefined ? { ok: true, value } : { ok: false, reason: problem };
    }
  }
}

/** A problem with one entry of an initial-values map (see {@link checkInitialValues}). */
export type InitialValueIssue =
  /** The key itself is wrong (unknown or read-only). */
  | { name: string; message: string }
  /** The value is wrong: `expected` says what would do. */
  | { name: string; expected: string; input: unknown };

/**
 * Checks a map of initial OCPP configuration values, as a config file or a fleet profile writes it
 * (names in any case; text, numbers, booleans or lists of text): canonical names and parsed values
 * out, one issue per bad entry (unknown key, read-only key, invalid value).
 */
export function checkInitialValues(entries: Record<string, unknown>): { values: Record<string, ConfigValue>; issues: InitialValueIssue[] } {
  const values: Record<string, ConfigValue> = {};
  const issues: InitialValueIssue[] = [];
  const defaultOf = (k: string) => {
    // How many connection profiles a charger has is known only with its settings (csms.fallbackUrls); bin checks the slots against them.
    if (k === 'NetworkConnectionProfiles') return undefined;
    const key = resolveKey(k);
    const dflt = key ? definitionOf(key).default : undefined;
    return typeof dflt === 'number' ? dflt : undefined;
  };
  for (const [name, input] of Object.entries(entries)) {
    const key = resolveKey(name);
    if (!key) {
      issues.push({ name, message: 'unknown OCPP configuration key' });
      continue;
    }
    if (definitionOf(key).readonly) {
      issues.push({ name, message: 'read-only OCPP key: the agent sets it itself' });
      continue;
    }
    if (definitionOf(key).owned) {
      issues.push({ name, message: 'security key: set it with csms.password / csms.securityProfile (it is stored in the data directory, mode 0600)' });
      continue;
    }
    const isList = Array.isArray(input) && input.every((item) => typeof item === 'string');
    if (!isList && !['string', 'number', 'boolean'].includes(typeof input)) {
      issues.push({ name, expected: 'expected text, a number, true/false or a list of text', input });
      continue;
    }
    const parsed = parseValue(key, input, defaultOf);
    if (parsed.ok) values[key] = parsed.value;
    else issues.push({ name, expected: `expected a valid ${definitionOf(key).type} for ${key} (${parsed.reason})`, input });
  }
  return { values, issues };
}

/** The value as GetConfiguration reports it. */
export function formatValue(value: ConfigValue): string {
  return typeof value === 'string' ? value : String(value);
}
