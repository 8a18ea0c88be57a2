/**
 * Variable monitoring (OCPP 2.0.1 N04, N05, N07): custom monitors the CSMS sets on what this
 * station can watch — the measured variables of the device model (EVSE.Power, EVSE.Current, read
 * from each EVSE's meter; the HAL has no temperature sensor) — and a NotifyEvent when one trips:
 *
 * - UpperThreshold / LowerThreshold: Alerting when the value goes above / below `value`, and a
 *   `cleared` event when it is back;
 * - Delta: when the value has moved by `value` or more since the last event (the first reading
 *   sets the reference);
 * - Periodic: the value every `value` seconds.
 *
 * PeriodicClockAligned is UnsupportedMonitorType. A monitor with `transaction` watches only while a
 * transaction runs on its EVSE. While monitors exist the station reads the watched meters every
 * WATCH_MS on its clock (one timer per station, none without monitors). Monitors are kept in
 * memory: a restart forgets them (the CSMS sets them again after the boot).
 */
import type { Logger } from 'pino';
import type { Clock, EnergyMeter, MeterReading, TimerId } from '../../../hal/index.js';
import type {
  ClearMonitoringResultType,
  EventDataType,
  MonitorEnumType,
  SetMonitoringDataType,
  SetMonitoringResultType,
} from '../../ocpp201/messages.js';
import type { DeviceModel } from './DeviceModel.js';

/** How often a watched meter is read, ms. */
export const WATCH_MS = 1000;
/** Monitors at most (all EVSEs). */
export const MAX_MONITORS = 32;

export interface Monitoring201Parts {
  log: Logger;
  clock: Clock;
  deviceModel: Pick<DeviceModel, 'lookup'>;
  meters: readonly { connectorId: number; meter: Pick<EnergyMeter, 'read'> }[];
  /** The transaction running on an EVSE, if any. */
  transactionOn(evseId: number): number | undefined;
  /** Sends one NotifyEvent (the eventId is the station's). */
  notifyEvent(event: Omit<EventDataType, 'eventId'>): Promise<void>;
}

interface Monitor {
  id: number;
  evseId: number;
  variable: 'Power' | 'Current';
  type: Exclude<MonitorEnumType, 'PeriodicClockAligned'>;
  value: number;
  severity: number;
  transaction: boolean;
  /** Threshold monitors: the value is beyond the threshold now (an Alerting event was sent). */
  tripped?: boolean;
  /** Delta monitors: the value of the last event (or the first reading). */
  reference?: number;
  /** Periodic monitors: when the next event is due (clock ms). */
  dueAt?: number;
}

const reading = (variable: Monitor['variable'], r: MeterReading): number => (variable === 'Power' ? r.powerW : Math.max(0, ...r.currentA));

export class Monitoring201 {
  private readonly monitors = new Map<number, Monitor>();
  private nextId = 1;
  private timer: TimerId | undefined;

  constructor(private readonly p: Monitoring201Parts) {}

