/**
 * The one owner of a charger's charging limits (DESIGN.md §10: a version-neutral service; the
 * OCPP 1.6 handlers, and later 2.0.1, only translate). It keeps the charging profiles (durable,
 * ./ChargingProfileStore.ts) and the local limits (MQTT `set_current_limit`), and per connector
 * arbitrates between
 *
 *   chargingProfile — the composite schedule of the installed profiles now,
 *   localLimit      — a local energy manager's limit,
 *   temperature     — thermal derating of a warm EVSE (./thermalDerating.ts; with a temperature sensor),
 *   cable           — the plugged cable's proximity rating,
 *   hardware        — the connector's maximum,
 *
 * the lowest wins (named first at a tie in that order), rounded down to whole amps (what a pilot
 * can offer). The result goes to the connector machine as SET_LIMIT with its source; the machine
 * turns a limit below 6 A into no offer (SuspendedEVSE). Everything is local, so a limit holds
 * while the CSMS is unreachable.
 *
 * Re-evaluated when an input changes and at the next instant a schedule changes, on one timer of
 * the shared clock per charger (not one per connector, no interval).
 */
import type { Logger } from 'pino';
import type { Clock, ConnectorHardware, TimerId } from '../../hal/index.js';
import { LIMIT_SOURCES, type ConnectorEvent, type LimitSource } from '../charging/connectorTypes.js';
import type { ChargingProfile, ConnectorSituation, RateUnit } from './chargingProfile.js';
import { profileProblem, type ChargingProfileStore, type ClearCriteria } from './ChargingProfileStore.js';
import { profileRules } from './profileRules.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import { compositeSchedule, nextChange, profileLimitAt, type CompositeSchedule } from './compositeSchedule.js';
import { thermalLimit, type ThermalDerating } from './thermalDerating.js';


/** The limit in force on a connector and where it comes from. */
export interface ConnectorLimit {
  connectorId: number;
  /** A per phase, whole amps; below 6 the connector offers nothing. */
  amps: number;
  /** The binding source. */
  source: LimitSource;
  /** What each source allows now, A (a source that does not limit is absent). */
  sources: Partial<Record<LimitSource, number>>;
  /** The charging profile that binds (source chargingProfile). */
  profileId?: number;
}

/** What the service needs to know about a connector. */
export interface LimitedConnector {
  readonly connectorId: number;
  readonly hasTransaction: boolean;
  send(event: ConnectorEvent): void;
}

export interface ChargingLimitsOptions {
  connectors: readonly LimitedConnector[];
  hardware: readonly ConnectorHardware[];
  store: ChargingProfileStore;
  clock: Clock;
  log: Logger;
  /** Nominal phase-to-neutral voltage, V (W ↔ A). */
  voltageV: number;
  /** IANA time zone recurring schedules repeat in (./localTime.ts); absent: UTC. */
  timeZone?: string;
  /** Thermal derating of the EVSEs that have a temperature sensor (absent: none). */
  derating?: ThermalDerating;
  /** Told of every new limit (the Agent, which emits it as its `limit` event). */
  events?: { emit(event: 'limit', limit: ConnectorLimit): unknown };
  /** The SmartCharging keys a profile must follow (./profileRules.ts), read at each installation. */
  config: OcppConfiguration;
  /**
   * The running transactions: a session's start (Relative profiles count from it) and the CSMS's
   * transactionId (a TxProfile's must match it). An object rather than callbacks: no closures per charger.
   */
  transactions: { get(connectorId: number): { startedAt: number } | undefined; transactionIdOn(connectorId: number): number | undefined };
}

export type ProfileAnswer = { accepted: true; persisted: Promise<boolean> } | { accepted: false; reason: string };

/** Re-evaluate at least this often while profiles are installed (a schedule may change beyond the horizon). */
const HORIZON_MS = 86_400_000;

