/**
 * One charger for one scenario run: an in-process Agent on a SimulatedClock with simulated
 * hardware, talking to the embedded strict CSMS over a real WebSocket on 127.0.0.1 (as
 * agent/testing/agentFixture.ts does, without vitest). Records a timeline as it goes.
 */
import pino from 'pino';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger, type SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { Agent } from '../../agent/Agent.js';
import { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import { EmbeddedCsms } from '../csms/EmbeddedCsms.js';
import { formatMessage } from '../csms/formatMessage.js';
import type { ScenarioOptions } from './scenario.js';
import { seededRandom } from './words.js';

export const CHARGE_POINT_ID = 'SCENARIO-CP1';
/** 2026-01-01T00:00:00Z: virtual time starts here, so clock-aligned boundaries are easy to read. */
export const T0 = Date.UTC(2026, 0, 1);

export type EventKind = 'step' | 'status' | 'ocpp' | 'energy' | 'card' | 'note';

export interface TimelineEvent {
  /** Virtual ms since the scenario started. */
  readonly at: number;
  readonly kind: EventKind;
  readonly text: string;
}

export interface Harness {
  readonly clock: SimulatedClock;
  readonly csms: EmbeddedCsms;
  readonly agent: Agent;
  readonly sim: SimulatedCharger;
  readonly config: OcppConfiguration;
  readonly timeline: TimelineEvent[];
  /** When true the CSMS refuses (HTTP 401) reconnections: the backend is unreachable. */
  offline: boolean;
  note(kind: EventKind, text: string): void;
  settle(): Promise<void>;
  advance(ms: number): Promise<void>;
  /** Energy register of a connector now, Wh (the last good reading while the meter is failing). */
  energyWh(connectorId: number): Promise<number>;
  close(): Promise<void>;
}

export async function createHarness(options: ScenarioOptions, seed: number): Promise<Harness> {
  const log = pino({ level: process.env.EVSE_SCENARIO_LOG ?? 'silent' });
  const clock = new SimulatedClock(T0);
  const timeline: TimelineEvent[] = [];
  const note = (kind: EventKind, text: string) => void timeline.push({ at: clock.now() - T0, kind, text });
  const link = { offline: false };
  const csms = new EmbeddedCsms({
    now: () => clock.now(),
    logger: log,
    pingIntervalMs: 0,
    auth: () => !link.offline,
    ...(options.cards && { authorization: options.cards }),
  });
  csms.setBootPolicy(options.boot ?? { interval: 3600 });
  const { url } = await csms.start({ host: '127.0.0.1', port: 0 });
  csms.on('message', (r) => note('ocpp', formatMessage(r, { utc: true }).replace(/^\S+ \S+ /, '')));
  const sim = createSimulatedCharger({ connectors: 1, ...options.charger, clock });
  const config = await OcppConfiguration.open({
    file: null,
    initial: { MeterValueSampleInterval: 0, ...options.ocpp },
    readonlyValues: { NumberOfConnectors: sim.connectors.length, SupportedFeatureProfiles: 'Core,Reservation,RemoteTrigger' },
    log,
  });
  const agent = new Agent({
    chargePointId: CHARGE_POINT_ID,
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'scenario' },
    csms: { url, callTimeoutMs: 10_000, pingIntervalMs: 0, reconnect: { initialDelayMs: 1000, maxDelayMs: 30_000 } },
    hardware: sim.hardware,
    config,
    clock,
    log,
    random: seededRandom(seed),
  });
  agent.on('status', (s) => note('status', `connector ${s.connectorId}: ${s.status}${s.errorCode !== 'NoError' ? ` (${s.errorCode})` : ''}`));
  agent.on('card', (card, result) => note('card', `card ${card.uid}: ${result.status} (${result.source})`));

  const settle = () => agent.whenIdle(3000);
  let closed = false;
  const harness: Harness = {
    clock,
    csms,
    agent,
    sim,
    config,
    timeline,
    get offline() {
      return link.offline;
    },
    set offline(value: boolean) {
      link.offline = value;
    },
    note,
    settle,
    advance: (ms) => clock.advanceAsync(ms, settle, 1000),
    async energyWh(connectorId) {
      const meter = sim.connectors[connectorId - 1]!.meter;
      try {
        return (await meter.read()).energyWh;
      } catch {
        return meter.lastReading?.energyWh ?? 0;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await agent.stop({ flushMs: 500 });
      await sim.close();
      await csms.stop();
    },
  };
  agent.start();
  if (options.waitForBoot ?? true) {
    try {
      await csms.waitForCall(CHARGE_POINT_ID, 'StatusNotification', { connectorId: sim.connectors.length }, 5000);
    } catch (err) {
      await harness.close();
      throw err;
    }
    await harness.advance(0);
  }
  return harness;
}
