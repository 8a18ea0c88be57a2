/**
 * The site under test for one scenario run: one or more chargers (each a real in-process Agent
 * with its own hardware and {@link Rig}) on one CSMS, and the clock. Records a timeline.
 *
 * - sim HAL + embedded CSMS: a SimulatedClock (virtual time, deterministic per seed), simulated
 *   hardware, the embedded strict CSMS on 127.0.0.1;
 * - serial HAL or an external CSMS: the wall clock; waits are real and bounded.
 */
import pino from 'pino';
import { SimulatedClock, systemClock, type Clock } from '../../hal/clock.js';
import { createSimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import type { ChargerHardware } from '../../hal/index.js';
import { Agent } from '../../agent/Agent.js';
import { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import { EmbeddedCsms } from '../csms/EmbeddedCsms.js';
import { embeddedView, externalView, type CsmsView } from './csmsView.js';
import type { Rig, SerialBenchFactory } from './rig/Rig.js';
import { simRig } from './rig/simRig.js';
import { ScenarioUsageError } from './errors.js';
import { type ScenarioOptions } from './scenarioOptions.js';
import { seededRandom } from '../seededRandom.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

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

/** Where a run takes place; the default is the simulated HAL and the embedded CSMS. */
export interface RunEnvironment {
  readonly seed: number;
  readonly hal: { readonly kind: 'sim' } | { readonly kind: 'serial'; readonly bench: SerialBenchFactory };
  readonly csms: { readonly kind: 'embedded' } | { readonly kind: 'external'; readonly url: string };
  /** Charge point ids (override the scenario's). */
  readonly ids?: readonly string[];
  /** Longest single `clock.advance` on real time, ms (default 10 minutes). */
  readonly maxRealWaitMs?: number;
  /** The OCPP version the chargers speak (default 1.6). */
  readonly ocppVersion?: OcppVersion;
}

export const DEFAULT_ENVIRONMENT: RunEnvironment = { seed: 1, hal: { kind: 'sim' }, csms: { kind: 'embedded' } };

export interface ChargerUnderTest {
  /** 1-based position in the site. */
  readonly index: number;
  readonly id: string;
  readonly agent: Agent;
  readonly config: OcppConfiguration;
  readonly rig: Rig;
  readonly connectorCount: number;
  /** Energy register of a connector now, Wh (the last good reading while the meter is failing). */
  energyWh(connectorId: number): Promise<number>;
}

export interface Harness {
  readonly clock: Clock;
  /** The OCPP version the chargers speak. */
  readonly ocppVersion: OcppVersion;
  /** True on virtual time (sim HAL and embedded CSMS). */
  readonly virtual: boolean;
  /** Clock time the run started (T0 on virtual time). */
  readonly start: number;
  readonly maxRealWaitMs: number;
  readonly csms: CsmsView;
  readonly chargers: readonly ChargerUnderTest[];
  readonly timeline: TimelineEvent[];
  /** Embedded CSMS only: when true it refuses (HTTP 401) reconnections. */
  offline: boolean;
  note(kind: EventKind, text: string): void;
  settle(): Promise<void>;
  /** Lets `ms` pass: virtual time in one-second steps with I/O settled between, or real time. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(options: ScenarioOptions, env: RunEnvironment = DEFAULT_ENVIRONMENT): Promise<Harness> {
  const count = options.chargers ?? 1;
  const ids = env.ids ?? options.ids ?? Array.from({ length: count }, (_, i) => `SCENARIO-CP${i + 1}`);
  if (ids.length < count) throw new ScenarioUsageError(`--id: the scenario has ${count} chargers, but ${ids.length} id(s) were given (${ids.join(', ')})`);
  if (env.hal.kind === 'serial' && count > 1) {
    throw new ScenarioUsageError(`--hal serial: the scenario has ${count} chargers, but a serial bench wires one charger's devices; run it with --hal sim`);
  }
  const log = pino({ level: process.env.EVSE_SCENARIO_LOG ?? 'silent' });
  const ocppVersion = env.ocppVersion ?? '1.6';
  const virtual = env.hal.kind === 'sim' && env.csms.kind === 'embedded';
  const clock: Clock = virtual ? new SimulatedClock(T0) : systemClock;
  const start = clock.now();
  const timeline: TimelineEvent[] = [];
  const note = (kind: EventKind, text: string) => void timeline.push({ at: clock.now() - start, kind, text });
  const byCharger = (cp: string, text: string) => note('ocpp', count > 1 ? `${cp} ${text}` : text);
  const link = { offline: false };
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };

  try {
    let csms: CsmsView;
    let url: string;
    if (env.csms.kind === 'embedded') {
      const embedded = new EmbeddedCsms({ now: () => clock.now(), logger: log, pingIntervalMs: 0, auth: () => !link.offline, ...(options.cards && { authorization: options.cards }) });
      embedded.setBootPolicy(options.boot ?? { interval: 3600 });
      url = (await embedded.start({ host: '127.0.0.1', port: 0 })).url;
      closers.push(() => embedded.stop());
      csms = embeddedView(embedded, byCharger);
    } else {
      url = env.csms.url;
      csms = externalView(url);
    }

    // Ventilation is the agent's capability, the rest describes the simulated hardware.
    const { ventilation = false, ...simulated } = options.charger ?? {};
    const chargers: ChargerUnderTest[] = [];
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const prefix = count > 1 ? `${id} ` : '';
      let hardware: ChargerHardware;
      let rig: Rig;
      if (env.hal.kind === 'sim') {
        const sim = createSimulatedCharger({ connectors: 1, ...simulated, clock, ...(count > 1 && { idPrefix: `${id}/` }) });
        hardware = sim.hardware;
        rig = simRig(sim);
        closers.push(() => rig.close());
      } else {
        ({ hardware, rig } = await env.hal.bench(clock));
        // Closed in reverse: the drivers release their ports before the rig removes the devices.
        closers.push(() => rig.close(), () => hardware.close());
      }
      const config = await OcppConfiguration.open({
        file: null,
        initial: { MeterValueSampleInterval: 0, WebSocketPingInterval: 0, ...options.ocpp },
        readonlyValues: { NumberOfConnectors: hardware.connectors.length, SupportedFeatureProfiles: 'Core,Reservation,SmartCharging,RemoteTrigger' },
        log,
      });
      const agent = new Agent({
        chargePointId: id,
        ocppVersion,
        boot: { chargePointVendor: 'evse-agent', chargePointModel: 'scenario' },
        csms: { url, callTimeoutMs: 10_000, reconnect: { initialDelayMs: 1000, maxDelayMs: 30_000 } },
        hardware,
        config,
        clock,
        log: log.child({ chargePointId: id }),
        random: seededRandom(env.seed + i),
        ventilation,
        // GetDiagnostics / GetLog upload what the scenario's timeline recorded so far.
        diagnostics: { sources: { DiagnosticsLog: { lines: () => timeline.map((e) => JSON.stringify({ time: start + e.at, kind: e.kind, msg: e.text })) } } },
      });
      agent.on('status', (s) => note('status', `${prefix}connector ${s.connectorId}: ${s.status}${s.errorCode !== 'NoError' ? ` (${s.errorCode})` : ''}`));
      agent.on('card', (card, result) => note('card', `${prefix}card ${card.uid}: ${result.status} (${result.source})`));
      agent.on('cardRefused', (card, refusal) => note('card', `${prefix}card ${card.uid} refused: ${refusal.message}`));
      csms.attach(agent, byCharger);
      closers.push(() => agent.stop({ flushMs: 500 }));
      chargers.push({
        index: i + 1,
        id,
        agent,
        config,
        rig,
        connectorCount: hardware.connectors.length,
        async energyWh(n) {
          const meter = hardware.connectors[n - 1]!.meter;
          try {
            return (await meter.read()).energyWh;
          } catch {
            return meter.lastReading?.energyWh ?? 0;
          }
        },
      });
    }

    const settle = async () => {
      await Promise.all(chargers.map((c) => c.agent.whenIdle(3000)));
    };
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    const harness: Harness = {
      clock,
      ocppVersion,
      virtual,
      start,
      maxRealWaitMs: env.maxRealWaitMs ?? 600_000,
      csms,
      chargers,
      timeline,
      get offline() {
        return link.offline;
      },
      set offline(value: boolean) {
        link.offline = value;
      },
      note,
      settle,
      advance: virtual ? (ms) => (clock as SimulatedClock).advanceAsync(ms, settle, 1000) : (ms) => sleep(ms).then(settle),
      close,
    };
    for (const c of chargers) c.agent.start();
    if (options.waitForBoot ?? true) await waitForBoot(harness);
    return harness;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Every charger booted and reported its last connector's status (real time: up to 20 s). */
async function waitForBoot(h: Harness): Promise<void> {
  const limitMs = h.virtual ? 5000 : 20_000;
  for (const c of h.chargers) {
    const wallStart = performance.now();
    // 1.6 reports connectorId (and 0), 2.0.1 its EVSEs by evseId
    const last = (p: { connectorId?: number; evseId?: number }) => (h.ocppVersion === '2.0.1' ? p.evseId : p.connectorId) === c.connectorCount;
    while (!h.csms.calls(c.id, 'StatusNotification', 0).some((r) => last(r.payload as { connectorId?: number; evseId?: number }))) {
      if (performance.now() - wallStart > limitMs) {
        throw new Error(`${c.id} did not boot and report its connectors within ${limitMs / 1000} s at the CSMS ${h.csms.label}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10)); // real time: the socket, not the clock
    }
  }
  await h.advance(0);
}
