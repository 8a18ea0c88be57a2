/**
 * Test support only (never imported by firmware code): one in-process {@link Agent} on a
 * SimulatedClock with simulated hardware, talking to the embedded strict CSMS over a real
 * WebSocket on 127.0.0.1. Virtual time moves only through {@link AgentFixture.advance}, which lets
 * the real I/O settle between steps (`agent.whenIdle`), as bin/demo.ts does.
 */
import pino from 'pino';
import { expect } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger, type SimulatedCharger, type SimulatedChargerOptions } from '../../hal/sim/createSimulatedCharger.js';
import { EmbeddedCsms, type EmbeddedCsmsOptions } from '../../scenarios/csms/EmbeddedCsms.js';
import { Agent, type AgentOptions } from '../../agent/Agent.js';
import type { StatusChange } from '../../agent/charging/ConnectorController.js';
import type { Ocpp16Action, RequestOf } from '../../agent/ocpp16/messages.js';
import { OcppConfiguration, type ConfigInput } from '../../agent/store/OcppConfiguration.js';
import type { TransactionJournal } from '../../agent/store/TransactionJournal.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

export const CP = 'AGENT-T1';
/** 2026-01-01T00:00:00Z, a Thursday at midnight UTC (clock-aligned boundaries are easy to read). */
export const T0 = Date.UTC(2026, 0, 1);

export interface AgentFixtureOptions {
  /** The OCPP version the agent speaks (default 1.6); the embedded CSMS speaks both. */
  ocppVersion?: OcppVersion;
  /** OCPP configuration keys (initial values). */
  ocpp?: Record<string, ConfigInput>;
  /** Where the OCPP configuration is stored (default: in memory), to check what survives a restart. */
  configFile?: string;
  /** Read-only OCPP keys (the charger's capabilities) besides NumberOfConnectors and SupportedFeatureProfiles. */
  readonlyOcpp?: Record<string, ConfigInput>;
  charger?: Omit<SimulatedChargerOptions, 'clock'>;
  csms?: EmbeddedCsmsOptions;
  journal?: TransactionJournal;
  /** Virtual start time (default {@link T0}). */
  start?: number;
  /** Wait for the first boot and the initial StatusNotifications (default true). */
  boot?: boolean;
  /** Simulated hardware to use (default: a new one from `charger`); closed with the fixture. */
  sim?: SimulatedCharger;
  /** Virtual clock to use (default: a new one starting at `start`); must be the one `sim` runs on. */
  clock?: SimulatedClock;
  /** Charger capabilities passed to the Agent as they are. */
  agent?: Partial<Pick<AgentOptions, 'ventilation' | 'thermalDerating' | 'timeFromCsms' | 'clock' | 'chargingProfiles' | 'firmware' | 'diagnostics' | 'securityEvents'>>;
  /** BootNotification.firmwareVersion (the running firmware). */
  firmwareVersion?: string;
  /** Called with the agent before it starts (to attach listeners that must see the start-up). */
  beforeStart?: (agent: Agent) => void;
}

const fixtures: AgentFixture[] = [];

/**
 * Stops every fixture of the current test and asserts that the charge point never sent a message
 * that failed the CSMS's strict validation. Call it in afterEach.
 */
export async function cleanupAgents(): Promise<void> {
  const all = fixtures.splice(0);
  for (const f of all) await f.close();
  for (const f of all) expect(f.chargePointViolations(), 'schema violations by the charge point').toEqual([]);
}

export interface AgentFixture {
  readonly clock: SimulatedClock;
  readonly csms: EmbeddedCsms;
  readonly agent: Agent;
  readonly config: OcppConfiguration;
  readonly sim: SimulatedCharger;
  /** Every status the agent reported, in order. */
  readonly statuses: StatusChange[];
  /** Lets real I/O settle without moving virtual time. */
  settle(): Promise<void>;
  /** Moves virtual time forward in steps of at most `stepMs`, settling I/O after each timer and step. */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Payloads of the calls the charge point sent for `action`, oldest first. */
  sent<A extends Ocpp16Action>(action: A): RequestOf<A>[];
  /** StatusNotifications received by the CSMS for one connector, as "Status" or "Status/ErrorCode". */
  statusTrail(connectorId: number): string[];
  chargePointViolations(): unknown[];
  close(): Promise<void>;
}

