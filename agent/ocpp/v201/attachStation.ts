/**
 * Builds a 2.0.1 charger's station (device model and facts over the charger's parts) and gives it
 * to the face, in one place, so the Agent only says which parts it has.
 */
import type { ConnectorHardware } from '../../../hal/index.js';
import type { StatusChange } from '../../charging/ConnectorController.js';
import type { OcppConfiguration } from '../../store/OcppConfiguration.js';
import type { BootNotificationRequest as Identity } from '../../ocpp16/messages.js';
import { DeviceModel, type StationFacts } from './DeviceModel.js';
import type { Ocpp201Face } from './Ocpp201Face.js';
import { Ocpp201Station, type Ocpp201StationParts } from './Ocpp201Station.js';
import { connectorStatus201 } from './statusVocabulary.js';
import { transactionIdOf } from './TransactionEvents.js';

export interface StationSources extends Omit<Ocpp201StationParts, 'deviceModel' | 'rebootingFor' | 'transactionOn' | 'transactionRunning' | 'isAccepted'> {
  /** The charger's transactions: which runs where, and the id the CSMS knows it by once confirmed. */
  transactions: { get(connectorId: number): { startedAt: number } | undefined; transactionIdOn(connectorId: number): number | undefined };
  link: Ocpp201StationParts['link'] & { readonly isAccepted: boolean; readonly connectionSlot: number };
  config: OcppConfiguration;
  identity: string;
  boot: Identity;
  csms: { url: string; password?: string; callTimeoutMs: number };
  /** The current status of the charge point (connectorId 0) and of every connector. */
  statuses(): StatusChange[];
  localListSize(): number;
  /** The connectors' devices (EVSE n is connector n): what EVSE.Power / Current measure and may deliver. */
  hardware: readonly Pick<ConnectorHardware, 'connectorId' | 'meter' | 'pilot'>[];
  /** Nominal phase-to-neutral voltage, V (A ↔ W). */
  voltageV: number;
}

/** Entries per NotifyReport: small enough for any CSMS's frame limit, few enough calls for ~60 variables. */
const REPORT_ITEMS_PER_MESSAGE = 20;

/**
 * The station facts the device model reads, as prototype methods over the charger's sources rather
 * than a dozen closures per charger (a fleet runs 10,000 of them; docs/fleet.md, Memory).
 */
class SourcedFacts implements StationFacts {
  readonly evseCount: number;
  readonly identity: string;
  readonly model: string;
  readonly vendorName: string;
  readonly securityProfile: number;
  readonly messageTimeoutS: number;
  readonly reportItemsPerMessage = REPORT_ITEMS_PER_MESSAGE;

  constructor(private readonly s: StationSources) {
    this.evseCount = s.control.connectorCount;
    this.identity = s.identity;
    this.model = s.boot.chargePointModel;
    this.vendorName = s.boot.chargePointVendor;
    this.securityProfile = s.csms.password === undefined ? 0 : s.csms.url.startsWith('wss:') ? 2 : 1;
    this.messageTimeoutS = Math.ceil(s.csms.callTimeoutMs / 1000);
  }

  availabilityState(evseId: number): string {
    const status = this.s.statuses().find((c) => c.connectorId === evseId)?.status ?? 'Unavailable';
    return connectorStatus201(status);
  }

  localListEntries(): number {
    return this.s.localListSize();
  }

  stopsOnEVSideDisconnect(): boolean {
    return this.s.config.getBool('StopTransactionOnEVSideDisconnect');
  }

  activeNetworkProfile(): number {
    return this.s.link.connectionSlot;
  }

  chargingProfiles(): { installed: number; max: number } {
    return { installed: this.s.control.chargingLimits?.profiles.length ?? 0, max: this.s.config.getInt('MaxChargingProfilesInstalled') };
  }

  measured(evseId: number): { powerW: number; currentA: number } | undefined {
    const r = this.s.hardware.find((h) => h.connectorId === evseId)?.meter.lastReading;
    return r && { powerW: r.powerW, currentA: Math.max(0, ...r.currentA) };
  }

  capacity(evseId: number): { maxA: number; maxW: number; limitA: number; limitW: number } {
    const { s } = this;
    const hw = s.hardware.find((h) => h.connectorId === evseId);
    const phases = hw?.meter.phases ?? 3;
    const maxA = hw?.pilot.maxCurrentA ?? 0;
    const limitA = s.control.chargingLimits?.limitOf(evseId)?.amps ?? maxA;
    return { maxA, maxW: Math.round(maxA * s.voltageV * phases), limitA, limitW: Math.round(limitA * s.voltageV * phases) };
  }

  rateUnits(): string {
    return this.s.config.getList('ChargingScheduleAllowedChargingRateUnit').map((u) => (u === 'Current' ? 'A' : u === 'Power' ? 'W' : u)).join(',');
  }
}

/**
 * The station's parts over the charger's sources: fields set key by key (a spread-built object
 * would get a hidden class of its own per charger) and what the station asks beyond the sources as
 * prototype methods instead of closures.
 */
class StationParts implements Ocpp201StationParts {
  readonly log: Ocpp201StationParts['log'];
  readonly clock: Ocpp201StationParts['clock'];
  readonly deviceModel: DeviceModel;
  readonly control: Ocpp201StationParts['control'];
  readonly undelivered: Ocpp201StationParts['undelivered'];
  readonly forgetSentStatuses: Ocpp201StationParts['forgetSentStatuses'];
  readonly transactionEvents: Ocpp201StationParts['transactionEvents'];
  readonly events: Ocpp201StationParts['events'];
  readonly link: Ocpp201StationParts['link'];
  readonly notifyEvent: Ocpp201StationParts['notifyEvent'];
  readonly hardware: Ocpp201StationParts['hardware'];

  constructor(
    private readonly s: StationSources,
    private readonly face: Ocpp201Face,
  ) {
    this.log = s.log;
    this.clock = s.clock;
    this.deviceModel = new DeviceModel(s.config, new SourcedFacts(s));
    this.control = s.control;
    this.undelivered = s.undelivered;
    this.forgetSentStatuses = s.forgetSentStatuses;
    this.transactionEvents = s.transactionEvents;
    this.events = s.events;
    this.link = s.link;
    this.notifyEvent = s.notifyEvent;
    this.hardware = s.hardware;
  }

  rebootingFor(reason: 'RemoteReset' | 'Triggered'): void {
    this.face.rebootingFor(reason);
  }

  transactionOn(evseId: number): number | undefined {
    const tx = this.s.transactions.get(evseId);
    // Before its Started is confirmed, the id it will have (TransactionEvents.transactionIdOf).
    return tx && (this.s.transactions.transactionIdOn(evseId) ?? transactionIdOf({ timestamp: new Date(tx.startedAt).toISOString(), connectorId: evseId }));
  }

  transactionRunning(): boolean {
    for (let i = 1; i <= this.s.control.connectorCount; i++) if (this.s.transactions.get(i) !== undefined) return true;
    return false;
  }

  isAccepted(): boolean {
    return this.s.link.isAccepted;
  }
}

export function attachOcpp201Station(face: Ocpp201Face, s: StationSources): Ocpp201Station {
  const station = new Ocpp201Station(new StationParts(s, face));
  face.attach(station);
  return station;
}
