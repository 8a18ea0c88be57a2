/**
 * Home Assistant MQTT discovery against a real mosquitto on 127.0.0.1: retained, well-formed
 * sensor configs that point at topics the charger really publishes; removed again (empty
 * retained payloads) when discovery is turned off.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentFixture, CP, startSession, type AgentFixture } from './support/agentFixture.js';
import { TelemetryPublisher, type TelemetryPublisherOptions } from '../agent/telemetry/TelemetryPublisher.js';
import { closeTelemetryTestbed, trackedRecorder } from './support/telemetryTestbed.js';
import { startMosquitto, type Mosquitto, type Recorder } from './support/mosquitto.js';

const BASE = `test/${CP}`;
const OBJECTS = ['status', 'power', 'energy', 'current', 'voltage'];
let broker: Mosquitto;
let f: AgentFixture;
let publisher: TelemetryPublisher | undefined;
const recorders: Recorder[] = [];

beforeEach(async () => {
  broker = await startMosquitto();
  f = await agentFixture();
});

afterEach(async () => {
  const p = publisher;
  publisher = undefined;
  await closeTelemetryTestbed({ publisher: p, recorders, broker });
});


function recorder(filter: string): Promise<Recorder> {
  return trackedRecorder(broker, recorders, filter);
}

function startPublisher(opts: Partial<TelemetryPublisherOptions>): TelemetryPublisher {
  publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: broker.url, reconnectMs: 200 }, prefix: 'test', clock: f.clock, intervalMs: 10_000, version: '1.2.3', ...opts });
  publisher.start();
  return publisher;
}

async function stopPublisher(): Promise<void> {
  const p = publisher;
  publisher = undefined;
  await p?.stop();
}

type Config = Record<string, unknown> & { device: Record<string, unknown>; availability: { topic: string; value_template: string }[]; state_topic: string; value_template: string };

describe('Home Assistant discovery', () => {
  it('publishes retained, well-formed sensor configs under the discovery prefix', async () => {
    startPublisher({ homeAssistant: { enabled: true, discoveryPrefix: 'ha' } });
    await startSession(f);
    await f.advance(20_000);

    // A late subscriber (Home Assistant starting) finds every config retained.
    const ha = await recorder('ha/#');
    const topics = OBJECTS.map((o) => `ha/sensor/${CP}_c1_${o}/config`);
    await ha.waitFor((m) => topics.every((t) => m.some((x) => x.topic === t)), 'all discovery configs');
    expect(ha.messages.map((m) => m.topic).sort()).toEqual([...topics].sort());
    expect(ha.messages.every((m) => m.retain)).toBe(true);

    const configs = Object.fromEntries(OBJECTS.map((o) => [o, ha.on<Config>(`ha/sensor/${CP}_c1_${o}/config`)[0]!]));
    for (const [object, c] of Object.entries(configs)) {
      expect(c).toMatchObject({
        unique_id: `evse-agent_${CP}_c1_${object}`,
        device: { identifiers: [`evse-agent_${CP}`], name: CP, manufacturer: 'evse-agent', model: 'test', sw_version: '1.2.3' },
        availability: [{ topic: `${BASE}/online`, value_template: expect.stringContaining('value_json.online') }],
        state_topic: object === 'status' ? `${BASE}/connector/1/status` : `${BASE}/connector/1/meter`,
        value_template: expect.stringMatching(/^\{\{ value_json\.\w+( \| \w+)? \}\}$/),
      });
    }
    expect(configs.status).toMatchObject({ device_class: 'enum', value_template: '{{ value_json.status }}', options: expect.arrayContaining(['Available', 'Charging', 'Faulted']) });
    expect(configs.power).toMatchObject({ device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W', value_template: '{{ value_json.powerW }}' });
    expect(configs.energy).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'Wh', value_template: '{{ value_json.energyWh }}' });
    expect(configs.current).toMatchObject({ device_class: 'current', state_class: 'measurement', unit_of_measurement: 'A' });
    expect(configs.voltage).toMatchObject({ device_class: 'voltage', state_class: 'measurement', unit_of_measurement: 'V' });

    // The state and availability topics exist and hold the fields the templates read.
    const state = await recorder('test/#');
    await state.waitFor((m) => [`${BASE}/online`, `${BASE}/connector/1/status`, `${BASE}/connector/1/meter`].every((t) => m.some((x) => x.topic === t)), 'state topics');
    expect(state.on(`${BASE}/online`)[0]).toMatchObject({ online: true });
    expect(state.on(`${BASE}/connector/1/status`)[0]).toMatchObject({ status: 'Charging' });
    expect(state.on(`${BASE}/connector/1/meter`)[0]).toMatchObject({ powerW: expect.any(Number), energyWh: expect.any(Number), currentA: expect.any(Array), voltageV: expect.any(Array) });
  });

  it('publishes nothing under the discovery prefix unless configured', async () => {
    const ha = await recorder('homeassistant/#');
    const p = startPublisher({});
    await f.advance(1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(p.stats.published).toBeGreaterThan(3);
    expect(ha.messages).toEqual([]);
  });

  it('removes the configs (empty retained) when discovery is disabled', async () => {
    const p = startPublisher({ homeAssistant: { enabled: true } });
    const live = await recorder('homeassistant/#');
    await live.waitFor((m) => m.filter((x) => x.raw !== '').length >= OBJECTS.length, 'configs');
    await stopPublisher();
    expect(p.stats.queued).toBe(0);

    startPublisher({ homeAssistant: { enabled: false } });
    await live.waitFor((m) => m.filter((x) => x.raw === '').length >= OBJECTS.length, 'removals');
    expect(new Set(live.messages.filter((m) => m.raw === '').map((m) => m.topic))).toEqual(new Set(OBJECTS.map((o) => `homeassistant/sensor/${CP}_c1_${o}/config`)));

    // The broker no longer holds them: a new subscriber gets nothing.
    const late = await recorder('homeassistant/#');
    await new Promise((r) => setTimeout(r, 300));
    expect(late.messages).toEqual([]);
  });
});
