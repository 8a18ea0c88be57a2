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

export interface StationSources extends Omit<Ocpp201StationParts, 'deviceModel' | 'rebootingFor' | 'transactionOn' | 'transactionRunning' | 'isAccepted' | 'maxCurrentA'> {
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

export function attachOcpp201Station(face: Ocpp201Face, s: StationSources): Ocpp201Station {
  const facts: StationFacts = {
    evseCount: s.control.connectorCount,
    availabilityState: (evseId) => {
      const status = s.statuses().find((c) => c.connectorId === evseId)?.status ?? 'Unavailable';
      return connectorStatus201(status);
    },
    localListEntries: s.localListSize,
    identity: s.identity,
    model: s.boot.chargePointModel,
    vendorName: s.boot.chargePointVendor,
    securityProfile: s.csms.password === undefined ? 0 : s.csms.url.startsWith('wss:') ? 2 : 1,
    messageTimeoutS: Math.ceil(s.csms.callTimeoutMs / 1000),
    reportItemsPerMessage: REPORT_ITEMS_PER_MESSAGE,
    stopsOnEVSideDisconnect: () => s.config.getBool('StopTransactionOnEVSideDisconnect'),
    activeNetworkProfile: () => s.link.connectionSlot,
    chargingProfiles: () => ({ installed: s.control.chargingLimits?.profiles.length ?? 0, max: s.config.getInt('MaxChargingProfilesInstalled') }),
    measured: (evseId) => {
      const r = s.hardware.find((h) => h.connectorId === evseId)?.meter.lastReading;
      return r && { powerW: r.powerW, currentA: Math.max(0, ...r.currentA) };
    },
    capacity: (evseId) => {
      const hw = s.hardware.find((h) => h.connectorId === evseId);
      const phases = hw?.meter.phases ?? 3;
      const maxA = hw?.pilot.maxCurrentA ?? 0;
      const limitA = s.control.chargingLimits?.limitOf(evseId)?.amps ?? maxA;
      return { maxA, maxW: Math.round(maxA * s.voltageV * phases), limitA, limitW: Math.round(limitA * s.voltageV * phases) };
    },
    monitoringSettings: () => s.monitors.state,
    rateUnits: () => s.config.getList('ChargingScheduleAllowedChargingRateUnit').map((u) => (u === 'Current' ? 'A' : u === 'Power' ? 'W' : u)).join(','),
  };
  const transactionOn = (evseId: number): number | undefined => {
    const tx = s.transactions.get(evseId);
    // Before its Started is confirmed, the id it will have (TransactionEvents.transactionIdOf).
    return tx && (s.transactions.transactionIdOn(evseId) ?? transactionIdOf({ timestamp: new Date(tx.startedAt).toISOString(), connectorId: evseId }));
  };
  const station = new Ocpp201Station({
    ...s,
    deviceModel: new DeviceModel(s.config, facts),
    rebootingFor: (reason) => face.rebootingFor(reason),
    transactionOn,
    transactionRunning: () => Array.from({ length: s.control.connectorCount }, (_, i) => s.transactions.get(i + 1)).some((tx) => tx !== undefined),
    isAccepted: () => s.link.isAccepted,
    maxCurrentA: (evseId) => facts.capacity(evseId).maxA,
  });
  face.attach(station);
  return station;
}
