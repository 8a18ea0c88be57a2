/**
 * Home Assistant MQTT discovery against a real mosquitto on 127.0.0.1: retained, well-formed
 * sensor configs that point at topics the charger really publishes; with commands on, controls
 * whose command payloads (published here as Home Assistant would) make the charger act; removed
 * again (empty retained payloads) when discovery is turned off.
 */
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { CP, startSession } from './support/agentFixture.js';
import type { CommandReplyPayload, LimitPayload, StatusPayload } from '../agent/telemetry/topics.js';
import { telemetryTestbed } from './support/telemetryTestbed.js';

const BASE = `test/${CP}`;
const tb = telemetryTestbed({ version: '1.2.3' });
const OBJECTS = ['status', 'power', 'energy', 'current', 'voltage'];

async function stopPublisher(): Promise<void> {
  const p = tb.publisher;
  tb.publisher = undefined;
  await p?.stop();
}

type Config = Record<string, unknown> & { device: Record<string, unknown>; availability: { topic: string; value_template: string }[]; state_topic: string; value_template: string };

describe('Home Assistant discovery', () => {
  it('publishes retained, well-formed sensor configs under the discovery prefix', async () => {
    tb.startPublisher({ homeAssistant: { enabled: true, discoveryPrefix: 'ha' } });
    await startSession(tb.f);
    await tb.f.advance(20_000);

    // A late subscriber (Home Assistant starting) finds every config retained.
    const ha = await tb.recorder('ha/#');
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
    const state = await tb.recorder('test/#');
    await state.waitFor((m) => [`${BASE}/online`, `${BASE}/connector/1/status`, `${BASE}/connector/1/meter`].every((t) => m.some((x) => x.topic === t)), 'state topics');
    expect(state.on(`${BASE}/online`)[0]).toMatchObject({ online: true });
    expect(state.on(`${BASE}/connector/1/status`)[0]).toMatchObject({ status: 'Charging' });
    expect(state.on(`${BASE}/connector/1/meter`)[0]).toMatchObject({ powerW: expect.any(Number), energyWh: expect.any(Number), currentA: expect.any(Array), voltageV: expect.any(Array) });
  });

  it('with commands on, its controls act on the charger when Home Assistant publishes their payloads', async () => {
    tb.startPublisher({ commands: true, homeAssistant: { enabled: true, startIdTag: 'HA-USER' } });
    const ha = await tb.recorder('homeassistant/#');
    const controls = ['number/AGENT-T1_c1_current_limit', 'button/AGENT-T1_c1_start', 'button/AGENT-T1_c1_stop', 'switch/AGENT-T1_c1_available'];
    await ha.waitFor((m) => controls.every((c) => m.some((x) => x.topic === `homeassistant/${c}/config`)), 'control configs');
    const config = (c: string) => ha.on<Config & Record<string, unknown>>(`homeassistant/${c}/config`)[0]!;
    const [limit, start, stop, available] = [config(controls[0]!), config(controls[1]!), config(controls[2]!), config(controls[3]!)];
    for (const c of [limit, start, stop, available]) {
      expect(c).toMatchObject({ qos: 1, retain: false, availability: [{ topic: `${BASE}/online` }], device: { identifiers: [`evse-agent_${CP}`] } });
    }
    expect(limit).toMatchObject({ min: 6, max: 32, step: 1, unit_of_measurement: 'A', state_topic: `${BASE}/connector/1/limit`, value_template: '{{ value_json.currentLimitA }}' });

    // Home Assistant's side: a client that publishes to command_topic what the entity would.
    const client = await connectAsync(tb.broker.url, { clientId: 'home-assistant-test' });
    tb.clients.push(client);
    const state = await tb.recorder(`${BASE}/#`);
    const press = async (entity: Record<string, unknown>, payload: string) => {
      const replies = `${entity.command_topic as string}/result`;
      const before = state.on(replies).length;
      await client.publishAsync(entity.command_topic as string, payload, { qos: entity.qos as 1, retain: entity.retain as boolean });
      const deadline = performance.now() + 5000;
      while (state.on(replies).length === before) {
        if (performance.now() > deadline) throw new Error(`no reply on ${replies}`);
        await tb.f.settle();
        await new Promise((res) => setTimeout(res, 10));
      }
      return state.on<CommandReplyPayload>(replies).at(-1)!;
    };
    // Home Assistant renders command_template with the slider's value (a Jinja template: `{{ value | int }}`).
    const slide = (amps: number) => press(limit, (limit.command_template as string).replace('{{ value | int }}', String(amps)));
    await state.waitFor(() => state.on<LimitPayload>(`${BASE}/connector/1/limit`).length > 0, 'the limit state');
    expect(state.on<LimitPayload>(`${BASE}/connector/1/limit`).at(-1)).toMatchObject({ currentLimitA: 32, maxCurrentA: 32 });
    // The charger's command subscription is in place once the slider at its maximum (no limit: idempotent) is answered.
    for (let i = 0; state.on(`${BASE}/cmd/set_current_limit/result`).length === 0; i++) {
      if (i === 100) throw new Error('command subscription not confirmed');
      await client.publishAsync(limit.command_topic as string, (limit.command_template as string).replace('{{ value | int }}', '32'), { qos: 1 });
      await new Promise((res) => setTimeout(res, 50));
    }

    // Start: a plugged-in EV charges on the configured idTag.
    tb.f.sim.connectors[0]!.ev.plugIn();
    await tb.f.advance(1000);
    expect(await press(start, start.payload_press as string)).toEqual({ ok: true, connector: 1 });
    await tb.f.advance(2000);
    expect(tb.f.agent.connectors[0]!.status).toBe('Charging');
    expect(tb.f.sent('StartTransaction').at(-1)).toMatchObject({ connectorId: 1, idTag: 'HA-USER' });

    // The slider: the PWM offer follows and the number's state topic says the new limit.
    expect(await slide(10)).toEqual({ ok: true });
    await tb.f.advance(1000);
    expect(tb.f.agent.options.hardware.connectors[0]!.pilot.currentOfferA).toBe(10);
    await state.waitFor(() => state.on<LimitPayload>(`${BASE}/connector/1/limit`).at(-1)?.currentLimitA === 10, 'limit state 10 A');

    // Stop: the session ends as a remote stop.
    expect(await press(stop, stop.payload_press as string)).toEqual({ ok: true });
    await tb.f.advance(2000);
    expect(tb.f.sent('StopTransaction').at(-1)).toMatchObject({ reason: 'Remote' });

    // The switch: off takes the connector out of service, on brings it back; its state follows the status.
    tb.f.sim.connectors[0]!.ev.unplug();
    await tb.f.advance(2000);
    expect(await press(available, available.payload_off as string)).toEqual({ ok: true });
    await tb.f.advance(1000);
    expect(tb.f.agent.connectors[0]!.status).toBe('Unavailable');
    await state.waitFor(() => state.on<StatusPayload>(`${BASE}/connector/1/status`).at(-1)?.status === 'Unavailable', 'status Unavailable');
    expect(available.value_template).toBe("{{ 'OFF' if value_json.status == 'Unavailable' else 'ON' }}");
    expect(await press(available, available.payload_on as string)).toEqual({ ok: true });
    await tb.f.advance(1000);
    expect(tb.f.agent.connectors[0]!.status).toBe('Available');
  });

  it('without commands the controls are removed, so Home Assistant shows none that nothing listens to', async () => {
    // Subscribed first: an empty retained payload deletes the retained config, a late subscriber never sees it.
    const ha = await tb.recorder('homeassistant/#');
    tb.startPublisher({ homeAssistant: { enabled: true } });
    await ha.waitFor((m) => m.filter((x) => x.raw !== '').length >= OBJECTS.length, 'sensor configs');
    await ha.waitFor((m) => m.filter((x) => x.raw === '').length >= 4, 'control removals');
    expect(ha.messages.filter((m) => m.raw === '').map((m) => m.topic).sort()).toEqual(
      ['button/AGENT-T1_c1_start', 'button/AGENT-T1_c1_stop', 'number/AGENT-T1_c1_current_limit', 'switch/AGENT-T1_c1_available'].map((c) => `homeassistant/${c}/config`),
    );
  });

  it('publishes nothing under the discovery prefix unless configured', async () => {
    const ha = await tb.recorder('homeassistant/#');
    const p = tb.startPublisher({});
    await tb.f.advance(1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(p.stats.published).toBeGreaterThan(3);
    expect(ha.messages).toEqual([]);
  });

  it('removes the configs (empty retained) when discovery is disabled', async () => {
    const p = tb.startPublisher({ homeAssistant: { enabled: true } });
    const live = await tb.recorder('homeassistant/#');
    await live.waitFor((m) => m.filter((x) => x.raw !== '').length >= OBJECTS.length, 'configs');
    await stopPublisher();
    expect(p.stats.queued).toBe(0);

    tb.startPublisher({ homeAssistant: { enabled: false } });
    await live.waitFor((m) => m.filter((x) => x.raw === '').length >= OBJECTS.length, 'removals');
    expect(new Set(live.messages.filter((m) => m.raw === '' && m.topic.includes('/sensor/')).map((m) => m.topic))).toEqual(new Set(OBJECTS.map((o) => `homeassistant/sensor/${CP}_c1_${o}/config`)));

    // The broker no longer holds them: a new subscriber gets nothing.
    const late = await tb.recorder('homeassistant/#');
    await new Promise((r) => setTimeout(r, 300));
    expect(late.messages).toEqual([]);
  });
});
