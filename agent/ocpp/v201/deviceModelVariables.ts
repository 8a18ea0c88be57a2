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
import type { DataEnumType } from '../../ocpp201/messages.js';
import { MAX_MONITORS } from './Monitoring201.js';

/** What fact-backed variables read from the charger (StationFacts in DeviceModel.ts implements it). */
export interface StationFacts {
  /** EVSEs 1..n (one connector each). */
  readonly evseCount: number;
  /** AvailabilityState of the station (evseId 0) or an EVSE/its connector, in 2.0.1 words. */
  availabilityState(evseId: number): string;
  /** Entries of the Local Authorization List installed now. */
  localListEntries(): number;
  readonly identity: string;
  readonly model: string;
  readonly vendorName: string;
  /** OCPP security profile in use (1: Basic auth over ws/wss; 2: TLS with Basic auth; 0: none). */
  readonly securityProfile: number;
  /** How long a call waits for its answer, s. */
  readonly messageTimeoutS: number;
  /** Whether unplugging at the EV ends the transaction (StopTxOnEVSideDisconnect): part of TxStopPoint. */
  stopsOnEVSideDisconnect(): boolean;
  /** The connection profile (slot) in use: 1 is csms.url, 2… csms.fallbackUrls. */
  activeNetworkProfile(): number;
  /** NotifyReport page size (DeviceDataCtrlr.ItemsPerMessage[GetReport]). */
  readonly reportItemsPerMessage: number;
  /** Charging profiles installed now, and at most (MaxChargingProfilesInstalled). */
  chargingProfiles(): { installed: number; max: number };
  /** The units a charging schedule may use, in 2.0.1 words (A, W). */
  rateUnits(): string;
  /** What an EVSE's meter measured last (undefined: no reading yet): total active power W, highest phase current A. */
  measured(evseId: number): { powerW: number; currentA: number } | undefined;
  /** An EVSE's maximum (its hardware) and the limit in force now (chargingLimits), A per phase and W in total. */
  capacity(evseId: number): { maxA: number; maxW: number; limitA: number; limitW: number };
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
  /** A fact's highest value (its characteristics' maxLimit), read when reported. */
  readonly maxLimit?: (facts: StationFacts, evseId: number) => number;
  /** Attributes besides Actual and how they are read (read-only). */
  readonly attributes?: Partial<Record<ExtraAttribute, (facts: StationFacts, evseId: number) => string>>;
  /** Variable monitoring may watch it (SetVariableMonitoring; Monitoring201.ts reads it from the meter). */
  readonly monitorable?: true;
}

const TX_POINTS = 'ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer';

const key = (component: string, variable: string, k: ConfigurationKey, extra: Partial<VariableDefinition> = {}): VariableDefinition => ({ component, scope: 'station', variable, key: k, ...extra });
const fact = (component: string, scope: ComponentScope, variable: string, read: VariableDefinition['read'], dataType: DataEnumType, extra: Partial<VariableDefinition> = {}): VariableDefinition => ({ component, scope, variable, read, dataType, ...extra });
const AVAILABILITY = (f: StationFacts, evseId: number) => f.availabilityState(evseId);
const TRUE = () => 'true';
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
  // What an EVSE delivers now (the meter's last reading) and may deliver: maxLimit the hardware,
  // MaxSet the limit in force (charging profiles, local limit, cable, hardware: ChargingLimits).
  fact('EVSE', 'evse', 'Power', (f, e) => measuredText(f.measured(e)?.powerW), 'decimal', {
    unit: 'W', monitorable: true, maxLimit: (f, e) => f.capacity(e).maxW, attributes: { MaxSet: (f, e) => String(f.capacity(e).limitW) },
  }),
  fact('EVSE', 'evse', 'Current', (f, e) => measuredText(f.measured(e)?.currentA), 'decimal', {
    unit: 'A', monitorable: true, maxLimit: (f, e) => f.capacity(e).maxA, attributes: { MaxSet: (f, e) => String(f.capacity(e).limitA) },
  }),
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
  key('OCPPCommCtrlr', 'NetworkConfigurationPriority', 'NetworkConfigurationPriority', { dataType: 'SequenceList' }),
  key('OCPPCommCtrlr', 'NetworkProfileConnectionAttempts', 'NetworkProfileConnectionAttempts'),
  fact('OCPPCommCtrlr', 'station', 'ActiveNetworkProfile', (f) => String(f.activeNetworkProfile()), 'integer'),
  fact('OCPPCommCtrlr', 'station', 'MessageTimeout', (f) => String(f.messageTimeoutS), 'integer', { instance: 'Default', unit: 's', constant: true }),
  // Transactions.
  key('TxCtrlr', 'EVConnectionTimeOut', 'ConnectionTimeOut', { unit: 's' }),
  key('TxCtrlr', 'StopTxOnEVSideDisconnect', 'StopTransactionOnEVSideDisconnect'),
  key('TxCtrlr', 'StopTxOnInvalidId', 'StopTransactionOnInvalidId'),
  key('TxCtrlr', 'MaxEnergyOnInvalidId', 'MaxEnergyOnInvalidId', { unit: 'Wh' }),
  // Where transactions begin and end here (read-only: the session service decides, as in 1.6): a
  // transaction starts once the EV is connected and authorized, i.e. when the power path may close,
  // and ends when authorization ends (a stop) or, with StopTxOnEVSideDisconnect, the EV leaves.
  fact('TxCtrlr', 'station', 'TxStartPoint', () => 'PowerPathClosed', 'MemberList', { valuesList: TX_POINTS }),
  fact('TxCtrlr', 'station', 'TxStopPoint', (f) => (f.stopsOnEVSideDisconnect() ? 'EVConnected,Authorized' : 'Authorized'), 'MemberList', { valuesList: TX_POINTS }),
  // Authorization.
  fact('AuthCtrlr', 'station', 'Enabled', TRUE, 'boolean', { constant: true }),
  key('AuthCtrlr', 'AuthorizeRemoteStart', 'AuthorizeRemoteTxRequests'),
  key('AuthCtrlr', 'LocalAuthorizeOffline', 'LocalAuthorizeOffline'),
  key('AuthCtrlr', 'LocalPreAuthorize', 'LocalPreAuthorize'),
  key('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'AllowOfflineTxForUnknownId'),
  key('AuthCacheCtrlr', 'Enabled', 'AuthorizationCacheEnabled'),
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
  // Security and the device model itself.
  fact('SecurityCtrlr', 'station', 'Identity', (f) => f.identity, 'string', { constant: true }),
  // Raised (never lowered) over OCPP by the connection security service (ConnectionSecurity), which
  // tries the new profile on a new connection before it keeps it; without that service, a fact.
  key('SecurityCtrlr', 'SecurityProfile', 'SecurityProfile', { read: (f) => String(f.securityProfile) }),
  key('SecurityCtrlr', 'BasicAuthPassword', 'AuthorizationKey', { onlyWhenOwned: true }),
  key('SecurityCtrlr', 'OrganizationName', 'CpoName'),
  fact('DeviceDataCtrlr', 'station', 'ItemsPerMessage', (f) => String(f.reportItemsPerMessage), 'integer', { instance: 'GetReport', constant: true }),
]);
