/**
 * The tamper topic: a charger with a cabinet switch publishes `<base>/tamper` (retained) at start
 * and when the cabinet is opened. Real mosquitto, strict embedded CSMS on 127.0.0.1, virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import type { TamperPayload } from '../agent/telemetry/topics.js';
import { CP, T0, agentFixture } from './support/agentFixture.js';
import { record, startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';
import { closeTelemetryTestbed } from './support/telemetryTestbed.js';

const bed: { publisher?: TelemetryPublisher; recorders: Recorder[]; broker?: Mosquitto } = { recorders: [] };
afterEach(async () => {
  if (bed.broker) await closeTelemetryTestbed({ publisher: bed.publisher, recorders: bed.recorders, broker: bed.broker });
  bed.publisher = undefined;
  bed.broker = undefined;
});

describe('MQTT tamper topic', () => {
  it('says the cabinet is shut at start, then open and latched when it is opened', async () => {
    bed.broker = await startMosquitto();
    const clock = new SimulatedClock(T0);
    const sim = createSimulatedCharger({ clock, connectors: 1, tamperSwitch: true });
    const f = await agentFixture({ clock, sim });
    const r = await record(bed.broker.url, `test/${CP}/tamper`);
    bed.recorders.push(r);
    bed.publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: bed.broker.url, reconnectMs: 200 }, prefix: 'test', clock, intervalMs: 10_000 });
    bed.publisher.start();
    const topic = `test/${CP}/tamper`;
    await r.waitFor(() => r.on(topic).length > 0, 'tamper state at start');
    expect(r.on<TamperPayload>(topic)[0]).toEqual({ active: false, maintenance: false, latched: false, ts: expect.any(String) });
    sim.tamper!.open();
    await f.advance(1000);
    await r.waitFor(() => r.on(topic).length > 1, 'tamper state after opening');
    expect(r.on<TamperPayload>(topic).at(-1)).toMatchObject({ active: true, maintenance: false, latched: true });
  });
});
