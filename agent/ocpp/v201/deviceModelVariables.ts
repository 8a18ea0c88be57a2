/**
 * The OCPP 2.0.1 device model of this charger: which components and variables exist, and what backs
 * each one. One module-level table shared by every charger.
 *
 * A variable that means what a 1.6 configuration key means is *that key*: it reads and writes the
 * same stored value (agent/store/OcppConfiguration.ts), takes its type, limits and mutability from
 * the key's definition, and a change through either vocabulary changes the same behaviour (a new
 * OCPPCommCtrlr.HeartbeatInterval re-arms the heartbeat exactly as a ChangeConfiguration of
 * HeartbeatInterval does). Everything else is a fact of the station, read when asked. Only
 * variables whose value is honoured are listed: a variable the charger cannot act on is absent
 * (GetVariables answers UnknownVariable), not present and ignored.
 *
 * Each EVSE of this charger has one connector (the HAL's connector n is EVSE n, connector 1).
 */
import type { ConfigurationKey } from '../../store/OcppConfiguration.js';
import { DISPLAY_LANGUAGES } from '../../ocpp16/configurationKeys.js';
import type { DataEnumType } from '../../ocpp201/messages.js';
import { readTxStartPoint, readTxStopPoint, TX_POINTS_LIST, writeStopTxOnEVSideDisconnect, writeTxStartPoint, writeTxStopPoint, type TxPointFacts } from './transactionPoints.js';

/** What fact-backed variables read from the charger (StationFacts in DeviceModel.ts implements it). */
export interface StationFacts extends TxPointFacts {
  /** EVSEs 1..n (one connector each). */
  readonly evseCount: number;
  /** AvailabilityState of the station (evseId 0) or an EVSE/its connector, in 2.0.1 words. */
  availabilityState(evseId: number): string;
  /** Certificates installed now (the roots of every use), undefined without certificate management. */
  certificateEntries(): number | undefined;
  /** Entries of the Local Authorization List installed now. */
  localListEntries(): number;
  /** Bytes the authorization cache's entries take as stored, now. */
  authCacheBytes(): number;
  readonly identity: string;
  readonly model: string;
  readonly vendorName: string;
  /** OCPP security profile of the connection in use (its connection profile's, or the one in effect; 0: none). */
  readonly securityProfile: number;
  /** How long a call waits for its answer on the connection in use (its connection profile's messageTimeout), s. */
  readonly messageTimeoutS: number;
  /** The connection profile (slot) in use: 1 is csms.url, 2… csms.fallbackUrls. */
  activeNetworkProfile(): number;
  /** NotifyReport page size (DeviceDataCtrlr.ItemsPerMessage[GetReport]). */
  readonly reportItemsPerMessage: number;
  /** Charging profiles installed now, and at most (MaxChargingProfilesInstalled). */
  chargingProfiles(): { installed: number; max: number };
  /** The station's clock, epoch ms. */
  now(): number;
  /** Where the clock gets its time (TimeSourceEnumType): Heartbeat when it follows the CSMS, else RealTimeClock. */
  readonly timeSource: string;
  /** The time zone of the settings (chargePoint.timeZone, else UTC): what an empty TimeZone stands for. */
  readonly settingsTimeZone: string;
  /** The units a charging schedule may use, in 2.0.1 words (A, W). */
  rateUnits(): string;
  /** What an EVSE's meter measured last (undefined: no reading yet): total active power W, highest phase current A. */
  measured(evseId: number): { powerW: number; currentA: number } | undefined;
  /** Whether the EVSEs have temperature sensors (HAL TemperatureSensor). */
  hasTemperatureSensors(): boolean;
  /** An EVSE's temperature, °C, as its sensor read it last (undefined: no sensor, or no value now). */
  temperature(evseId: number): number | undefined;
  /**
   * An EVSE's maximum (its hardware), the limit in force now (chargingLimits) and the least it offers
   * while charging (the pilot's 6 A), A per phase and W in total.
   */
  capacity(evseId: number): { maxA: number; maxW: number; limitA: number; limitW: number; minA: number; minW: number; offerA: number; offerW: number };
  /** The operator messages kept now and at most; undefined: no display shows them (DisplayMessageCtrlr). */
  displayMessages(): { count: number; max: number } | undefined;
  /** The tariff and cost service's currency; undefined: no service shows tariffs and costs (TariffCostCtrlr). */
  tariffCost(): { currency: string } | undefined;
  /** The monitoring base and level set by SetMonitoringBase / SetMonitoringLevel (MonitoringCtrlr). */
  monitoringSettings(): { base: string; level: number };
}

