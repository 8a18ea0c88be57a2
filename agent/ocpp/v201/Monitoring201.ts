/**
 * Variable monitoring (OCPP 2.0.1 N02–N07): the monitors of what this station can watch — the
 * measured variables of the device model (EVSE.Power, EVSE.Current, read from each EVSE's meter;
 * TemperatureSensor.Temperature, read from the EVSE's temperature sensor where one is fitted) —
 * and a NotifyEvent when one trips:
 *
 * - UpperThreshold / LowerThreshold: Alerting when the value goes above / below `value`, and a
 *   `cleared` event when it is back;
 * - Delta: when the value has moved by `value` or more since the last event (the first reading
 *   sets the reference);
 * - Periodic: the value every `value` seconds; PeriodicClockAligned: at every multiple of `value`
 *   seconds from midnight UTC (as AlignedDataCtrlr's samples).
 *
 * Preconfigured monitors (PreconfiguredMonitor): per EVSE an UpperThreshold on EVSE.Current at the
 * hardware's maximum (over-current, severity 3 Critical), checked while a transaction runs there.
 * They can be changed (SetVariableMonitoring with their id) but not cleared; SetMonitoringBase All
 * or FactoryDefault restores them (and keeps the custom monitors), HardWiredOnly removes them and
 * every custom monitor. The hardware problems (Ocpp201Outbound) are the hard-wired notifications.
 *
 * A monitor with `transaction` watches only while a transaction runs on its EVSE. While a custom
 * monitor is active the station reads the meters it watches every WATCH_MS on its clock (one timer
 * per station; none while nothing is watched) and checks them; a sensor that cannot be read is
 * skipped for that round (no event: there is no value). Preconfigured monitors have no
 * timer of their own: they check every reading the station takes anyway (during a transaction at
 * least every SampledDataCtrlr.TxUpdatedInterval, and each watch round), so a fleet of chargers
 * does not poll its meters for them. Monitors and settings are persisted before the answer
 * (agent/store/VariableMonitorStore.ts); trips go out through the event queue (NotifyEvents.ts),
 * which applies the monitoring level.
 */
import type { Logger } from 'pino';
import type { Clock, EnergyMeter, MeterReading, TemperatureSensor, TimerId } from '../../../hal/index.js';
import type {
  ClearMonitoringResultType,
  EventDataType,
  MonitoringBaseEnumType,
  SetMonitoringDataType,
  SetMonitoringResultType,
} from '../../ocpp201/messages.js';
import type { StoredMonitor, VariableMonitorStore } from '../../store/VariableMonitorStore.js';
import type { DeviceModel } from './DeviceModel.js';
import { MAX_MONITORS } from './deviceModelVariables.js';

/** How often a watched meter is read, ms. */
export const WATCH_MS = 1000;
/** Preconfigured monitors are numbered from here (EVSE n: base + n); custom ones from 1. */
export const PRECONFIGURED_ID_BASE = 1_000_000;
/** Severity of the preconfigured over-current monitor: 3, Critical. */
export const OVER_CURRENT_SEVERITY = 3;
const DAY_MS = 86_400_000;

/** What the monitors work with: the station's own parts (Ocpp201StationParts), no object of their own. */
export interface Monitoring201Parts {
  log: Logger;
  clock: Clock;
  deviceModel: Pick<DeviceModel, 'lookup'>;
  /** The EVSEs' meters and temperature sensors (EVSE n is connector n). */
  hardware: readonly { connectorId: number; meter: Pick<EnergyMeter, 'read' | 'lastReading' | 'on' | 'off'>; temperature?: Pick<TemperatureSensor, 'read' | 'lastCelsius'> | undefined }[];
  /** Where monitors and settings are kept. */
  monitors: VariableMonitorStore;
  control: { readonly connectorCount: number };
  /** An EVSE's hardware maximum current, A (the preconfigured over-current threshold). */
  maxCurrentA(evseId: number): number;
  /** The transaction running on an EVSE, if any. */
  transactionOn(evseId: number): number | undefined;
  /** Reports one event (NotifyEvents: level, offline queue, order). */
  notifyEvent(severity: number, event: Omit<EventDataType, 'eventId'>): void;
}

