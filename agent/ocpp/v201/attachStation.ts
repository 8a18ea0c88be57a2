/**
 * Builds a 2.0.1 charger's station (device model and facts over the charger's parts) and gives it
 * to the face, in one place, so the Agent only says which parts it has.
 */
import type { Logger } from 'pino';
import type { Clock, ConnectorHardware } from '../../../hal/index.js';
import type { StatusChange } from '../../charging/ConnectorController.js';
import type { OcppConfiguration } from '../../store/OcppConfiguration.js';
import type { VariableMonitorStore } from '../../store/VariableMonitorStore.js';
import type { DriverPorts } from '../DriverPorts.js';
import type { Ocpp201Outbound } from './Ocpp201Outbound.js';
import type { BootNotificationRequest as Identity } from '../../ocpp16/messages.js';
import { DeviceModel, type StationFacts } from './DeviceModel.js';
import type { Ocpp201Face } from './Ocpp201Face.js';
import type { OcppLink } from '../OcppLink.js';
import { Ocpp201Station, type Ocpp201StationParts } from './Ocpp201Station.js';
import { connectorStatus201 } from './statusVocabulary.js';
import { transactionIdOf, transactionIdIn } from './TransactionEvents.js';
import type { JournalEntry } from '../../store/TransactionJournal.js';
import { MIN_OFFER_A } from '../../charging/connectorGuards.js';
import { certificateUse16, KNOWN_CERTIFICATE_TYPES } from './certificates201.js';
import type { TransactionPoints } from '../../charging/connectorTypes.js';
import { transactionPointsOf, type TxPointVariable } from './transactionPoints.js';

/** What the charger gives its 2.0.1 station (the Agent's parts; read, never copied). */
export interface StationSources201 extends Omit<Ocpp201StationParts, 'deviceModel' | 'rebootingFor' | 'transactionOn' | 'transactionRunning' | 'isAccepted' | 'connection' | 'undelivered' | 'maxCurrentA' | 'transactionEvents' | 'forgetSentStatuses' | 'notifyEvent' | 'monitors'> {
  /** The transaction messages journaled (or kept in memory) and not yet confirmed, oldest first (TransactionSender.pendingEntries). */
  queued(): Iterable<JournalEntry>;
  /**
   * The charger's transactions: which runs where, the id the CSMS knows it by once confirmed, and
   * a new limit of a running one (TransactionEvent ChargingRateChanged when significant).
   */
  transactions: { get(connectorId: number): { startedAt: number } | undefined; transactionIdOn(connectorId: number): number | undefined; chargingRateChanged(connectorId: number, amps: number): void };
  link: Ocpp201StationParts['link'] & Ocpp201StationParts['connection'] & Pick<OcppLink, 'on' | 'off'> & { readonly isAccepted: boolean; readonly connectionSecurityProfile: number | undefined; readonly callTimeoutMs: number };
  config: OcppConfiguration;
  identity: string;
  boot: Identity;
  csms: { url: string; password?: string; callTimeoutMs: number };
  /** The current status of the charge point (connectorId 0) and of every connector. */
  statuses(): StatusChange[];
  localListSize(): number;
  /** Bytes the authorization cache's entries take as stored (AuthCacheCtrlr.Storage). */
  authCacheBytes(): number;
  /** The connectors' devices (EVSE n is connector n): what EVSE.Power / Current measure and may deliver. */
  hardware: readonly Pick<ConnectorHardware, 'connectorId' | 'meter' | 'pilot' | 'temperature'>[];
  /** Nominal phase-to-neutral voltage, V (A ↔ W). */
  voltageV: number;
  /** The settings' time zone (chargePoint.timeZone; undefined: UTC) and whether the clock follows the CSMS's time. */
  time: { settingsTimeZone: string | undefined; fromCsms: boolean };
  /** Where the connectors' transactions begin and end from now on (undefined: the default). */
  setTransactionPoints(points: TransactionPoints | undefined): void;
}

/** Entries per NotifyReport: small enough for any CSMS's frame limit, few enough calls for ~60 variables. */
const REPORT_ITEMS_PER_MESSAGE = 20;