/** Attributes besides Actual: read-only here, e.g. MaxSet = the limit in force. */
export type ExtraAttribute = 'Target' | 'MinSet' | 'MaxSet';

/** Where a component exists: once for the station, once per EVSE, or once per EVSE's connector. */
export type ComponentScope = 'station' | 'evse' | 'connector';

export interface VariableDefinition {
  readonly component: string;
  readonly scope: ComponentScope;
  readonly variable: string;
  readonly instance?: string;
  /** Backed by this stored configuration key: value, type, limits, mutability and persistence are the key's. */
  readonly key?: ConfigurationKey;
  /**
   * Or a read-only fact (`evseId` is 0 for station components). With a `key` the service owns
   * (SecurityProfile): the fact while no service owns the key, the key once one does.
   */
  readonly read?: (facts: StationFacts, evseId: number) => string;
  /** A fact that never changes while the charger runs (ReportData `constant`). */
  readonly constant?: boolean;
  /** Type of a fact; a key-backed variable takes its key's unless this says otherwise (a CSL that is a SequenceList). */
  readonly dataType?: DataEnumType;
  readonly unit?: string;
  /** The values a fact may take (OptionList / MemberList). */
  readonly valuesList?: string;
  /** Exists only while a service owns its key (a password nobody could apply is not offered). */
  readonly onlyWhenOwned?: boolean;
  /** Exists only where the station has what backs it (certificate entries: certificate management). */
  readonly present?: (facts: StationFacts) => boolean;
  /** A fact's highest value (its characteristics' maxLimit), read when reported. */
  readonly maxLimit?: (facts: StationFacts, evseId: number) => number;
  /** Attributes besides Actual and how they are read (read-only). */
  readonly attributes?: Partial<Record<ExtraAttribute, (facts: StationFacts, evseId: number) => string>>;
  /** Those of `attributes` that never change (a fact of the hardware): reported persistent and constant. */
  readonly constantAttributes?: readonly ExtraAttribute[];
  /** What an empty stored value stands for (ClockCtrlr.TimeZone: the settings' zone). */
  readonly emptyMeans?: (facts: StationFacts) => string;
  /** Variable monitoring may watch it (SetVariableMonitoring; Monitoring201.ts reads it from the meter). */
  readonly monitorable?: true;
  /**
   * A fact the CSMS may write (ReadWrite): only the values the station honours are Accepted (and
   * in effect at once); any other is Rejected with a reason.
   */
  readonly write?: (facts: StationFacts, value: string) => Promise<WriteAnswer>;
}

/** Custom monitors at most (all EVSEs). */
export const MAX_MONITORS = 32;

/** DeviceDataCtrlr.ItemsPerMessage[GetVariables] and [SetVariables]: entries one request may hold. */
export const ITEMS_PER_REQUEST = 100;

/**
 * DeviceDataCtrlr.BytesPerMessage[…]: the most bytes a request's payload may take (its JSON as
 * ocpp-rpc writes it, UTF-8), larger ones answered CallError FormatViolation (B06.FR.17, B08.FR.18;
 * SetVariables alike). Chosen so that a request of ItemsPerMessage entries, each with every field
 * at the schema's maximum length (names and instances 50, a SetVariables value 1000 characters),
 * fits with room to spare: only vendor customData can make one larger. The WebSocket itself takes
 * frames up to ws's maxPayload (100 MiB), so a larger request reaches the station and gets that
 * answer instead of a dropped connection (close 1009). NotifyReport pages stay within the
 * GetReport one.
 */