type Variable = 'Power' | 'Current' | 'Temperature';
const VARIABLES: ReadonlySet<string> = new Set<Variable>(['Power', 'Current', 'Temperature']);
const isVariable = (v: string): v is Variable => VARIABLES.has(v);
/** The device model component a monitored variable belongs to. */
const COMPONENT: Readonly<Record<Variable, string>> = { Power: 'EVSE', Current: 'EVSE', Temperature: 'TemperatureSensor' };

interface Monitor extends StoredMonitor {
  variable: Variable;
  /** Threshold monitors: the value is beyond the threshold now (an Alerting event was sent). */
  tripped?: boolean;
  /** Delta monitors: the value of the last event (or the first reading). */
  reference?: number;
  /** Periodic monitors: when the next event is due (clock ms). */
  dueAt?: number;
}

/** A meter variable's value in a reading (Temperature is not the meter's). */
const reading = (variable: Exclude<Variable, 'Temperature'>, r: MeterReading): number => (variable === 'Power' ? r.powerW : Math.max(0, ...r.currentA));
const isThreshold = (m: Monitor): boolean => m.type === 'UpperThreshold' || m.type === 'LowerThreshold';

/** The next multiple of `periodS` from midnight UTC after `now` (midnight itself when the period does not divide the day). */
export function nextClockAligned(now: number, periodS: number): number {
  const midnight = now - (now % DAY_MS);
  return Math.min(midnight + DAY_MS, midnight + Math.ceil((now - midnight + 1) / (periodS * 1000)) * periodS * 1000);
}

export class Monitoring201 {
  /**
   * The monitors in the order they were set (a changed one keeps its place). An array, not a Map:
   * a station holds one or two, and a Map's hash table took ≈ 150 B more per charger of a fleet.
   */
  private readonly monitors: Monitor[] = [];
  private timer: TimerId | undefined;
  private disposed = false;
  /** The id the next custom monitor gets (persisted with the monitors). */
  private nextId: number;
  /**
   * Per EVSE that had a transaction (at evseId - 1): the listener that shows its meter's readings to
   * the preconfigured monitors. An array of the EVSE count, not a Map (≈ 120 B less per charging charger of a fleet).
   */
  private onReadings: ((r: MeterReading) => void)[] | undefined;

  constructor(private readonly p: Monitoring201Parts) {
    const { state } = p.monitors;
    this.nextId = state.nextId;
    for (const stored of state.monitors) {
      const { variable } = stored;
      if (stored.evseId >= 1 && stored.evseId <= this.evseCount && isVariable(variable)) this.put({ ...stored, variable });
    }
    if (state.base !== 'HardWiredOnly') this.restorePreconfigured(false);
    for (let evseId = 1; evseId <= this.evseCount; evseId++) if (p.transactionOn(evseId) !== undefined) this.listen(evseId);
    this.arm();
  }

  private get evseCount(): number {
    return this.p.control.connectorCount;
  }

  /** A transaction started or ended (the station's `transaction` events). */
  transaction(e: { event: string; connectorId?: number }): void {
    const evseId = e.connectorId;
    if (e.event === 'started' && evseId !== undefined && !this.disposed) {
      // A transaction-only monitor starts afresh with each transaction: a Delta counts from the value it began with.
      for (const m of this.monitors) {
        if (m.transaction && m.evseId === evseId) Object.assign(m, { reference: this.lastValue(evseId, m.variable), dueAt: undefined });
      }
      this.listen(evseId);
    }
    this.arm();
  }

  /** From an EVSE's first transaction on, every reading of its meter (whoever took it) is checked. */
  private listen(evseId: number): void {
    const meter = this.hardwareOf(evseId)?.meter;
    if (!meter || this.onReadings?.[evseId - 1] !== undefined) return;
    const listener = (r: MeterReading): void => this.readingOf(evseId, r);
    meter.on('reading', listener);
    (this.onReadings ??= new Array<(r: MeterReading) => void>(this.evseCount))[evseId - 1] = listener;
  }