export class ChargingLimits {
  // Made on first use: most chargers of a fleet never get a local limit (an empty Map is ≈ 200 B).
  private local: Map<number, number> | undefined;
  /** When each local limit took its present value (an OCPP 2.0.1 external-constraints schedule starts then). */
  private localSince: Map<number, number> | undefined;
  /**
   * The limit last given to each connector, by position in `connectors` (no Map per charger), made
   * at its length: a first assignment to an empty array keeps room for 17 (≈ 120 B per charger).
   */
  private readonly applied: (ConnectorLimit | undefined)[];
  private timer: TimerId | undefined;
  private started = false;
  /** A cable plugged or unplugged somewhere: every connector is decided again (cheap, and one listener per charger). */
  private readonly onProximity = () => this.evaluateAll();
  /**
   * Per connector (index as `applied`) with a temperature sensor and derating: the derating limit,
   * and whether it is cut off. Made at start only where derating applies (fleet chargers have none).
   */
  private thermal: { amps: number | undefined; cutOff: boolean }[] | undefined;
  /** A temperature reading somewhere: the derating is worked out again, then every connector decided. */
  private readonly onTemperature = () => {
    this.updateThermal();
    this.evaluateAll();
  };

  constructor(private readonly o: ChargingLimitsOptions) {
    this.applied = Array.from({ length: o.connectors.length }, () => undefined);
  }

  /** Applies the limits (stored profiles included) and follows the cables from now on. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const hw of this.o.hardware) hw.pilot.on('proximity', this.onProximity);
    if (this.o.derating && this.o.hardware.some((hw) => hw.temperature)) {
      this.thermal = this.o.connectors.map(() => ({ amps: undefined, cutOff: false }));
      for (const hw of this.o.hardware) hw.temperature?.on('reading', this.onTemperature);
      this.updateThermal();
    }
    this.evaluateAll();
  }

  stop(): void {
    this.started = false;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const hw of this.o.hardware) hw.pilot.off('proximity', this.onProximity);
    for (const hw of this.o.hardware) hw.temperature?.off('reading', this.onTemperature);
  }

  /** The limit in force on a connector (before start: the hardware maximum). */
  limitOf(connectorId: number): ConnectorLimit | undefined {
    return this.applied[this.indexOf(connectorId)] ?? (this.hw(connectorId) && this.decide(connectorId));
  }

  get profiles(): readonly ChargingProfile[] {
    return this.o.store.all();
  }

  /**
   * Installs a profile (SetChargingProfile): refused when it breaks the charger's rules, when it is
   * a Tx profile for a connector without a transaction or for another transaction.
   */
  setProfile(p: ChargingProfile): ProfileAnswer {
    if (p.purpose === 'Tx') {
      const c = this.connector(p.connectorId);
      if (!c?.hasTransaction) return { accepted: false, reason: `no transaction on connector ${p.connectorId}` };
      const running = this.o.transactions.transactionIdOn(p.connectorId);
      if (p.transactionId !== undefined && running !== undefined && p.transactionId !== running) return { accepted: false, reason: `transaction ${p.transactionId} does not run on connector ${p.connectorId}` };
    }
    return this.install(p);
  }

  /**
   * A Tx profile for the session about to be authorized on `connectorId` (RemoteStartTransaction with
   * a chargingProfile): in force before the contactor can close, dropped if the session never starts.
   */
  setSessionProfile(connectorId: number, p: ChargingProfile): ProfileAnswer {
    return this.install({ ...p, connectorId, purpose: 'Tx' });
  }

  /** Why a profile would be refused by the charger's rules (not the session rules), or undefined. */
  problemOf(p: ChargingProfile): string | undefined {
    return profileProblem(p, this.rules());
  }

  private rules() {
    return profileRules(this.o.config, this.o.connectors.length);
  }

  /** ClearChargingProfile: the ids removed (none: nothing matched). */
  clearProfiles(criteria: ClearCriteria): { removed: number[]; persisted: Promise<boolean> } {
    const result = this.o.store.clear(criteria);
    if (result.removed.length > 0) {
      this.o.log.info({ criteria, removed: result.removed }, 'charging profiles cleared');
      this.evaluateAll();
    }
    return result;
  }

