/**
 * Connecting the telemetry MQTT client: broker URL, credentials and TLS pass through to mqtt.js;
 * the Last Will marks the charger offline (retained) when the connection dies without a clean
 * DISCONNECT (power loss, crash, network gone).
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { OnlinePayload, TelemetryTopics } from './topics.js';

export interface TelemetryTlsSettings {
  /** PEM CA bundle to trust (instead of the system roots). */
  ca?: string | Buffer;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true; false only for test brokers with self-signed certificates. */
  rejectUnauthorized?: boolean;
  /** SNI / certificate name when it differs from the URL host. */
  servername?: string;
}

export interface TelemetryConnectSettings {
  /** mqtt://, mqtts:// (TLS), ws:// or wss:// broker URL. */
  url: string;
  username?: string;
  password?: string;
  /** Default `evse-<chargePointId>`. */
  clientId?: string;
  tls?: TelemetryTlsSettings;
  /** MQTT keepalive, seconds (default 30): how soon the broker notices a dead charger and fires the Will. */
  keepaliveS?: number;
  /** Delay between reconnect attempts, real ms (default 5000). */
  reconnectMs?: number;
  /** How long one connect attempt may take, real ms (default 10000). */
  connectTimeoutMs?: number;
  /** MQTT 3.1.1 (4, default) or 5: with 5, command replies honour the response topic and correlation data. */
  protocolVersion?: 4 | 5;
}

/** The Last Will every telemetry client must carry (also when the owner creates the client). */
export function telemetryWill(topics: TelemetryTopics): NonNullable<IClientOptions['will']> {
  const payload: OnlinePayload = { online: false, reason: 'connection lost' };
  return { topic: topics.online, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: true };
}

/** mqtt.js options for these settings (exported so an owner can add its own before connecting). */
export function telemetryClientOptions(settings: TelemetryConnectSettings, topics: TelemetryTopics, chargePointId: string): IClientOptions {
  const { tls } = settings;
  return {
    clientId: settings.clientId ?? `evse-${chargePointId}`,
    clean: true,
    keepalive: settings.keepaliveS ?? 30,
    reconnectPeriod: settings.reconnectMs ?? 5000,
    connectTimeout: settings.connectTimeoutMs ?? 10_000,
    // The publisher buffers (bounded) while offline; mqtt.js must not keep its own unbounded copy.
    queueQoSZero: false,
    will: telemetryWill(topics),
    ...(settings.protocolVersion !== undefined && { protocolVersion: settings.protocolVersion }),
    ...(settings.username !== undefined && { username: settings.username }),
    ...(settings.password !== undefined && { password: settings.password }),
    ...(tls?.ca !== undefined && { ca: tls.ca }),
    ...(tls?.cert !== undefined && { cert: tls.cert }),
    ...(tls?.key !== undefined && { key: tls.key }),
    ...(tls?.rejectUnauthorized !== undefined && { rejectUnauthorized: tls.rejectUnauthorized }),
    ...(tls?.servername !== undefined && { servername: tls.servername }),
  };
}

/** Starts connecting (mqtt.js retries on its own); never throws for an unreachable broker. */
export function connectTelemetryClient(settings: TelemetryConnectSettings, topics: TelemetryTopics, chargePointId: string): MqttClient {
  return connect(settings.url, telemetryClientOptions(settings, topics, chargePointId));
}
