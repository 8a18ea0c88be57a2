import { describe, expect, it } from 'vitest';
import { discoveryMessages, discoveryNodeId } from './homeAssistant.js';
import { TelemetryTopics } from './topics.js';

const device = { chargePointId: 'CP 1.a', manufacturer: 'v', model: 'm', swVersion: '1', connectorIds: [1, 2] };

describe('Home Assistant discovery messages', () => {
  it('one sensor per measurement per connector, ids limited to the characters Home Assistant allows', () => {
    const msgs = discoveryMessages(new TelemetryTopics('evse', 'CP 1.a'), device, { enabled: true, discoveryPrefix: 'ha/' });
    expect(discoveryNodeId('CP 1.a')).toBe('CP_1_a');
    expect(msgs).toHaveLength(10);
    expect(msgs[0]!.topic).toBe('ha/sensor/CP_1_a_c1_status/config');
    expect(msgs.map((m) => m.topic).filter((t) => !/^ha\/sensor\/[A-Za-z0-9_-]+\/config$/.test(t))).toEqual([]);
    expect(new Set(msgs.map((m) => m.config!.unique_id)).size).toBe(10);
    expect(msgs.find((m) => m.topic.endsWith('c2_power/config'))!.config).toMatchObject({ name: 'Connector 2 power', state_topic: 'evse/CP 1.a/connector/2/meter' });
  });

  it('disabled: the same topics with no config (removal)', () => {
    const msgs = discoveryMessages(new TelemetryTopics('evse', 'CP'), { ...device, chargePointId: 'CP', connectorIds: [1] }, { enabled: false });
    expect(msgs.map((m) => m.topic)).toEqual(['status', 'power', 'energy', 'current', 'voltage'].map((o) => `homeassistant/sensor/CP_c1_${o}/config`));
    expect(msgs.every((m) => m.config === null)).toBe(true);
  });

  it('refuses a discovery prefix with wildcards', () => {
    expect(() => discoveryMessages(new TelemetryTopics('evse', 'CP'), device, { enabled: true, discoveryPrefix: 'ha/#' })).toThrow(RangeError);
  });
});