export const BYTES_PER_MESSAGE = Object.freeze({ GetReport: 16_384, GetVariables: 65_536, SetVariables: 262_144 });

/** The bytes a message's payload takes, as BytesPerMessage counts them (compact JSON, UTF-8). */
export function payloadBytes(payload: unknown): number {
  return Buffer.byteLength(JSON.stringify(payload), 'utf8');
}

export type WriteAnswer = { status: 'Accepted' } | { status: 'Rejected'; reasonCode: string; additionalInfo: string };

const key = (component: string, variable: string, k: ConfigurationKey, extra: Partial<VariableDefinition> = {}): VariableDefinition => ({ component, scope: 'station', variable, key: k, ...extra });
const fact = (component: string, scope: ComponentScope, variable: string, read: VariableDefinition['read'], dataType: DataEnumType, extra: Partial<VariableDefinition> = {}): VariableDefinition => ({ component, scope, variable, read, dataType, ...extra });
const AVAILABILITY = (f: StationFacts, evseId: number) => f.availabilityState(evseId);
const TRUE = () => 'true';
const PROBLEM = (f: StationFacts, evseId: number) => String(f.availabilityState(evseId) === 'Faulted');
/** A measured value as text (one decimal); empty before the first reading. */
const measuredText = (v: number | undefined): string => (v === undefined ? '' : String(Math.round(v * 10) / 10));

