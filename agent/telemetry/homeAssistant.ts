/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
 * retained `<discoveryPrefix>/<component>/<node>_<object>/config` messages that make the charger a
 * device — no YAML on the Home Assistant side. Sensors read the telemetry topics; with MQTT
 * commands on, controls publish exactly the command payloads of ./commandPayloads.ts: a current
 * limit `number`, start/stop `button`s and an availability `switch` per connector. Availability
 * follows the retained `online` topic (and so the Last Will).
 */
import type { TelemetryTopics } from './topics.js';
// IEC 61851-1: the lowest current a PWM pilot can offer (the current limit's minimum).
import { MIN_OFFER_A } from '../charging/connectorGuards.js';

export interface HomeAssistantOptions {
  /** true: publish the discovery configs; false: remove them (empty retained payloads). */
  enabled: boolean;
  /** Home Assistant's discovery prefix (default `homeassistant`). */
  discoveryPrefix?: string;
  /**
   * The idTag the Start button starts sessions with (authorized like a card: local list, cache,
   * CSMS); without it there is no Start button. It is readable by whoever may read the discovery
   * configs.
   */
  startIdTag?: string;
}

export interface DiscoveryDevice {
  chargePointId: string;
  manufacturer: string;
  model: string;
  swVersion: string;
  connectorIds: readonly number[];
  /** The connectors whose EVSE has a temperature sensor: a temperature sensor entity each (the others have none). */
  temperatureConnectorIds?: readonly number[];
  /** Present when MQTT commands are on: the controls are published (else their configs are removed). */
  controls?: {
    /** Highest current the connector's hardware may offer, A: the current limit's maximum. */
    maxCurrentA(connectorId: number): number;
  };
}

export interface DiscoveryMessage {
  topic: string;
  /** The config object; null for the removal of an entity. */
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
  // The meter payload is rounded (./meterPayload.ts); suggested_display_precision is what the UI shows.
  { object: 'power', name: 'power', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.powerW }}', extra: { device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W', suggested_display_precision: 0 } },
  { object: 'energy', name: 'energy', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.energyWh }}', extra: { device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'Wh', suggested_display_precision: 0 } },
  // One number per sensor: the highest phase current (what a fuse sees), the voltage of L1.
  { object: 'current', name: 'current', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.currentA | max }}', extra: { device_class: 'current', state_class: 'measurement', unit_of_measurement: 'A', suggested_display_precision: 1 } },
  { object: 'voltage', name: 'voltage', topic: (t, n) => t.meter(n), valueTemplate: '{{ value_json.voltageV | first }}', extra: { device_class: 'voltage', state_class: 'measurement', unit_of_measurement: 'V', suggested_display_precision: 0 } },
];

/** The EVSE temperature sensor entity (from `connector/<n>/meter`, `temperatureC`). */
function temperatureSensor(topics: TelemetryTopics, connectorId: number): Record<string, unknown> {
  return {
    state_topic: topics.meter(connectorId),
    // Absent from a payload while the sensor has no value: unknown, not 0.
    value_template: "{{ value_json.temperatureC if value_json.temperatureC is defined else 'unknown' }}",
    device_class: 'temperature',
    state_class: 'measurement',
    unit_of_measurement: '°C',
    suggested_display_precision: 1,
  };
}

/** The characters Home Assistant allows in a node / object id; anything else becomes `_`. */
export function discoveryNodeId(chargePointId: string): string {
  return chargePointId.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** A control entity: its component and object, and its config fields (absent: not offered, so removed). */
interface Control {
  component: 'number' | 'button' | 'switch';
  object: string;
  name: string;
  fields: Record<string, unknown> | null | undefined;
}

/** The controls of one connector, wired to the MQTT command topics and payloads. */
function controlsOf(topics: TelemetryTopics, connectorId: number, device: DiscoveryDevice, options: HomeAssistantOptions): Control[] {
  const c = device.controls;
  const command = (name: string) => ({ command_topic: `${topics.base}/cmd/${name}`, qos: 1, retain: false });
  const json = (payload: Record<string, unknown>) => JSON.stringify(payload);
  return [
    {
      component: 'number',
      object: 'current_limit',
      name: 'current limit',
      fields: c && {
        ...command('set_current_limit'),
        command_template: `{"connector": ${connectorId}, "amps": {{ value | int }}}`,
        state_topic: topics.limit(connectorId),
        value_template: '{{ value_json.currentLimitA }}',
        min: MIN_OFFER_A,
        max: c.maxCurrentA(connectorId),
        step: 1,
        mode: 'slider',
        device_class: 'current',
        unit_of_measurement: 'A',
        icon: 'mdi:current-ac',
      },
    },
    {
      component: 'button',
      object: 'start',
      name: 'start charging',
      fields: c && options.startIdTag !== undefined ? { ...command('start_session'), payload_press: json({ connector: connectorId, idTag: options.startIdTag }), icon: 'mdi:play' } : null,
    },
    {
      component: 'button',
      object: 'stop',
      name: 'stop charging',
      fields: c && { ...command('stop_session'), payload_press: json({ connector: connectorId }), icon: 'mdi:stop' },
    },
    {
      component: 'switch',
      object: 'available',
      name: 'available',
      fields: c && {
        ...command('set_availability'),
        payload_on: json({ connector: connectorId, operative: true }),
        payload_off: json({ connector: connectorId, operative: false }),
        // Operative unless Unavailable (set by this switch, the CSMS or set_availability).
        state_topic: topics.status(connectorId),
        value_template: "{{ 'OFF' if value_json.status == 'Unavailable' else 'ON' }}",
        state_on: 'ON',
        state_off: 'OFF',
        icon: 'mdi:power-plug',
      },
    },
  ];
}

/**
 * One message per sensor and per control per connector: the configs (enabled), or their removal
 * (disabled; and, for controls, whenever commands are off or the Start button has no idTag).
 */
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
  const entity = (component: string, connectorId: number, objectName: string, name: string, fields: Record<string, unknown> | null | undefined) => {
    const object = `c${connectorId}_${objectName}`;
    const uniqueId = `${node}_${object}`;
    messages.push({
      topic: `${prefix}/${component}/${uniqueId}/config`,
      config:
        options.enabled && fields
          ? {
              name: device.connectorIds.length > 1 ? `Connector ${connectorId} ${name}` : capitalize(name),
              unique_id: `evse-agent_${uniqueId}`,
              object_id: uniqueId,
              has_entity_name: true,
              device: deviceBlock,
              origin: { name: 'evse-agent', sw_version: device.swVersion },
              availability,
              ...fields,
            }
          : null,
    });
  };
  for (const connectorId of device.connectorIds) {
    for (const s of SENSORS) entity('sensor', connectorId, s.object, s.name, { state_topic: s.topic(topics, connectorId), value_template: s.valueTemplate, ...s.extra });
    if (device.temperatureConnectorIds?.includes(connectorId)) entity('sensor', connectorId, 'temperature', 'temperature', temperatureSensor(topics, connectorId));
    for (const c of controlsOf(topics, connectorId, device, options)) entity(c.component, connectorId, c.object, c.name, c.fields);
  }
  return messages;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
