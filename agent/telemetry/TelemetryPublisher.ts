/**
 * Publishes one Agent's live state over MQTT under `<prefix>/<chargePointId>/…` (topic tree and
 * payloads: ./topics.ts, docs/mqtt.md). It only listens — to the Agent's public events and to its
 * hardware's events — so a broker that is down, slow or gone never touches charging or OCPP.
 *
 * State topics are published on change and never twice with the same content (status and pilot:
 * {@link publishState}; meter: ./MeterTelemetry.ts).
 *
 * Timers: one interval on the injected clock (meter samples and counters), and per connector the
 * meter read that follows an offer change; mqtt.js keeps its own real-time keepalive and
 * reconnect timers, because they pace real socket I/O.
 */
import type { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { HAL_ERRORS, type Clock, type ConnectorHardware, type Device, type FaultEvents, type HalError, type HalErrorCode, type PilotState, type TimerId } from '../../hal/index.js';
import type { Agent } from '../Agent.js';
import type { StatusChange } from '../charging/ConnectorController.js';
import { CurrentLimits } from '../store/CurrentLimits.js';
import type { OcppLinkState } from '../ocpp/OcppLink.js';
import type { TransactionEvent } from '../transactions/TransactionManager.js';
import { CommandHandler } from './CommandHandler.js';
import { discoveryMessages, type HomeAssistantOptions } from './homeAssistant.js';
import { hashIdTag } from '../auth/idTagHash.js';
import { connectTelemetryClient, type TelemetryConnectSettings } from './mqttClient.js';
import { MeterTelemetry } from './MeterTelemetry.js';
import { MqttOutbox, type OutboxStats } from './MqttOutbox.js';
import type { ConnectorLimit } from '../chargingLimits/ChargingLimits.js';
import { TelemetryTopics, type ChargingLimitPayload, type FaultPayload, type InfoPayload, type LimitPayload, type OnlinePayload, type PilotPayload, type StatusPayload, type TamperPayload } from './topics.js';
import type { TamperState } from '../tamper/TamperGuard.js';
import { transactionPayload, type IdTagTransform } from './transactionPayload.js';

export interface TelemetryPublisherOptions {
  agent: Agent;
  /** A connected (or connecting) mqtt.js client — it must carry {@link telemetryWill} — or settings to create one. */
  mqtt: MqttClient | TelemetryConnectSettings;
  /** First topic level(s), default `evse`. */
  prefix?: string;
  clock: Clock;
  /** Default: a child of the agent's logger (`component: telemetry`). */
  log?: Logger;
  /** Meter samples and counters every `intervalMs` of `clock` (default 30 000; 0 = only on change). */
  intervalMs?: number;
  /** Messages kept while the broker is unreachable; the oldest are dropped beyond (default 1000). */
  queueLimit?: number;
  /** `hash` (default): SHA-256 of salt + idTag; `raw` publishes the idTag itself. */
  idTag?: 'hash' | 'raw';
  /** Salt for the idTag hash (default empty); see {@link hashIdTag}. */
  idTagSalt?: string;
  /** Agent version for `info` (default: the BootNotification firmwareVersion). */
  version?: string;
  /** A meter reading is published at once when power moved by at least this much, W (default 100). */
  powerDeltaW?: number;
  /** Read the meters on each interval (default true); false publishes what the agent last read. */
  readMeters?: boolean;
  /**
   * Accept commands on `<prefix>/<id>/cmd/<name>` (default false: no subscription at all). Who
   * may send them is decided by the broker's topic ACL (docs/mqtt.md).
   */
  commands?: boolean;
  /** Where `set_current_limit` keeps limits across restarts, applied at start with `commands` (default: in memory). */
  currentLimits?: CurrentLimits;
  /** Home Assistant discovery: publish (`enabled: true`) or remove (`false`) the configs; absent: untouched. */
  homeAssistant?: HomeAssistantOptions;
}

export class TelemetryPublisher {
  readonly topics: TelemetryTopics;
  readonly client: MqttClient;
  private readonly owned: boolean;
  private readonly outbox: MqttOutbox;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly idTags: IdTagTransform;
  private readonly meters = new Map<number, MeterTelemetry>();
  /** Per retained state topic (status, pilot): what was last published, without its `ts`. */
  private readonly lastState = new Map<string, string>();
  private readonly detach: (() => void)[] = [];
  private timer: TimerId | undefined;
  private started = false;
  private readonly commands: CommandHandler | undefined;
  /** The `set_current_limit` limits (with commands on). */
  private readonly limits: CurrentLimits | undefined;

  constructor(private readonly o: TelemetryPublisherOptions) {
    const { agent } = o;
    this.topics = new TelemetryTopics(o.prefix ?? 'evse', agent.chargePointId);
    this.clock = o.clock;
    this.log = o.log ?? agent.log.child({ component: 'telemetry' });
    this.intervalMs = o.intervalMs ?? 30_000;
    this.owned = !isClient(o.mqtt);
    this.client = isClient(o.mqtt) ? o.mqtt : connectTelemetryClient(o.mqtt, this.topics, agent.chargePointId);
    this.outbox = new MqttOutbox(this.client, o.queueLimit ?? 1000, this.log, undefined, () => this.clock.now());
    const salt = o.idTagSalt ?? '';
    this.idTags = o.idTag === 'raw' ? { mode: 'raw' } : { mode: 'hash', hash: (idTag) => hashIdTag(idTag, salt) };
    const discoveryPrefix = o.homeAssistant?.discoveryPrefix ?? 'homeassistant';
    if (o.commands === true) {
      const limits = o.currentLimits ?? CurrentLimits.inMemory(this.log);
      this.limits = limits;
      this.commands = new CommandHandler({
        sessions: agent.sessions,
        hardware: agent.options.hardware.connectors,
        client: this.client,
        topics: this.topics,
        log: this.log,
        protectedPrefixes: [`${discoveryPrefix}/`],
        limits,
        arbiter: agent.chargingLimits,
        onLimits: (ids) => ids.forEach((id) => this.publishLimit(id)),
      });
    }
  }

  /** Counters of the outbox (published, queued, dropped) and whether the broker is connected. */
  get stats(): OutboxStats {
    return this.outbox.stats;
  }

  /** Publishes the current state and follows the agent from now on. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { agent } = this.o;
    this.publishOnline({ online: true, ts: this.ts() });
    this.publishInfo();
    this.publishDiscovery();
    this.publishOcpp(agent.link.state);
    for (const s of agent.statuses()) this.publishStatus(s);
    const onStatus = (s: StatusChange) => {
      if (this.publishStatus(s) && s.connectorId > 0) this.meters.get(s.connectorId)?.sample();
    };
    const onTransaction = (e: TransactionEvent) => this.outbox.publish(this.topics.transaction, transactionPayload(e, this.idTags), { qos: 1, retain: false });
    const onLink = (state: OcppLinkState) => this.publishOcpp(state);
    const onLimit = (limit: ConnectorLimit) => this.publishChargingLimit(limit);
    const onTamper = (state: TamperState) => this.outbox.publish(this.topics.tamper, { ...state, ts: this.ts() } satisfies TamperPayload, { qos: 1, retain: true });
    agent.on('status', onStatus);
    agent.on('transaction', onTransaction);
    agent.on('tamper', onTamper);
    agent.link.on('state', onLink);
    agent.on('limit', onLimit);
    this.detach.push(() => {
      agent.off('status', onStatus);
      agent.off('transaction', onTransaction);
      agent.off('tamper', onTamper);
      agent.link.off('state', onLink);
      agent.off('limit', onLimit);
    });
    for (const c of agent.connectors) {
      const limit = agent.chargingLimits.limitOf(c.connectorId);
      if (limit) this.publishChargingLimit(limit);
    }
    if (agent.tamper) onTamper(agent.tamper);
    for (const hw of agent.options.hardware.connectors) this.follow(hw);
    for (const reader of agent.options.hardware.readers) this.followFaults(reader, 0);
    this.arm();
    this.commands?.start();
    if (this.commands) for (const hw of agent.options.hardware.connectors) this.publishLimit(hw.connectorId);
  }

  /** Marks the charger offline (retained), stops listening and, if it created the client, disconnects cleanly. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const d of this.detach.splice(0)) d();
    for (const m of this.meters.values()) m.dispose();
    this.meters.clear();
    this.commands?.stop();
    this.publishOnline({ online: false, reason: 'shutdown', ts: this.ts() });
    this.outbox.dispose();
    if (!this.owned) return;
    // Connected: a clean DISCONNECT after the shutdown marker (no Will). Offline: give up at once.
    if (this.client.connected) await this.client.endAsync().catch((err: unknown) => this.log.debug({ err }, 'MQTT end failed'));
    else this.client.end(true);
  }

  private follow(hw: ConnectorHardware): void {
    const id = hw.connectorId;
    const meter = new MeterTelemetry({
      hw,
      clock: this.clock,
      publish: (payload) => this.outbox.publish(this.topics.meter(id), payload, { qos: 0, retain: true }),
      powerDeltaW: this.o.powerDeltaW ?? 100,
      readMeters: this.o.readMeters !== false,
    });
    this.meters.set(id, meter);
    const onPilot = (state: PilotState) => this.publishPilot(id, state, hw.pilot.currentOfferA);
    const onOffer = (amps: number) => {
      this.publishPilot(id, hw.pilot.state, amps);
      meter.offerChanged();
    };
    hw.pilot.on('state', onPilot);
    hw.pilot.on('offer', onOffer);
    this.detach.push(() => {
      hw.pilot.off('state', onPilot);
      hw.pilot.off('offer', onOffer);
    });
    this.publishPilot(id, hw.pilot.state, hw.pilot.currentOfferA);
    for (const device of devicesOf(hw)) this.followFaults(device, id);
    if (hw.meter.lastReading) meter.sample();
  }

  private followFaults(d: Device, connectorId: number): void {
    const device = d as FaultDevice;
    const onFault = (err: HalError) =>
      this.publishFault(connectorId, { event: 'raised', code: err.code, device: err.device, recoverable: err.recoverable, ocppErrorCode: err.ocppErrorCode, message: err.message, ts: this.ts() });
    const onCleared = (code: HalErrorCode) =>
      this.publishFault(connectorId, { event: 'cleared', code, device: device.id, recoverable: HAL_ERRORS[code].recoverable, ocppErrorCode: HAL_ERRORS[code].ocpp, ts: this.ts() });
    device.on('fault', onFault);
    device.on('faultCleared', onCleared);
    this.detach.push(() => {
      device.off('fault', onFault);
      device.off('faultCleared', onCleared);
    });
  }

  private publishFault(connectorId: number, payload: FaultPayload): void {
    this.outbox.publish(this.topics.fault(connectorId), payload, { qos: 1, retain: false });
  }

  private publishOnline(payload: OnlinePayload): void {
    this.outbox.publish(this.topics.online, payload, { qos: 1, retain: true });
  }

  private publishInfo(): void {
    const { agent } = this.o;
    const boot = agent.options.boot;
    const payload: InfoPayload = {
      chargePointId: agent.chargePointId,
      version: this.version(),
      vendor: boot.chargePointVendor,
      model: boot.chargePointModel,
      connectors: agent.connectors.map((c) => c.connectorId),
      ts: this.ts(),
    };
    this.outbox.publish(this.topics.info, payload, { qos: 1, retain: true });
  }

  /** Retained, so Home Assistant finds the device whenever it (re)starts; re-sent after every reconnect. */
  private publishDiscovery(): void {
    const ha = this.o.homeAssistant;
    if (!ha) return;
    const { agent } = this.o;
    const boot = agent.options.boot;
    const hardware = agent.options.hardware.connectors;
    const device = {
      chargePointId: agent.chargePointId,
      manufacturer: boot.chargePointVendor,
      model: boot.chargePointModel,
      swVersion: this.version(),
      connectorIds: agent.connectors.map((c) => c.connectorId),
      temperatureConnectorIds: hardware.filter((c) => c.temperature !== undefined).map((c) => c.connectorId),
      // Controls publish MQTT commands: offered only when the agent listens to them.
      ...(this.commands && { controls: { maxCurrentA: (id: number) => hardware.find((c) => c.connectorId === id)?.pilot.maxCurrentA ?? 0 } }),
    };
    for (const m of discoveryMessages(this.topics, device, ha)) {
      this.outbox.publishText(m.topic, m.config ? JSON.stringify(m.config) : '', { qos: 1, retain: true });
    }
  }

  private version(): string {
    return this.o.version ?? this.o.agent.options.boot.firmwareVersion ?? 'unknown';
  }

  private publishOcpp(state: OcppLinkState): void {
    this.outbox.publish(this.topics.ocpp, { state, connected: state === 'accepted', ts: this.ts() }, { qos: 1, retain: true });
  }

  /** Publishes a retained state unless it says what the last one on its topic said (`ts` aside); false then. */
  private publishState(topic: string, payload: { ts: string }): boolean {
    const { ts: _ts, ...state } = payload;
    const key = JSON.stringify(state);
    if (this.lastState.get(topic) === key) return false;
    this.lastState.set(topic, key);
    this.outbox.publish(topic, payload, { qos: 1, retain: true });
    return true;
  }

  /** The status, unless it repeats the last one (the start-up status is both read and then announced by the agent). */
  private publishStatus(s: StatusChange): boolean {
    const hw = this.o.agent.options.hardware;
    const devices: Device[] = s.connectorId === 0 ? [...hw.readers] : devicesOf(hw.connectors.find((c) => c.connectorId === s.connectorId));
    const payload: StatusPayload = {
      connectorId: s.connectorId,
      status: s.status,
      errorCode: s.errorCode,
      ...(s.info !== undefined && { info: s.info }),
      faults: [...new Set(devices.flatMap((d) => [...d.activeFaults]))],
      ts: new Date(s.timestamp).toISOString(),
    };
    return this.publishState(this.topics.status(s.connectorId), payload);
  }

  /** The connector's `set_current_limit` limit (commands on): at start and when a command sets it. */
  private publishLimit(connectorId: number): void {
    const hw = this.o.agent.options.hardware.connectors.find((c) => c.connectorId === connectorId);
    if (!hw || !this.limits) return;
    const maxCurrentA = hw.pilot.maxCurrentA;
    const payload: LimitPayload = { currentLimitA: Math.min(this.limits.get(connectorId) ?? maxCurrentA, maxCurrentA), maxCurrentA, ts: this.ts() };
    this.publishState(this.topics.limit(connectorId), payload);
  }

  /** The connector's arbitrated limit and its binding source (on change). */
  private publishChargingLimit(l: ConnectorLimit): void {
    const payload: ChargingLimitPayload = { limitA: l.amps, source: l.source, sources: l.sources, ...(l.profileId !== undefined && { profileId: l.profileId }), ts: this.ts() };
    this.publishState(this.topics.chargingLimit(l.connectorId), payload);
  }

  /** On a pilot state or offer change; a repeat of the last one (state and offer) is not published. */
  private publishPilot(connectorId: number, state: PilotState, currentOfferA: number): void {
    const payload: PilotPayload = { state, currentOfferA, ts: this.ts() };
    this.publishState(this.topics.pilot(connectorId), payload);
  }

  private arm(): void {
    if (this.intervalMs <= 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.started) return;
      for (const m of this.meters.values()) m.sample();
      const { published, queued, dropped } = this.outbox.stats;
      this.outbox.publish(this.topics.stats, { published, queued, dropped, ts: this.ts() }, { qos: 0, retain: true });
      this.arm();
    }, this.intervalMs);
  }

  private ts(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

/** Every HAL device emits FaultEvents (hal/index.ts); TS cannot widen EventEmitter<RelayEvents> to it. */
type FaultDevice = Device & EventEmitter<FaultEvents>;

function devicesOf(hw: ConnectorHardware | undefined): Device[] {
  return hw ? [hw.relay, hw.meter, hw.pilot, ...(hw.lock ? [hw.lock] : [])] : [];
}

function isClient(m: MqttClient | TelemetryConnectSettings): m is MqttClient {
  return typeof (m as MqttClient).publish === 'function';
}
