/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
 * retained `<discoveryPrefix>/sensor/<node>_<object>/config` messages that make the charger a
 * device with sensors reading the telemetry topics — no YAML on the Home Assistant side.
 * Availability follows the retained `online` topic (and so the Last Will).
 */
import type { TelemetryTopics } from './topics.js';

export interface HomeAssistantOptions {
  /** true: publish the discovery configs; false: remove them (empty retained payloads). */
  enabled: boolean;
  /** Home Assistant's discovery prefix (default `homeassistant`). */
  discoveryPrefix?: string;
}

export interface DiscoveryDevice {
  chargePointId: string;
  manufacturer: string;
  model: string;
  swVersion: string;
  connectorIds: readonly number[];
}

export interface DiscoveryMessage {
  topic: string;
  /** The config object; null for the removal of a sensor. */
  config: Record<string, unknown> | null;
}

/** OCPP 1.6 ChargePointStatus: the states of the `enum` status sensor. */
const STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEVSE', 'SuspendedEV', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'];

interface SensorKind {
  object: string;
  name: string;
  topic: (topics: TelemetryTopics, connectorId: number) => string;
  valueTemplate: string;
  extra: Record<string, unknown>;
}

const SENSORS: SensorKind[] = [
  { object: 'status', name: 'status', topic: (t, n) => t.status(n), valueTemplate: '{{ value_json.status }}', extra: { device_class: 'enum', options: STATUSES, icon: 'mdi:ev-station' } },
  { object: 'power', name: 'power', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.powerW }}', extra: { device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W' } },
  { object: 'energy', name: 'energy', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.energyWh }}', extra: { device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'Wh' } },
  // One number per sensor: the highest phase current (what a fuse sees), the voltage of L1.
  { object: 'current', name: 'current', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.currentA | max }}', extra: { device_class: 'current', state_class: 'measurement', unit_of_measurement: 'A' } },
  { object: 'voltage', name: 'voltage', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.voltageV | first }}', extra: { device_class: 'voltage', state_class: 'measurement', unit_of_measurement: 'V' } },
];

/** The characters Home Assistant allows in a node / object id; anything else becomes `_`. */
export function discoveryNodeId(chargePointId: string): string {
  return chargePointId.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** One message per sensor per connector: the configs (enabled) or their removal (disabled). */
export function discoveryMessages(topics: TelemetryTopics, device: DiscoveryDevice, options: HomeAssistantOptions): DiscoveryMessage[] {
  const prefix = (options.discoveryPrefix ?? 'homeassistant').replace(/\/+$/, '');
  if (prefix === '' || /[+#\0]/.test(prefix)) throw new RangeError(`Home Assistant discovery prefix must be non-empty without + # (got ${JSON.stringify(options.discoveryPrefix)})`);
  const node = discoveryNodeId(device.chargePointId);
  const deviceBlock = {
    identifiers: [`evse-agent_${node}`],
    name: device.chargePointId,
    manufacturer: device.manufacturer,
    model: device.model,
    sw_version: device.swVersion,
  };
  const availability = [{ topic: topics.online, value_template: "{{ 'online' if value_json.online else 'offline' }}" }];
  const messages: DiscoveryMessage[] = [];
  for (const connectorId of device.connectorIds) {
    for (const s of SENSORS) {
      const object = `c${connectorId}_${s.object}`;
      const uniqueId = `${node}_${object}`;
      messages.push({
        topic: `${prefix}/sensor/${uniqueId}/config`,
        config: options.enabled
          ? {
              name: device.connectorIds.length > 1 ? `Connector ${connectorId} ${s.name}` : capitalize(s.name),
              unique_id: `evse-agent_${uniqueId}`,
              object_id: uniqueId,
              has_entity_name: true,
              device: deviceBlock,
              origin: { name: 'evse-agent', sw_version: device.swVersion },
              availability,
              state_topic: s.topic(topics, connectorId),
              value_template: s.valueTemplate,
              ...s.extra,
            }
          : null,
      });
    }
  }
  return messages;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