/**
 * What a 2.0.1 charger's station works on (Ocpp201StationParts, also the monitors' parts) and the
 * facts its device model reads (StationFacts), in one object per charger: prototype methods and
 * getters over the charger's sources, its outbound translation and its face, rather than objects
 * built by spread (a hidden class of their own each) and two dozen closures per charger (a fleet
 * runs 10,000 of them; docs/fleet.md, Memory).
 */
class StationParts201 implements Ocpp201StationParts, StationFacts {
  readonly deviceModel: DeviceModel;

  constructor(
    private readonly s: StationSources201,
    private readonly out: Ocpp201Outbound,
    private readonly face: Ocpp201Face,
    readonly monitors: VariableMonitorStore,
  ) {
    this.deviceModel = new DeviceModel(s.config, this);
    // The stored TxStartPoint / TxStopPoint, before the connectors run (nothing to say for the default).
    const points = transactionPointsOf(this);
    if (points) s.setTransactionPoints(points);
  }

  // The station's parts.

  get log(): Logger {
    return this.s.log;
  }

  get clock(): Clock {
    return this.s.clock;
  }

  get control(): StationSources201['control'] {
    return this.s.control;
  }

  get events(): StationSources201['events'] {
    return this.s.events;
  }

  get link(): StationSources201['link'] {
    return this.s.link;
  }

  get connection(): StationSources201['link'] {
    return this.s.link;
  }

  get hardware(): StationSources201['hardware'] {
    return this.s.hardware;
  }

  get driver(): DriverPorts {
    return this.s.driver;
  }

  get transactionEvents(): Ocpp201Outbound['transactions'] {
    return this.out.transactions;
  }

  forgetSentStatuses(): void {
    this.out.forgetSentStatuses();
  }

  notifyEvent(severity: number, event: Parameters<Ocpp201Outbound['notifyEvent']>[1]): void {
    this.out.notifyEvent(severity, event);
  }

  rebootingFor(reason: 'RemoteReset' | 'Triggered'): void {
    this.face.rebootingFor(reason);
  }

  resetEvse(evseId: number): Promise<boolean> {
    return this.s.resetEvse(evseId);
  }

  isAccepted(): boolean {
    return this.s.link.isAccepted;
  }

  transactionOn(evseId: number): number | undefined {
    const { transactions } = this.s;
    const tx = transactions.get(evseId);
    // Before its Started is confirmed, the id it will have (TransactionEvents.transactionIdOf).
    return tx && (transactions.transactionIdOn(evseId) ?? transactionIdOf({ timestamp: new Date(tx.startedAt).toISOString(), connectorId: evseId }));
  }

  /** Messages still to deliver: of one transaction (by its station-made id), or of all. */
  undelivered(transactionId?: string): number {
    const queued = [...this.s.queued()];
    const ofIt = transactionId === undefined ? undefined : new Set(queued.filter((e) => transactionIdIn(e.localId, [e]) === transactionId).map((e) => e.localId));
    return queued.filter((e) => e.kind !== 'started' && (ofIt === undefined || ofIt.has(e.localId))).length;
  }

  transactionRunning(): boolean {
    const { s } = this;
    return Array.from({ length: s.control.connectorCount }, (_, i) => s.transactions.get(i + 1)).some((tx) => tx !== undefined);
  }

  maxCurrentA(evseId: number): number {
    return this.capacity(evseId).maxA;
  }

  // The device model's facts.

  get evseCount(): number {
    return this.s.control.connectorCount;
  }

  get reportItemsPerMessage(): number {
    return REPORT_ITEMS_PER_MESSAGE;
  }

  get identity(): string {
    return this.s.identity;
  }

  get model(): string {
    return this.s.boot.chargePointModel;
  }

  get vendorName(): string {
    return this.s.boot.chargePointVendor;
  }

  get timeSource(): string {
    return this.s.time.fromCsms ? 'Heartbeat' : 'RealTimeClock';
  }

  get settingsTimeZone(): string {
    return this.s.time.settingsTimeZone ?? 'UTC';
  }

  get securityProfile(): number {
    const { s } = this;
    return s.link.connectionSecurityProfile ?? (s.csms.password === undefined ? 0 : s.csms.url.startsWith('wss:') ? 2 : 1);
  }

  get messageTimeoutS(): number {
    return Math.ceil(this.s.link.callTimeoutMs / 1000);
  }

