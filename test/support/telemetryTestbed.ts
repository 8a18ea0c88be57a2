/**
 * Shutdown shared by the MQTT test files: publisher first (bounded, a dead broker must not hang
 * the hook), then the agents, recorders and extra clients, and the broker in any case — a failed
 * test must not leave a mosquitto running.
 */
import type { MqttClient } from 'mqtt';
import { cleanupAgents } from './agentFixture.js';
import type { TelemetryPublisher } from '../../agent/telemetry/TelemetryPublisher.js';
import { record, type Mosquitto, type Recorder } from './mosquitto.js';

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