export const VARIABLES: readonly VariableDefinition[] = Object.freeze([
  // Station, EVSEs and connectors: what they are and whether they can be used.
  fact('ChargingStation', 'station', 'AvailabilityState', AVAILABILITY, 'OptionList'),
  fact('ChargingStation', 'station', 'Available', TRUE, 'boolean', { constant: true }),
  fact('ChargingStation', 'station', 'Model', (f) => f.model, 'string', { constant: true }),
  fact('ChargingStation', 'station', 'VendorName', (f) => f.vendorName, 'string', { constant: true }),
  fact('EVSE', 'evse', 'AvailabilityState', AVAILABILITY, 'OptionList'),
  fact('EVSE', 'evse', 'Available', TRUE, 'boolean', { constant: true }),
  // A fault holds the EVSE (its connector machine) Faulted: GetReport's Problem criterion finds it.
  fact('ChargingStation', 'station', 'Problem', PROBLEM, 'boolean'),
  fact('EVSE', 'evse', 'Problem', PROBLEM, 'boolean'),
  fact('Connector', 'connector', 'Problem', PROBLEM, 'boolean'),
  // Whether sessions may start while a staged firmware waits to reboot (SessionService.holdForReboot).
  key('ChargingStation', 'AllowNewSessionsPendingFirmwareUpdate', 'AllowNewSessionsPendingFirmwareUpdate'),
  // Reset with an evseId resets that EVSE alone (Ocpp201Station.resetEvse).
  fact('EVSE', 'evse', 'AllowReset', TRUE, 'boolean', { constant: true }),
  // What an EVSE delivers now (the meter's last reading) and may deliver: maxLimit the hardware,
  // MaxSet the limit in force (charging profiles, local limit, cable, hardware: ChargingLimits).
  // MinSet the least a limit may be while the EVSE still offers power (the 6 A of an IEC 61851 pilot;
  // a lower limit suspends charging). Target the set point the EVSE commands now: the current its
  // pilot offers the vehicle (0 while it offers none: no session, suspended, or the path open).
  fact('EVSE', 'evse', 'Power', (f, e) => measuredText(f.measured(e)?.powerW), 'decimal', {
    unit: 'W', monitorable: true, maxLimit: (f, e) => f.capacity(e).maxW,
    attributes: { Target: (f, e) => String(f.capacity(e).offerW), MinSet: (f, e) => String(f.capacity(e).minW), MaxSet: (f, e) => String(f.capacity(e).limitW) }, constantAttributes: ['MinSet'],
  }),
  fact('EVSE', 'evse', 'Current', (f, e) => measuredText(f.measured(e)?.currentA), 'decimal', {
    unit: 'A', monitorable: true, maxLimit: (f, e) => f.capacity(e).maxA,
    attributes: { Target: (f, e) => String(f.capacity(e).offerA), MinSet: (f, e) => String(f.capacity(e).minA), MaxSet: (f, e) => String(f.capacity(e).limitA) }, constantAttributes: ['MinSet'],
  }),
  // The EVSE's temperature sensor, where fitted (OpenEVSE: the board's, read every 30 s): its last reading.
  fact('TemperatureSensor', 'evse', 'Temperature', (f, e) => measuredText(f.temperature(e)), 'decimal', { unit: 'Celsius', monitorable: true, present: (f) => f.hasTemperatureSensors() }),
  fact('Connector', 'connector', 'AvailabilityState', AVAILABILITY, 'OptionList'),
  fact('Connector', 'connector', 'Available', TRUE, 'boolean', { constant: true }),
  // The OCPP connection.
  key('OCPPCommCtrlr', 'HeartbeatInterval', 'HeartbeatInterval', { unit: 's' }),
  key('OCPPCommCtrlr', 'WebSocketPingInterval', 'WebSocketPingInterval', { unit: 's' }),
  key('OCPPCommCtrlr', 'MessageAttempts', 'TransactionMessageAttempts', { instance: 'TransactionEvent' }),
  key('OCPPCommCtrlr', 'MessageAttemptInterval', 'TransactionMessageRetryInterval', { instance: 'TransactionEvent', unit: 's' }),
  key('OCPPCommCtrlr', 'ResetRetries', 'ResetRetries'),
  key('OCPPCommCtrlr', 'UnlockOnEVSideDisconnect', 'UnlockConnectorOnEVSideDisconnect'),
  // Reconnecting (agent/ocpp/backoff.ts) and the connection profiles (agent/ocpp/ConnectionProfiles.ts): read at every attempt.
  key('OCPPCommCtrlr', 'RetryBackOffWaitMinimum', 'RetryBackOffWaitMinimum', { unit: 's' }),
  key('OCPPCommCtrlr', 'RetryBackOffRandomRange', 'RetryBackOffRandomRange', { unit: 's' }),
  key('OCPPCommCtrlr', 'RetryBackOffRepeatTimes', 'RetryBackOffRepeatTimes'),
  // The configuration slots (agent/ocpp/NetworkProfiles.ts): settings' 1…, and any a CSMS sets (SetNetworkProfile).
  key('OCPPCommCtrlr', 'NetworkConfigurationPriority', 'NetworkConfigurationPriority', { dataType: 'SequenceList', valuesList: '1,2,3,4,5,6,7,8,9' }),
  key('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts', 'NetworkProfileConnectionAttempts'),
  // After a reconnection: every EVSE's status or only the changed ones (Ocpp201Outbound.ts); what
  // waits while offline (StatusReporter.ts).
  key('OCPPCommCtrlr', 'OfflineThreshold', 'OfflineThreshold', { unit: 's' }),
  key('OCPPCommCtrlr', 'QueueAllMessages', 'QueueAllMessages'),
  fact('OCPPCommCtrlr', 'station', 'ActiveNetworkProfile', (f) => String(f.activeNetworkProfile()), 'integer'),
  fact('OCPPCommCtrlr', 'station', 'MessageTimeout', (f) => String(f.messageTimeoutS), 'integer', { instance: 'Default', unit: 's', constant: true }),
  // Transactions.
  key('TxCtrlr', 'EVConnectionTimeOut', 'ConnectionTimeOut', { unit: 's' }),
  // Part of TxStopPoint (its EVConnected): a change puts both in effect (transactionPoints.ts).
  key('TxCtrlr', 'StopTxOnEVSideDisconnect', 'StopTransactionOnEVSideDisconnect', { write: writeStopTxOnEVSideDisconnect }),
  key('TxCtrlr', 'StopTxOnInvalidId', 'StopTransactionOnInvalidId'),
  key('TxCtrlr', 'MaxEnergyOnInvalidId', 'MaxEnergyOnInvalidId', { unit: 'Wh' }),
  // Where transactions begin and end (transactionPoints.ts): stored, in effect at once, the values
  // this station cannot honour Rejected with the reason.
  fact('TxCtrlr', 'station', 'TxStartPoint', readTxStartPoint, 'MemberList', { valuesList: TX_POINTS_LIST, write: writeTxStartPoint }),
  fact('TxCtrlr', 'station', 'TxStopPoint', readTxStopPoint, 'MemberList', { valuesList: TX_POINTS_LIST, write: writeTxStopPoint }),
  // Authorization.
  fact('AuthCtrlr', 'station', 'Enabled', TRUE, 'boolean', { constant: true }),
  key('AuthCtrlr', 'AuthorizeRemoteStart', 'AuthorizeRemoteTxRequests'),
  key('AuthCtrlr', 'LocalAuthorizeOffline', 'LocalAuthorizeOffline'),
  key('AuthCtrlr', 'LocalPreAuthorize', 'LocalPreAuthorize'),
  key('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'AllowOfflineTxForUnknownId'),
  key('AuthCtrlr', 'DisableRemoteAuthorization', 'DisableRemoteAuthorization'),
  key('AuthCacheCtrlr', 'Enabled', 'AuthorizationCacheEnabled'),
  // The cache's rules (agent/auth/AuthorizationCache.ts), read when applied; Storage what its entries
  // take as stored (it is bounded by entries, 1,000, not by bytes: no maxLimit is claimed).
  key('AuthCacheCtrlr', 'LifeTime', 'AuthCacheLifeTime', { unit: 's' }),
  key('AuthCacheCtrlr', 'Policy', 'AuthCachePolicy', { dataType: 'OptionList', valuesList: 'LRU,LFU,FIFO' }),
  fact('AuthCacheCtrlr', 'station', 'Storage', (f) => String(f.authCacheBytes()), 'integer', { unit: 'B' }),
  key('LocalAuthListCtrlr', 'Enabled', 'LocalAuthListEnabled'),
  fact('LocalAuthListCtrlr', 'station', 'Entries', (f) => String(f.localListEntries()), 'integer'),
  key('LocalAuthListCtrlr', 'ItemsPerMessage', 'SendLocalListMaxLength'),
  // Meter values.
  key('SampledDataCtrlr', 'TxUpdatedMeasurands', 'MeterValuesSampledData'),
  key('SampledDataCtrlr', 'TxUpdatedInterval', 'MeterValueSampleInterval', { unit: 's' }),
  key('SampledDataCtrlr', 'TxEndedMeasurands', 'StopTxnSampledData'),
  key('AlignedDataCtrlr', 'Measurands', 'MeterValuesAlignedData'),
  key('AlignedDataCtrlr', 'Interval', 'ClockAlignedDataInterval', { unit: 's' }),
  key('AlignedDataCtrlr', 'TxEndedMeasurands', 'StopTxnAlignedData'),
  // Reservations (agent/sessions/Reservations.ts).
  fact('ReservationCtrlr', 'station', 'Enabled', TRUE, 'boolean', { constant: true }),
  fact('ReservationCtrlr', 'station', 'Available', TRUE, 'boolean', { constant: true }),
  key('ReservationCtrlr', 'NonEvseSpecific', 'ReserveConnectorZeroSupported'),
  // Variable monitoring (Monitoring201.ts): monitors on the measured variables above; NotifyEvents.ts.
  fact('MonitoringCtrlr', 'station', 'Enabled', TRUE, 'boolean', { constant: true }),
  fact('MonitoringCtrlr', 'station', 'Available', TRUE, 'boolean', { constant: true }),
  fact('MonitoringCtrlr', 'station', 'ActiveMonitoringBase', (f) => f.monitoringSettings().base, 'OptionList', { valuesList: 'All,FactoryDefault,HardWiredOnly' }),
  fact('MonitoringCtrlr', 'station', 'ActiveMonitoringLevel', (f) => String(f.monitoringSettings().level), 'integer', { maxLimit: () => 9 }),
  fact('MonitoringCtrlr', 'station', 'ItemsPerMessage', () => String(MAX_MONITORS), 'integer', { instance: 'SetVariableMonitoring', constant: true }),
  fact('MonitoringCtrlr', 'station', 'ItemsPerMessage', () => String(MAX_MONITORS), 'integer', { instance: 'ClearVariableMonitoring', constant: true }),
  key('MonitoringCtrlr', 'OfflineQueuingSeverity', 'OfflineQueuingSeverity'),
  // Smart charging (agent/chargingLimits/): the rules a profile must follow are the 1.6 keys'.
  fact('SmartChargingCtrlr', 'station', 'Enabled', TRUE, 'boolean', { constant: true }),
  fact('SmartChargingCtrlr', 'station', 'Available', TRUE, 'boolean', { constant: true }),
  fact('SmartChargingCtrlr', 'station', 'Entries', (f) => String(f.chargingProfiles().installed), 'integer', { instance: 'ChargingProfiles', maxLimit: (f) => f.chargingProfiles().max }),
  key('SmartChargingCtrlr', 'ProfileStackLevel', 'ChargeProfileMaxStackLevel'),
  key('SmartChargingCtrlr', 'PeriodsPerSchedule', 'ChargingScheduleMaxPeriods'),
  fact('SmartChargingCtrlr', 'station', 'RateUnit', (f) => f.rateUnits(), 'MemberList', { valuesList: 'A,W', constant: true }),
  key('SmartChargingCtrlr', 'Phases3to1', 'ConnectorSwitch3to1PhaseSupported'),
  key('SmartChargingCtrlr', 'LimitChangeSignificance', 'LimitChangeSignificance', { dataType: 'decimal' }),
  // The clock. TimeZone is read once at start (the charging-limit service is built with it): a
  // change is stored and answered RebootRequired; GetVariables reads what is stored, the zone the
  // next start uses.
  fact('ClockCtrlr', 'station', 'DateTime', (f) => new Date(f.now()).toISOString(), 'dateTime'),
  fact('ClockCtrlr', 'station', 'TimeSource', (f) => f.timeSource, 'SequenceList', { valuesList: 'Heartbeat,RealTimeClock', constant: true }),
  key('ClockCtrlr', 'TimeZone', 'TimeZone', { emptyMeans: (f) => f.settingsTimeZone }),
  // Display messages (agent/display, through the driver ports): there while a display shows operator messages.
  fact('DisplayMessageCtrlr', 'station', 'Available', (f) => String(f.displayMessages() !== undefined), 'boolean'),
  key('DisplayMessageCtrlr', 'Enabled', 'DisplayMessagesEnabled'),
  fact('DisplayMessageCtrlr', 'station', 'DisplayMessages', (f) => String(f.displayMessages()?.count ?? 0), 'integer', { maxLimit: (f) => f.displayMessages()?.max ?? 0 }),
  fact('DisplayMessageCtrlr', 'station', 'SupportedFormats', () => 'ASCII,UTF8,URI', 'MemberList', { valuesList: 'ASCII,HTML,URI,UTF8', constant: true }),
  fact('DisplayMessageCtrlr', 'station', 'SupportedPriorities', () => 'AlwaysFront,InFront,NormalCycle', 'MemberList', { valuesList: 'AlwaysFront,InFront,NormalCycle', constant: true }),
  key('DisplayMessageCtrlr', 'Language', 'Language', { dataType: 'OptionList', valuesList: DISPLAY_LANGUAGES.join(',') }),
  // Tariffs and costs (agent/pricing, through the driver ports; docs/display.md): there while a pricing service runs.
  fact('TariffCostCtrlr', 'station', 'Available', (f) => String(f.tariffCost() !== undefined), 'boolean', { instance: 'Tariff' }),
  fact('TariffCostCtrlr', 'station', 'Available', (f) => String(f.tariffCost() !== undefined), 'boolean', { instance: 'Cost' }),
  key('TariffCostCtrlr', 'Enabled', 'TariffEnabled', { instance: 'Tariff' }),
  key('TariffCostCtrlr', 'Enabled', 'CostEnabled', { instance: 'Cost' }),
  fact('TariffCostCtrlr', 'station', 'Currency', (f) => f.tariffCost()?.currency ?? '', 'string'),
  key('TariffCostCtrlr', 'TariffFallbackMessage', 'TariffFallbackMessage'),
  key('TariffCostCtrlr', 'TariffFallbackMessage', 'OfflineTariffFallbackMessage', { instance: 'Offline' }),
  key('TariffCostCtrlr', 'TotalCostFallbackMessage', 'TotalCostFallbackMessage'),
  key('TariffCostCtrlr', 'OfflineChargingPrice', 'OfflineChargingPrice,kWhPrice', { instance: 'kWhPrice', dataType: 'decimal' }),
  key('TariffCostCtrlr', 'OfflineChargingPrice', 'OfflineChargingPrice,hourPrice', { instance: 'hourPrice', dataType: 'decimal' }),
  key('TariffCostCtrlr', 'OfflineChargingPrice', 'OfflineChargingPrice,flatFee', { instance: 'flatFee', dataType: 'decimal' }),
  key('TariffCostCtrlr', 'NumberOfDecimalsForCostValues', 'NumberOfDecimalsForCostValues'),
  // Security and the device model itself.
  fact('SecurityCtrlr', 'station', 'Identity', (f) => f.identity, 'string', { constant: true }),
  // The security profile of the connection in use: its connection profile's (read-only, as in the
  // specification; raised by SetNetworkProfile + NetworkConfigurationPriority + Reset, A05/B10).
  fact('SecurityCtrlr', 'station', 'SecurityProfile', (f) => String(f.securityProfile), 'integer'),
  key('SecurityCtrlr', 'BasicAuthPassword', 'AuthorizationKey', { onlyWhenOwned: true }),
  key('SecurityCtrlr', 'OrganizationName', 'CpoName'),
  // With certificate management (agent/security): the roots installed, and the longest
  // CertificateSigned chain taken (a longer one is Rejected unread).
  fact('SecurityCtrlr', 'station', 'CertificateEntries', (f) => String(f.certificateEntries() ?? 0), 'integer', { present: (f) => f.certificateEntries() !== undefined }),
  key('SecurityCtrlr', 'MaxCertificateChainSize', 'CertificateSignedMaxChainSize', { unit: 'B', present: (f) => f.certificateEntries() !== undefined }),
  fact('DeviceDataCtrlr', 'station', 'ItemsPerMessage', (f) => String(f.reportItemsPerMessage), 'integer', { instance: 'GetReport', constant: true }),
  // The most entries a GetVariables / SetVariables may hold (more: CallError OccurrenceConstraintViolation).
  fact('DeviceDataCtrlr', 'station', 'ItemsPerMessage', () => String(ITEMS_PER_REQUEST), 'integer', { instance: 'GetVariables', constant: true }),
  fact('DeviceDataCtrlr', 'station', 'ItemsPerMessage', () => String(ITEMS_PER_REQUEST), 'integer', { instance: 'SetVariables', constant: true }),
  // The most bytes a request may take (more: CallError FormatViolation); NotifyReport pages stay within GetReport's.
  fact('DeviceDataCtrlr', 'station', 'BytesPerMessage', () => String(BYTES_PER_MESSAGE.GetReport), 'integer', { instance: 'GetReport', unit: 'B', constant: true }),
  fact('DeviceDataCtrlr', 'station', 'BytesPerMessage', () => String(BYTES_PER_MESSAGE.GetVariables), 'integer', { instance: 'GetVariables', unit: 'B', constant: true }),
  fact('DeviceDataCtrlr', 'station', 'BytesPerMessage', () => String(BYTES_PER_MESSAGE.SetVariables), 'integer', { instance: 'SetVariables', unit: 'B', constant: true }),
]);