  availabilityState(evseId: number): string {
    const status = this.s.statuses().find((c) => c.connectorId === evseId)?.status ?? 'Unavailable';
    return connectorStatus201(status);
  }

  localListEntries(): number {
    return this.s.localListSize();
  }

  authCacheBytes(): number {
    return this.s.authCacheBytes();
  }

  certificateEntries(): number | undefined {
    const { certificates } = this.s.control;
    return certificates && KNOWN_CERTIFICATE_TYPES.map(certificateUse16).reduce((n, use) => n + (use ? certificates.installedIds(use).length : 0), 0);
  }

  stopsOnEVSideDisconnect(): boolean {
    return this.s.config.getBool('StopTransactionOnEVSideDisconnect');
  }

  async setStopsOnEVSideDisconnect(on: boolean): Promise<void> {
    await this.s.config.change('StopTransactionOnEVSideDisconnect', String(on));
    // TxStopPoint's EVConnected follows it: whether the card alone ends the transaction may change with it.
    this.s.setTransactionPoints(transactionPointsOf(this));
  }

  storedTxPoint(variable: TxPointVariable): string {
    return this.s.config.getString(variable);
  }

  async setTxPoint(variable: TxPointVariable, value: string): Promise<void> {
    const status = await this.s.config.change(variable, value);
    if (status !== 'Accepted') throw new Error(`${variable} ${value} not stored: ${status}`);
    this.s.setTransactionPoints(transactionPointsOf(this));
  }

  activeNetworkProfile(): number {
    return this.s.link.connectionSlot;
  }

  chargingProfiles(): { installed: number; max: number } {
    return { installed: this.s.control.chargingLimits?.profiles.length ?? 0, max: this.s.config.getInt('MaxChargingProfilesInstalled') };
  }

  measured(evseId: number): { powerW: number; currentA: number } | undefined {
    const r = this.evse(evseId)?.meter.lastReading;
    return r && { powerW: r.powerW, currentA: Math.max(0, ...r.currentA) };
  }

  /** An EVSE's devices (EVSE n is connector n). */
  private evse(evseId: number): StationSources201['hardware'][number] | undefined {
    return this.s.hardware.find((h) => h.connectorId === evseId);
  }

  hasTemperatureSensors(): boolean {
    return this.s.hardware.some((h) => h.temperature !== undefined);
  }

  temperature(evseId: number): number | undefined {
    return this.evse(evseId)?.temperature?.lastCelsius;
  }

  capacity(evseId: number): { maxA: number; maxW: number; limitA: number; limitW: number; minA: number; minW: number; offerA: number; offerW: number } {
    const { s } = this;
    const hw = this.evse(evseId);
    const phases = hw?.meter.phases ?? 3;
    const maxA = hw?.pilot.maxCurrentA ?? 0;
    const limitA = s.control.chargingLimits?.limitOf(evseId)?.amps ?? maxA;
    const w = (a: number): number => Math.round(a * s.voltageV * phases);
    const offerA = hw?.pilot.currentOfferA ?? 0;
    return { maxA, maxW: w(maxA), limitA, limitW: w(limitA), minA: MIN_OFFER_A, minW: w(MIN_OFFER_A), offerA, offerW: w(offerA) };
  }

  now(): number {
    return this.s.clock.now();
  }

  displayMessages(): { count: number; max: number } | undefined {
    const port = this.s.driver.displayMessages;
    return port && { count: port.count, max: port.max };
  }

  tariffCost(): { currency: string } | undefined {
    const costs = this.s.driver.tariffCost;
    return costs && { currency: costs.currency };
  }

  monitoringSettings(): { base: string; level: number } {
    return this.monitors.state;
  }

  rateUnits(): string {
    return this.s.config.getList('ChargingScheduleAllowedChargingRateUnit').map((u) => (u === 'Current' ? 'A' : u === 'Power' ? 'W' : u)).join(',');
  }
}

/**
 * The charger's station over its sources, the outbound translation (TransactionEvents, the
 * statuses sent, NotifyEvents) and the monitors' store, given to the face.
 */
export function attachOcpp201Station(face: Ocpp201Face, s: StationSources201, out: Ocpp201Outbound, monitors: VariableMonitorStore): Ocpp201Station {
  const station = new Ocpp201Station(new StationParts201(s, out, face, monitors));
  face.attach(station);
  return station;
}