  /**
   * The session on a connector ended, or its authorization lapsed before it began: its Tx profiles
   * go (OCPP 1.6 §3.13.1: a TxProfile lasts as long as its transaction).
   */
  sessionEnded(connectorId: number): void {
    if (!this.o.store.all().some((p) => p.purpose === 'Tx' && p.connectorId === connectorId)) return;
    this.clearProfiles({ connectorId, purpose: 'Tx' });
  }

  /** A session began on a connector (Relative schedules now count from its start). */
  sessionStarted(connectorId: number): void {
    this.evaluate(connectorId);
    this.arm();
  }

  /** A local energy manager's limit (undefined: none). */
  setLocalLimit(connectorId: number, amps: number | undefined): void {
    if (amps === undefined) {
      this.local?.delete(connectorId);
      this.localSince?.delete(connectorId);
    } else {
      const value = Math.max(0, amps);
      if (this.local?.get(connectorId) !== value) (this.localSince ??= new Map()).set(connectorId, this.o.clock.now());
      (this.local ??= new Map()).set(connectorId, value);
    }
    this.evaluate(connectorId);
  }

  /** The local energy manager's limit on a connector (A per phase) and since when it holds, if one is set. */
  localLimit(connectorId: number): { amps: number; since: number } | undefined {
    const amps = this.local?.get(connectorId);
    return amps === undefined ? undefined : { amps, since: this.localSince?.get(connectorId) ?? this.o.clock.now() };
  }

  /**
   * The composite schedule of a connector (0: the charge point's ChargePointMax profiles) from now,
   * capped by the local limit, the cable and the hardware; undefined for a connector we do not have.
   */
  composite(connectorId: number, durationS: number, unit: RateUnit): CompositeSchedule | undefined {
    const from = this.o.clock.now();
    if (connectorId === 0) {
      const hw = this.o.hardware;
      if (hw.length === 0) return undefined;
      const phases = hw.every((h) => h.meter.phases === 1) ? 1 : 3;
      const profiles = this.o.store.all().filter((p) => p.purpose === 'ChargePointMax');
      return compositeSchedule(profiles, { connectorId: 0, voltageV: this.o.voltageV, phases, ...(this.o.timeZone !== undefined && { timeZone: this.o.timeZone }) }, { from, durationS, unit, ceilingA: Math.max(...hw.map((h) => h.pilot.maxCurrentA)) });
    }
    if (!this.hw(connectorId)) return undefined;
    const caps = this.caps(connectorId);
    return compositeSchedule(this.o.store.all(), this.situation(connectorId), { from, durationS, unit, ceilingA: Math.min(...Object.values(caps)) });
  }

  private install(given: ChargingProfile): ProfileAnswer {
    // An Absolute schedule without a start starts when it becomes valid, or now.
    const p = given.kind === 'Absolute' && given.schedule.startSchedule === undefined ? { ...given, schedule: { ...given.schedule, startSchedule: given.validFrom ?? this.o.clock.now() } } : given;
    const rules = this.rules();
    const problem = profileProblem(p, rules);
    if (problem) return { accepted: false, reason: problem };
    const installed = this.o.store.install(p, rules.maxProfiles);
    if (!installed) return { accepted: false, reason: `MaxChargingProfilesInstalled (${rules.maxProfiles}) reached` };
    this.o.log.info({ profileId: p.id, connector: p.connectorId, purpose: p.purpose, stackLevel: p.stackLevel, replaced: installed.replaced }, 'charging profile installed');
    this.evaluateAll();
    return { accepted: true, persisted: installed.persisted };
  }

  private connector(connectorId: number): LimitedConnector | undefined {
    return this.o.connectors.find((c) => c.connectorId === connectorId);
  }

  /** A connector's place in `applied` and `thermal` (-1: no such connector). */
  private indexOf(connectorId: number): number {
    return this.o.connectors.findIndex((c) => c.connectorId === connectorId);
  }

  private hw(connectorId: number): ConnectorHardware | undefined {
    return this.o.hardware.find((h) => h.connectorId === connectorId);
  }

