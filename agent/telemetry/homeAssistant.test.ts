import { describe, expect, it } from 'vitest';
import { parseCommand } from './commandPayloads.js';
import { discoveryMessages, discoveryNodeId } from './homeAssistant.js';
import { TelemetryTopics } from './topics.js';

const device = { chargePointId: 'CP 1.a', manufacturer: 'v', model: 'm', swVersion: '1', connectorIds: [1, 2] };
const controls = { maxCurrentA: (id: number) => (id === 1 ? 32 : 16) };
const CONTROLS = ['number/CP_c1_current_limit', 'button/CP_c1_start', 'button/CP_c1_stop', 'switch/CP_c1_available'];

describe('Home Assistant discovery messages', () => {
  it('one sensor per measurement per connector, ids limited to the characters Home Assistant allows', () => {
    const msgs = discoveryMessages(new TelemetryTopics('evse', 'CP 1.a'), device, { enabled: true, discoveryPrefix: 'ha/' }).filter((m) => m.config);
    expect(discoveryNodeId('CP 1.a')).toBe('CP_1_a');
    expect(msgs).toHaveLength(10);
    expect(msgs[0]!.topic).toBe('ha/sensor/CP_1_a_c1_status/config');
    expect(msgs.map((m) => m.topic).filter((t) => !/^ha\/sensor\/[A-Za-z0-9_-]+\/config$/.test(t))).toEqual([]);
    expect(new Set(msgs.map((m) => m.config!.unique_id)).size).toBe(10);
    expect(msgs.find((m) => m.topic.endsWith('c2_power/config'))!.config).toMatchObject({ name: 'Connector 2 power', state_topic: 'evse/CP 1.a/connector/2/meter' });
    expect(msgs.find((m) => m.topic.endsWith('c1_energy/config'))!.config).toMatchObject({ unit_of_measurement: 'Wh', suggested_display_precision: 0 });
  });

  it('with commands on: a current limit number, start/stop buttons and an availability switch per connector', () => {
    const topics = new TelemetryTopics('evse', 'CP');
    const msgs = discoveryMessages(topics, { ...device, chargePointId: 'CP', controls }, { enabled: true, startIdTag: 'HA-USER' });
    expect(msgs.filter((m) => m.config).map((m) => m.topic)).toEqual(expect.arrayContaining([...CONTROLS, ...CONTROLS.map((c) => c.replace('c1', 'c2'))].map((c) => `homeassistant/${c}/config`)));
    expect(msgs).toHaveLength(18);
    const config = (t: string) => msgs.find((m) => m.topic === `homeassistant/${t}/config`)!.config!;
    expect(config('number/CP_c2_current_limit')).toMatchObject({
      command_topic: 'evse/CP/cmd/set_current_limit', qos: 1, retain: false, min: 6, max: 16, step: 1, unit_of_measurement: 'A',
      state_topic: 'evse/CP/connector/2/limit', value_template: '{{ value_json.currentLimitA }}',
      command_template: '{"connector": 2, "amps": {{ value | int }}}',
    });
    expect(config('switch/CP_c1_available')).toMatchObject({ command_topic: 'evse/CP/cmd/set_availability', state_topic: 'evse/CP/connector/1/status', state_on: 'ON', state_off: 'OFF' });

    // What Home Assistant publishes is a valid command for the connector the entity belongs to.
    const target = { connectorIds: [1, 2], maxCurrentA: controls.maxCurrentA };
    const number = config('number/CP_c2_current_limit');
    const amps = (number.command_template as string).replace('{{ value | int }}', '10');
    expect(parseCommand('set_current_limit', amps, target)).toEqual({ ok: true, command: { name: 'set_current_limit', connector: 2, amps: 10 } });
    expect(parseCommand('start_session', config('button/CP_c1_start').payload_press as string, target)).toEqual({ ok: true, command: { name: 'start_session', connector: 1, idTag: 'HA-USER' } });
    expect(parseCommand('stop_session', config('button/CP_c2_stop').payload_press as string, target)).toEqual({ ok: true, command: { name: 'stop_session', connector: 2 } });
    expect(parseCommand('set_availability', config('switch/CP_c1_available').payload_off as string, target)).toEqual({ ok: true, command: { name: 'set_availability', connector: 1, operative: false } });
    expect(parseCommand('set_availability', config('switch/CP_c1_available').payload_on as string, target)).toEqual({ ok: true, command: { name: 'set_availability', connector: 1, operative: true } });
  });

  it('removes the controls while commands are off, and the Start button without an idTag', () => {
    const topics = new TelemetryTopics('evse', 'CP');
    const one = { ...device, chargePointId: 'CP', connectorIds: [1] };
    const off = discoveryMessages(topics, one, { enabled: true });
    expect(off.filter((m) => m.config === null).map((m) => m.topic)).toEqual(CONTROLS.map((c) => `homeassistant/${c}/config`));
    const noIdTag = discoveryMessages(topics, { ...one, controls }, { enabled: true });
    expect(noIdTag.filter((m) => m.config === null).map((m) => m.topic)).toEqual(['homeassistant/button/CP_c1_start/config']);
  });

  it('disabled: the same topics with no config (removal)', () => {
    const msgs = discoveryMessages(new TelemetryTopics('evse', 'CP'), { ...device, chargePointId: 'CP', connectorIds: [1], controls }, { enabled: false, startIdTag: 'X' });
    expect(msgs.map((m) => m.topic)).toEqual([...['status', 'power', 'energy', 'current', 'voltage'].map((o) => `sensor/CP_c1_${o}`), ...CONTROLS].map((t) => `homeassistant/${t}/config`));
    expect(msgs.every((m) => m.config === null)).toBe(true);
  });

  it('a temperature sensor for each connector whose EVSE has one, from the meter topic', () => {
    const msgs = discoveryMessages(new TelemetryTopics('evse', 'CP'), { ...device, chargePointId: 'CP', temperatureConnectorIds: [2] }, { enabled: true });
    expect(msgs.filter((m) => m.topic.includes('temperature')).map((m) => m.topic)).toEqual(['homeassistant/sensor/CP_c2_temperature/config']);
    expect(msgs.find((m) => m.topic.endsWith('c2_temperature/config'))!.config).toMatchObject({
      state_topic: 'evse/CP/connector/2/meter', device_class: 'temperature', unit_of_measurement: '°C', state_class: 'measurement',
      value_template: expect.stringContaining('value_json.temperatureC'),
    });
  });

  it('refuses a discovery prefix with wildcards', () => {
    expect(() => discoveryMessages(new TelemetryTopics('evse', 'CP'), device, { enabled: true, discoveryPrefix: 'ha/#' })).toThrow(RangeError);
  });
});