export async function agentFixture(opts: AgentFixtureOptions = {}): Promise<AgentFixture> {
  const log = pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' });
  const clock = opts.clock ?? new SimulatedClock(opts.start ?? T0);
  const csms = new EmbeddedCsms({ now: () => clock.now(), logger: log, pingIntervalMs: 0, ...opts.csms });
  // Heartbeats once a virtual hour keep the traffic about what a test looks at.
  csms.setBootPolicy({ interval: 3600 });
  const { url } = await csms.start();
  const sim = opts.sim ?? createSimulatedCharger({ clock, connectors: 1, ...opts.charger });
  const config = await OcppConfiguration.open({
    file: opts.configFile ?? null,
    // Reconnects after exactly 1 s (virtual), every time.
    initial: { MeterValueSampleInterval: 0, WebSocketPingInterval: 0, RetryBackOffWaitMinimum: 1, RetryBackOffRandomRange: 0, RetryBackOffRepeatTimes: 0, ...opts.ocpp },
    readonlyValues: { NumberOfConnectors: sim.connectors.length, SupportedFeatureProfiles: 'Core,Reservation,SmartCharging,RemoteTrigger', ...opts.readonlyOcpp },
    log,
  });
  const agent = new Agent({
    chargePointId: CP,
    ...(opts.ocppVersion && { ocppVersion: opts.ocppVersion }),
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'test', ...(opts.firmwareVersion !== undefined && { firmwareVersion: opts.firmwareVersion }) },
    csms: { url, callTimeoutMs: 10_000 },
    hardware: sim.hardware,
    config,
    clock,
    log,
    random: () => 1,
    ...(opts.journal && { journal: opts.journal }),
    ...opts.agent,
  });
  const statuses: StatusChange[] = [];
  agent.on('status', (s) => void statuses.push(s));

  let closed = false;
  const settle = () => agent.whenIdle(3000);
  const fixture: AgentFixture = {
    clock,
    csms,
    agent,
    config,
    sim,
    statuses,
    settle,
    advance: (ms, stepMs = 1000) => clock.advanceAsync(ms, settle, stepMs),
    sent: <A extends Ocpp16Action>(action: A) =>
      csms.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call' && r.action === action).map((r) => r.payload as RequestOf<A>),
    statusTrail: (connectorId) =>
      fixture
        .sent('StatusNotification')
        .filter((s) => s.connectorId === connectorId)
        .map((s) => (s.errorCode === 'NoError' ? s.status : `${s.status}/${s.errorCode}`)),
    chargePointViolations: () => csms.violations(CP).filter((v) => v.by === 'chargePoint'),
    close: async () => {
      if (closed) return;
      closed = true;
      await agent.stop({ flushMs: 500 });
      await sim.close();
      await csms.stop();
    },
  };
  fixtures.push(fixture);
  opts.beforeStart?.(agent);
  agent.start();
  if (opts.boot ?? true) {
    const last = sim.connectors.length;
    const lastStatus = (p: { connectorId?: number; evseId?: number }) => (opts.ocppVersion === '2.0.1' ? p.evseId : p.connectorId) === last;
    await csms.waitForCall(CP, 'StatusNotification', lastStatus as never, 5000);
    await fixture.advance(0);
  }
  return fixture;
}

/**
 * The CSMS drops the connection and answers the reconnect's BootNotification Pending, retry in 10
 * minutes: until then the charger can send nothing (its next boot is Accepted).
 */
export async function reconnectPending(f: AgentFixture): Promise<void> {
  f.csms.setBootPolicy({ interval: 3600, first: { status: 'Pending', count: 2, interval: 600 } });
  await f.csms.disconnect(CP);
  await f.advance(2000);
  expect(f.agent.link.state).toBe('pending');
}

/** Plugs the EV of `connectorId` in, taps `card` and lets the session start (charging at the end). */
export async function startSession(f: AgentFixture, card = '04A1B2C3D4E5F6', connectorId = 1): Promise<void> {
  f.sim.connectors[connectorId - 1]!.ev.plugIn();
  await f.advance(1000);
  f.sim.rfid.tap(card);
  await f.advance(1000);
  expect(f.agent.connectors[connectorId - 1]!.status).toBe('Charging');
}

/** The Energy.Active.Import.Register value (Wh) of a MeterValue element. */
export function energyOf(meterValue: { sampledValue: { measurand?: string; value: string }[] }): number {
  const v = meterValue.sampledValue.find((s) => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register');
  if (!v) throw new Error('no energy register value');
  return Number(v.value);
}