  private situation(connectorId: number): ConnectorSituation {
    const hw = this.hw(connectorId);
    const sessionStart = this.o.transactions.get(connectorId)?.startedAt;
    return { connectorId, voltageV: this.o.voltageV, phases: hw?.meter.phases ?? 3, ...(sessionStart !== undefined && { sessionStart }), ...(this.o.timeZone !== undefined && { timeZone: this.o.timeZone }) };
  }

  /** What the sources other than the profiles allow, A. */
  private caps(connectorId: number): Partial<Record<LimitSource, number>> & { hardware: number } {
    const hw = this.hw(connectorId);
    const local = this.local?.get(connectorId);
    const cable = hw?.pilot.proximityRatingA ?? undefined;
    const temperature = this.thermal?.[this.indexOf(connectorId)]?.amps;
    return {
      ...(local !== undefined && { localLimit: local }),
      ...(temperature !== undefined && { temperature }),
      ...(cable !== undefined && cable !== null && { cable }),
      hardware: hw?.pilot.maxCurrentA ?? 0,
    };
  }

  /**
   * The derating of each connector from its sensor's last reading. A sensor without a value keeps
   * the derating it had (a limit is not lifted because the sensor stopped answering).
   */
  private updateThermal(): void {
    const { thermal } = this;
    const derating = this.o.derating;
    if (!thermal || !derating) return;
    this.o.connectors.forEach((c, i) => {
      const hw = this.hw(c.connectorId);
      const celsius = hw?.temperature?.lastCelsius;
      const state = thermal[i]!;
      if (!hw || celsius === undefined) return;
      const next = thermalLimit(celsius, hw.pilot.maxCurrentA, derating, state.cutOff);
      if (next.cutOff !== state.cutOff) this.o.log.warn({ connector: c.connectorId, celsius, cutoffC: derating.cutoffC }, next.cutOff ? 'EVSE too hot: no power until it cools down' : 'EVSE cooled down: power again');
      thermal[i] = next;
    });
  }

  private decide(connectorId: number): ConnectorLimit {
    const profile = profileLimitAt(this.o.store.all(), this.situation(connectorId), this.o.clock.now());
    const sources: Partial<Record<LimitSource, number>> = { ...(profile && { chargingProfile: profile.amps }), ...this.caps(connectorId) };
    const lowest = Math.min(...Object.values(sources));
    const source = LIMIT_SOURCES.find((s) => sources[s] === lowest) ?? 'hardware';
    let amps = Math.floor(lowest + 1e-9);
    // Below the EV's minChargingRate it cannot charge at all: offer nothing rather than too little.
    if (profile?.minAmps !== undefined && amps < profile.minAmps) amps = 0;
    return { connectorId, amps, source, sources, ...(source === 'chargingProfile' && profile && { profileId: profile.profileId }) };
  }

  private evaluate(connectorId: number): void {
    const i = this.indexOf(connectorId);
    const c = this.o.connectors[i];
    if (!c || !this.started) return;
    const limit = this.decide(connectorId);
    const before = this.applied[i];
    if (before && before.amps === limit.amps && before.source === limit.source && JSON.stringify(before.sources) === JSON.stringify(limit.sources)) return;
    this.applied[i] = limit;
    if (!before || before.amps !== limit.amps || before.source !== limit.source) {
      this.o.log.info({ connector: connectorId, limitA: limit.amps, source: limit.source, sources: limit.sources, ...(limit.profileId !== undefined && { profileId: limit.profileId }) }, 'charging limit');
    }
    c.send({ type: 'SET_LIMIT', amps: limit.amps, source: limit.source });
    this.o.events?.emit('limit', limit);
  }

  private evaluateAll(): void {
    for (const c of this.o.connectors) this.evaluate(c.connectorId);
    this.arm();
  }

  /** One timer for the charger, at the next instant a schedule may change on any connector. */
  private arm(): void {
    const { clock, store } = this.o;
    clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.started || store.size === 0) return;
    const now = clock.now();
    let next = now + HORIZON_MS;
    for (const c of this.o.connectors) {
      const t = nextChange(store.all(), this.situation(c.connectorId), now, next);
      if (t !== undefined && t < next) next = t;
    }
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.evaluateAll();
    }, next - now);
  }
}