  /** One SetVariableMonitoring entry. */
  set(data: SetMonitoringDataType): SetMonitoringResultType {
    const { type, severity, component, variable } = data;
    const result = { type, severity, component, variable };
    const lookup = this.p.deviceModel.lookup(component, variable);
    if ('status' in lookup) return { ...result, status: lookup.status };
    if (!lookup.found.monitorable || (lookup.found.variable !== 'Power' && lookup.found.variable !== 'Current')) {
      return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedParam', additionalInfo: 'this variable cannot be monitored here' } };
    }
    if (type === 'PeriodicClockAligned') return { ...result, status: 'UnsupportedMonitorType' };
    if ((type === 'Delta' || type === 'Periodic') && !(data.value > 0)) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'ValuePositiveOnly' } };
    if (!(Number.isInteger(severity) && severity >= 0 && severity <= 9)) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'ValueOutOfRange', additionalInfo: 'severity 0..9' } };
    // N04: an id names a monitor to replace; one we do not have is Rejected.
    if (data.id !== undefined && !this.monitors.has(data.id)) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'NotFound' } };
    if (data.id === undefined && this.monitors.size >= MAX_MONITORS) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'TooManyElements', additionalInfo: `at most ${MAX_MONITORS} monitors` } };
    const duplicate = [...this.monitors.values()].find((m) => m.id !== data.id && m.evseId === lookup.evseId && m.variable === lookup.found.variable && m.type === type && m.value === data.value);
    if (duplicate) return { ...result, id: duplicate.id, status: 'Duplicate' };
    const id = data.id ?? this.nextId++;
    this.monitors.set(id, { id, evseId: lookup.evseId, variable: lookup.found.variable, type, value: data.value, severity, transaction: data.transaction === true });
    this.p.log.info({ monitorId: id, evse: lookup.evseId, variable: lookup.found.variable, type, value: data.value }, 'variable monitor set');
    this.arm();
    return { ...result, id, status: 'Accepted' };
  }

  /** One ClearVariableMonitoring id. */
  clear(id: number): ClearMonitoringResultType {
    if (!this.monitors.delete(id)) return { id, status: 'NotFound' };
    if (this.monitors.size === 0) this.disarm();
    return { id, status: 'Accepted' };
  }

  dispose(): void {
    this.monitors.clear();
    this.disarm();
  }

  private arm(): void {
    if (this.timer === undefined && this.monitors.size > 0) this.timer = this.p.clock.setTimeout(() => void this.watch(), WATCH_MS);
  }

  private disarm(): void {
    this.p.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads each watched EVSE's meter and checks its monitors, then waits for the next round. */
  private async watch(): Promise<void> {
    const evses = new Set([...this.monitors.values()].map((m) => m.evseId));
    for (const evseId of evses) {
      const meter = this.p.meters.find((m) => m.connectorId === evseId)?.meter;
      const r = await meter?.read().catch(() => undefined); // a failing meter is reported as its own Problem
      if (!r) continue;
      for (const m of this.monitors.values()) if (m.evseId === evseId) await this.check(m, reading(m.variable, r));
    }
    this.timer = undefined;
    this.arm();
  }

  private async check(m: Monitor, value: number): Promise<void> {
    if (m.transaction && this.p.transactionOn(m.evseId) === undefined) {
      // Idle until a transaction: a Delta then counts from the value the transaction began with.
      if (m.type === 'Delta') m.reference = value;
      return;
    }
    const now = this.p.clock.now();
    switch (m.type) {
      case 'UpperThreshold':
      case 'LowerThreshold': {
        const beyond = m.type === 'UpperThreshold' ? value > m.value : value < m.value;
        if (beyond === Boolean(m.tripped)) return;
        m.tripped = beyond;
        await this.send(m, value, 'Alerting', !beyond);
        return;
      }
      case 'Delta':
        if (m.reference === undefined) m.reference = value;
        else if (Math.abs(value - m.reference) >= m.value) {
          m.reference = value;
          await this.send(m, value, 'Delta', false);
        }
        return;
      case 'Periodic':
        if (m.dueAt !== undefined && now < m.dueAt) return;
        m.dueAt = now + m.value * 1000;
        await this.send(m, value, 'Periodic', false);
        return;
    }
  }

  private async send(m: Monitor, value: number, trigger: EventDataType['trigger'], cleared: boolean): Promise<void> {
    if (!this.monitors.has(m.id)) return; // cleared meanwhile
    const transactionId = this.p.transactionOn(m.evseId);
    try {
      await this.p.notifyEvent({
        timestamp: new Date(this.p.clock.now()).toISOString(),
        trigger,
        actualValue: String(Math.round(value * 10) / 10),
        ...(cleared && { cleared: true }),
        ...(transactionId !== undefined && { transactionId: String(transactionId) }),
        component: { name: 'EVSE', evse: { id: m.evseId } },
        variable: { name: m.variable },
        variableMonitoringId: m.id,
        eventNotificationType: 'CustomMonitor',
      });
    } catch (err) {
      this.p.log.warn({ err, monitorId: m.id }, 'monitoring event not delivered');
    }
  }
}
