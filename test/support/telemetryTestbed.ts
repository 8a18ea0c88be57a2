/**
 * Shutdown shared by the MQTT test files: publisher first (bounded, a dead broker must not hang
 * the hook), then the agents, recorders and extra clients, and the broker in any case — a failed
 * test must not leave a mosquitto running.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach } from 'vitest';
import { agentFixture, cleanupAgents, type AgentFixture } from './agentFixture.js';
import { TelemetryPublisher, type TelemetryPublisherOptions } from '../../agent/telemetry/TelemetryPublisher.js';
import { record, startMosquitto, type Mosquitto, type Recorder } from './mosquitto.js';

export async function closeTelemetryTestbed(t: {
  publisher: TelemetryPublisher | undefined;
  recorders: Recorder[];
  clients?: MqttClient[];
  broker: Mosquitto;
}): Promise<void> {
  try {
    const p = t.publisher;
    if (p) await Promise.race([p.stop(), new Promise((r) => setTimeout(r, 3000))]);
    if (p && !p.client.connected) p.client.end(true);
    await cleanupAgents();
    for (const r of t.recorders.splice(0)) await r.end();
    for (const c of t.clients?.splice(0) ?? []) await c.endAsync(true);
  } finally {
    await t.broker.close();
  }
}

/** A recorder on `broker` that {@link closeTelemetryTestbed} will end. */
export async function trackedRecorder(broker: Mosquitto, recorders: Recorder[], filter: string): Promise<Recorder> {
  const r = await record(broker.url, filter);
  recorders.push(r);
  return r;
}

/** What {@link telemetryTestbed} holds for the test that runs (set before each test). */
export interface TelemetryTestbed {
  broker: Mosquitto;
  f: AgentFixture;
  /** The test's publisher, once started; stopped after the test. */
  publisher: TelemetryPublisher | undefined;
  readonly recorders: Recorder[];
  /** Extra MQTT clients a test opens; ended after it. */
  readonly clients: MqttClient[];
  /** A recorder on the broker, ended after the test. */
  recorder(filter?: string): Promise<Recorder>;
  /**
   * Starts a publisher on this test's agent and broker: prefix `test`, reconnect after
   * `reconnectMs`, intervals of 10 s, then the file's defaults, then `opts` (an `mqtt` there
   * replaces the broker connection whole).
   */
  startPublisher(opts?: Partial<TelemetryPublisherOptions>): TelemetryPublisher;
}

/**
 * The MQTT test files' bench: per test a fresh mosquitto and agent fixture, closed after it with
 * {@link closeTelemetryTestbed}. Call once at the top of a test file (it registers the hooks).
 */
export function telemetryTestbed(defaults: Partial<TelemetryPublisherOptions> & { reconnectMs?: number } = {}): TelemetryTestbed {
  const { reconnectMs = 200, ...publisherDefaults } = defaults;
  const tb: TelemetryTestbed = {
    broker: undefined as unknown as Mosquitto,
    f: undefined as unknown as AgentFixture,
    publisher: undefined,
    recorders: [],
    clients: [],
    recorder: (filter = 'test/#') => trackedRecorder(tb.broker, tb.recorders, filter),
    startPublisher(opts = {}) {
      const p = new TelemetryPublisher({ agent: tb.f.agent, mqtt: { url: tb.broker.url, reconnectMs }, prefix: 'test', clock: tb.f.clock, intervalMs: 10_000, ...publisherDefaults, ...opts });
      tb.publisher = p;
      p.start();
      return p;
    },
  };
  beforeEach(async () => {
    tb.broker = await startMosquitto();
    tb.f = await agentFixture();
  });
  afterEach(async () => {
    const p = tb.publisher;
    tb.publisher = undefined;
    await closeTelemetryTestbed({ publisher: p, recorders: tb.recorders, clients: tb.clients, broker: tb.broker });
  });
  return tb;
}