  /** SetVariableMonitoring: one result per entry, in order; what was accepted is durable before this resolves. */
  async set(data: readonly SetMonitoringDataType[]): Promise<SetMonitoringResultType[]> {
    const results = data.map((d) => this.setOne(d));
    if (results.some((r) => r.status === 'Accepted')) await this.persist();
    this.arm();
    return results;
  }

  /** ClearVariableMonitoring: Accepted per custom monitor removed, Rejected for a preconfigured one, NotFound. */
  async clear(ids: readonly number[]): Promise<ClearMonitoringResultType[]> {
    const results = ids.map((id): ClearMonitoringResultType => {
      const m = this.monitor(id);
      if (!m) return { id, status: 'NotFound' };
      if (m.kind !== 'CustomMonitor') return { id, status: 'Rejected', statusInfo: { reasonCode: 'Preconfigured', additionalInfo: 'SetMonitoringBase HardWiredOnly removes it' } };
      this.monitors.splice(this.monitors.indexOf(m), 1);
      return { id, status: 'Accepted' };
    });
    if (results.some((r) => r.status === 'Accepted')) await this.persist();
    if (!this.monitors.some((m) => this.watched(m))) this.disarm();
    return results;
  }

  /** SetMonitoringBase (N03): All / FactoryDefault restore the preconfigured monitors; HardWiredOnly removes them and the custom ones. */
  async setBase(base: MonitoringBaseEnumType): Promise<'Accepted'> {
    if (base === 'HardWiredOnly') this.monitors.length = 0;
    else this.restorePreconfigured(true);
    for (let evseId = 1; evseId <= this.evseCount; evseId++) if (this.p.transactionOn(evseId) !== undefined) this.listen(evseId);
    this.p.log.info({ base, monitors: this.monitors.length }, 'monitoring base set');
    await this.persist(base);
    if (this.monitors.length === 0) this.disarm();
    this.arm();
    return 'Accepted';
  }

  /** SetMonitoringLevel (N05): from now on only events of a severity number up to `severity` are reported. */
  async setLevel(severity: number): Promise<'Accepted' | 'Rejected'> {
    if (!(Number.isInteger(severity) && severity >= 0 && severity <= 9)) return 'Rejected';
    await this.persist(undefined, severity);
    this.p.log.info({ level: severity }, 'monitoring level set');
    return 'Accepted';
  }

  /** The monitors now, by id (GetMonitoringReport). */
  list(): readonly StoredMonitor[] {
    return [...this.monitors].sort((a, b) => a.evseId - b.evseId || a.variable.localeCompare(b.variable) || a.id - b.id);
  }

