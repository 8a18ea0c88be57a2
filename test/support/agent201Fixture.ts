/**
 * Test support only: one in-process {@link Agent} speaking OCPP 2.0.1 on a SimulatedClock with
 * simulated hardware, connected over a real WebSocket on 127.0.0.1 to the strict 2.0.1
 * {@link StubCsms}. Virtual time moves only through {@link Agent201Fixture.advance}, which lets real
 * I/O settle between steps.
 */
import pino from 'pino';
import { vi } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger, type SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { Agent, type AgentOptions } from '../../agent/Agent.js';
import { StubCsms, type StubCsmsOptions } from '../../agent/ocpp/testing/StubCsms.js';
import type { Ocpp201Action, RequestOf, ResponseOf } from '../../agent/ocpp201/messages.js';
import { OcppConfiguration, type ConfigInput } from '../../agent/store/OcppConfiguration.js';
import { SLOT_COUNT } from '../../agent/ocpp/NetworkProfiles.js';

export const CP201 = 'AGENT-201';
export const T0 = Date.UTC(2026, 0, 1);

export interface Agent201FixtureOptions {
  csms?: Omit<StubCsmsOptions, 'version'>;
  ocpp?: Record<string, ConfigInput>;
  connectors?: number;
  /** A cabinet door switch (sim.tamper) and warning light. */
  tamperSwitch?: boolean;
  /** A temperature sensor in each EVSE reading this many °C at start (sim.connectors[i].temperature). */
  temperatureC?: number;
  /** Fallback CSMSs (connection profiles 2, 3, …); the fixture's stub is profile 1. */
  fallbackUrls?: string[];
  /** Wait for the first Accepted boot and a StatusNotification per EVSE (default true). */
  boot?: boolean;
  /** Where the stored OCPP configuration is kept (default: in memory); the same file again is a restart with the same data. */
  configFile?: string;
  /** The virtual clock (default: a new one starting at `clockStart`). */
  clock?: SimulatedClock;
  /** Where the virtual clock starts (default T0; certificate tests need today). */
  clockStart?: number;
  /** What happens to the simulated hardware before the charger is built (an EV plugged in while the station is off). */
  beforeAgent?: (sim: SimulatedCharger) => void;
  /** Called with the built agent before `agent.start()` (attach listeners such as a UsageTracker). */
  beforeStart?: (agent: Agent) => void;
  /** The charger's optional services (certificates, security events, firmware, logs …), built by the test. */
  agent?: (parts: { clock: SimulatedClock; config: OcppConfiguration; csmsUrl: string }) => Partial<AgentOptions>;
}

export interface Agent201Fixture {
  readonly clock: SimulatedClock;
  readonly csms: StubCsms;
  readonly agent: Agent;
  readonly config: OcppConfiguration;
  readonly sim: SimulatedCharger;
  /** Payloads the station sent for `action`, oldest first. */
  sent<A extends Ocpp201Action>(action: A): RequestOf<A>[];
  /** A CSMS call to the station; rejects when the answer violates the 2.0.1 schema. */
  call<A extends Ocpp201Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>>;
  settle(): Promise<void>;
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Waits (real time, bounded) until the station has sent `count` calls of `action`. */
  waitForSent(action: Ocpp201Action, count?: number): Promise<void>;
  close(): Promise<void>;
}

const fixtures: Agent201Fixture[] = [];

export async function cleanupAgents201(): Promise<void> {
  for (const f of fixtures.splice(0)) await f.close();
}

export async function agent201Fixture(opts: Agent201FixtureOptions = {}): Promise<Agent201Fixture> {
  const log = pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' });
  const clock = opts.clock ?? new SimulatedClock(opts.clockStart ?? T0);
  const csms = await StubCsms.start({ ...opts.csms, version: '2.0.1', boot: opts.csms?.boot ?? (() => ({ interval: 3600 })) });
  const sim = createSimulatedCharger({ clock, connectors: opts.connectors ?? 2, ...(opts.tamperSwitch && { tamperSwitch: true }), ...(opts.temperatureC !== undefined && { temperatureC: opts.temperatureC }) });
  opts.beforeAgent?.(sim);
  const config = await OcppConfiguration.open({
    file: opts.configFile ?? null,
    // Reconnects after exactly 1 s (virtual), every time.
    initial: { MeterValueSampleInterval: 0, WebSocketPingInterval: 0, RetryBackOffWaitMinimum: 1, RetryBackOffRandomRange: 0, RetryBackOffRepeatTimes: 0, ...opts.ocpp },
    readonlyValues: { NumberOfConnectors: sim.connectors.length, NetworkConnectionProfiles: SLOT_COUNT }, // 2.0.1: slots 1…9 (SetNetworkProfile)
    log,
  });
  const agent = new Agent({
    chargePointId: CP201,
    ocppVersion: '2.0.1',
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'test', chargePointSerialNumber: 'SN-201', firmwareVersion: '0.1.0' },
    csms: { url: csms.url, fallbackUrls: opts.fallbackUrls, callTimeoutMs: 10_000 },
    hardware: sim.hardware,
    config,
    clock,
    log,
    random: () => 1,
    ...opts.agent?.({ clock, config, csmsUrl: csms.url }),
  });
  let closed = false;
  const settle = () => agent.whenIdle(3000);
  const fixture: Agent201Fixture = {
    clock,
    csms,
    agent,
    config,
    sim,
    sent: <A extends Ocpp201Action>(action: A) => csms.calls.filter((c) => c.action === action).map((c) => c.params as RequestOf<A>),
    call: <A extends Ocpp201Action>(action: A, payload: RequestOf<A>) => csms.client.call(action, payload) as Promise<ResponseOf<A>>,
    settle,
    advance: (ms, stepMs = 1000) => clock.advanceAsync(ms, settle, stepMs),
    waitForSent: (action, count = 1) => vi.waitFor(() => {
      if (csms.count(action) < count) throw new Error(`${action}: ${csms.count(action)} of ${count} sent`);
    }, { timeout: 5000, interval: 5 }),
    close: async () => {
      if (closed) return;
      closed = true;
      await agent.stop({ flushMs: 200 });
      await sim.close();
      await csms.close();
    },
  };
  fixtures.push(fixture);
  opts.beforeStart?.(agent);
  agent.start();
  if (opts.boot ?? true) {
    await fixture.waitForSent('StatusNotification', sim.connectors.length);
    await fixture.advance(0);
  }
  return fixture;
}