  dispose(): void {
    this.disposed = true;
    const listeners = this.onReadings ?? [];
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i];
      if (listener) this.hardwareOf(i + 1)?.meter.off('reading', listener);
    }
    this.onReadings = undefined;
    this.disarm();
  }

  private setOne(data: SetMonitoringDataType): SetMonitoringResultType {
    const { type, severity, component, variable } = data;
    const result = { type, severity, component, variable };
    const lookup = this.p.deviceModel.lookup(component, variable);
    if ('status' in lookup) return { ...result, status: lookup.status };
    const monitored = lookup.found.variable;
    if (!lookup.found.monitorable || !isVariable(monitored) || (monitored === 'Temperature' && !this.hardwareOf(lookup.evseId)?.temperature)) {
      return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedParam', additionalInfo: 'this variable cannot be monitored here' } };
    }
    if ((type === 'Delta' || type === 'Periodic' || type === 'PeriodicClockAligned') && !(data.value > 0)) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'ValuePositiveOnly' } };
    if (!(Number.isInteger(severity) && severity >= 0 && severity <= 9)) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'ValueOutOfRange', additionalInfo: 'severity 0..9' } };
    // N04: an id names a monitor to replace; one we do not have is Rejected.
    const replaced = data.id === undefined ? undefined : this.monitor(data.id);
    if (data.id !== undefined && !replaced) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'NotFound' } };
    const custom = this.monitors.filter((m) => m.kind === 'CustomMonitor').length;
    if (!replaced && custom >= MAX_MONITORS) return { ...result, status: 'Rejected', statusInfo: { reasonCode: 'TooManyElements', additionalInfo: `at most ${MAX_MONITORS} monitors` } };
    const duplicate = this.monitors.find((m) => m.id !== data.id && m.evseId === lookup.evseId && m.variable === monitored && m.type === type && m.value === data.value);
    if (duplicate) return { ...result, id: duplicate.id, status: 'Duplicate' };
    const id = replaced?.id ?? this.takeId();
    this.put({ id, kind: replaced?.kind ?? 'CustomMonitor', evseId: lookup.evseId, variable: monitored, type, value: data.value, severity, transaction: data.transaction === true });
    this.p.log.info({ monitorId: id, evse: lookup.evseId, variable: monitored, type, value: data.value }, 'variable monitor set');
    return { ...result, id, status: 'Accepted' };
  }

  private monitor(id: number): Monitor | undefined {
    return this.monitors.find((m) => m.id === id);
  }

  /** Sets a monitor: in the place of the one with its id, else last. */
  private put(m: Monitor): void {
    const at = this.monitors.findIndex((x) => x.id === m.id);
    if (at >= 0) this.monitors[at] = m;
    else this.monitors.push(m);
  }

  /** A custom monitor's id: the next unused one below the preconfigured ids. */
  private takeId(): number {
    for (;;) {
      if (!(this.nextId >= 1 && this.nextId < PRECONFIGURED_ID_BASE)) this.nextId = 1;
      const id = this.nextId++;
      if (!this.monitor(id)) return id;
    }
  }

  private persist(base = this.p.monitors.state.base, level = this.p.monitors.state.level): Promise<boolean> {
    const { nextId } = this;
    const monitors = this.monitors.map(({ id, kind, evseId, variable, type, value, severity, transaction }) => ({ id, kind, evseId, variable, type, value, severity, transaction }));
    return this.p.monitors.save({ base, level, nextId, monitors });
  }

  /** The preconfigured monitors with their factory values (`reset`: also those that exist, changed or not). */
  private restorePreconfigured(reset: boolean): void {
    for (let evseId = 1; evseId <= this.evseCount; evseId++) {
      const id = PRECONFIGURED_ID_BASE + evseId;
      if (!reset && this.monitor(id)) continue;
      this.put({ id, kind: 'PreconfiguredMonitor', evseId, variable: 'Current', type: 'UpperThreshold', value: this.p.maxCurrentA(evseId), severity: OVER_CURRENT_SEVERITY, transaction: true });
    }
  }

  /**
   * Whether the watch reads the meter for a monitor now: a custom monitor that is active, or a
   * threshold still tripped (its `cleared` is owed). Preconfigured monitors take the readings the
   * station takes anyway.
   */
  private watched(m: Monitor): boolean {
    if (m.kind !== 'CustomMonitor') return false;
    return !m.transaction || this.p.transactionOn(m.evseId) !== undefined || (isThreshold(m) && m.tripped === true);
  }

  private arm(): void {
    if (this.timer !== undefined || this.disposed) return;
    const watched = this.monitors.filter((m) => this.watched(m));
    if (watched.length === 0) return;
    // A clock-aligned monitor due before the next round: a round at its boundary.
    const now = this.p.clock.now();
    const delay = Math.min(WATCH_MS, ...watched.filter((m) => m.type === 'PeriodicClockAligned' && m.dueAt !== undefined).map((m) => Math.max(0, m.dueAt! - now)));
    this.timer = this.p.clock.setTimeout(() => void this.watch(), delay);
  }

  private disarm(): void {
    this.p.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Reads what each watched EVSE's custom monitors watch (its meter, its temperature sensor) and
   * checks them, then waits for the next round. A device that cannot be read is skipped this round:
   * a failing meter is reported as its own Problem, a temperature sensor without a value has none to check.
   */
  private async watch(): Promise<void> {
    const evses = new Set(this.monitors.filter((m) => this.watched(m)).map((m) => m.evseId));
    for (const evseId of evses) {
      const custom = this.monitors.filter((m) => m.evseId === evseId && m.kind === 'CustomMonitor');
      const hw = this.hardwareOf(evseId);
      const r = custom.some((m) => m.variable !== 'Temperature') ? await hw?.meter.read().catch(() => undefined) : undefined;
      const celsius = custom.some((m) => m.variable === 'Temperature') ? await hw?.temperature?.read().catch(() => undefined) : undefined;
      if (this.disposed) break;
      for (const m of custom) {
        const value = m.variable === 'Temperature' ? celsius : r && reading(m.variable, r);
        if (value !== undefined) this.check(m, value);
      }
    }
    this.timer = undefined;
    this.arm();
  }

  private hardwareOf(evseId: number): Monitoring201Parts['hardware'][number] | undefined {
    return this.p.hardware.find((h) => h.connectorId === evseId);
  }

  /** What an EVSE's device told last for a variable, without reading it now. */
  private lastValue(evseId: number, variable: Variable): number | undefined {
    const hw = this.hardwareOf(evseId);
    if (variable === 'Temperature') return hw?.temperature?.lastCelsius;
    const last = hw?.meter.lastReading;
    return last && reading(variable, last);
  }

  /** Any reading of an EVSE's meter (the watch's too): its preconfigured monitors (on the meter's variables) are checked. */
  private readingOf(evseId: number, r: MeterReading): void {
    if (this.disposed) return;
    for (const m of this.monitors) if (m.evseId === evseId && m.kind !== 'CustomMonitor' && m.variable !== 'Temperature') this.check(m, reading(m.variable, r));
  }

  private check(m: Monitor, value: number): void {
    const now = this.p.clock.now();
    if (m.transaction && this.p.transactionOn(m.evseId) === undefined) {
      // Idle: only a tripped threshold is followed until it clears; the others wait for a transaction.
      if (!(isThreshold(m) && m.tripped)) return;
    }
    switch (m.type) {
      case 'UpperThreshold':
      case 'LowerThreshold': {
        const beyond = m.type === 'UpperThreshold' ? value > m.value : value < m.value;
        if (beyond === Boolean(m.tripped)) return;
        m.tripped = beyond;
        this.send(m, value, 'Alerting', !beyond);
        return;
      }
      case 'Delta':
        if (m.reference === undefined) m.reference = value;
        else if (Math.abs(value - m.reference) >= m.value) {
          m.reference = value;
          this.send(m, value, 'Delta', false);
        }
        return;
      case 'Periodic':
        if (m.dueAt !== undefined && now < m.dueAt) return;
        m.dueAt = now + m.value * 1000;
        this.send(m, value, 'Periodic', false);
        return;
      case 'PeriodicClockAligned':
        // The first reading finds the next boundary; each boundary reached reports and finds the next.
        if (m.dueAt !== undefined && now < m.dueAt) return;
        if (m.dueAt !== undefined) this.send(m, value, 'Periodic', false);
        m.dueAt = nextClockAligned(now, m.value);
        return;
    }
  }

  private send(m: Monitor, value: number, trigger: EventDataType['trigger'], cleared: boolean): void {
    const transactionId = this.p.transactionOn(m.evseId);
    this.p.notifyEvent(m.severity, {
      timestamp: new Date(this.p.clock.now()).toISOString(),
      trigger,
      actualValue: String(Math.round(value * 10) / 10),
      ...(cleared && { cleared: true }),
      ...(transactionId !== undefined && { transactionId: String(transactionId) }),
      component: { name: COMPONENT[m.variable], evse: { id: m.evseId } },
      variable: { name: m.variable },
      variableMonitoringId: m.id,
      eventNotificationType: m.kind,
    });
  }
}
