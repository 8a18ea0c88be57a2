/**
 * `telemetry.tls` (bin/settings/settings.ts) into the PEM contents the MQTT client needs, read once at
 * start (./settings/tlsFiles.ts: a file that cannot be read or is not what its key says is exit 78
 * naming the key). A certificate the broker then refuses is a runtime matter (logged, stats).
 */
import type { TelemetryTlsSettings } from '../agent/telemetry/mqttClient.js';
import { SettingsError, type Settings, type SettingsIssue } from './settings/settings.js';
import { readTlsFiles } from './settings/tlsFiles.js';

export function telemetryTlsOf(telemetry: Settings['telemetry']): TelemetryTlsSettings | undefined {
  const { tls, url } = telemetry;
  if (!tls || (tls.caFile === undefined && tls.certFile === undefined && tls.keyFile === undefined)) return undefined;
  const issues: SettingsIssue[] = [];
  if (url !== '' && !/^(mqtts|wss):/.test(url)) issues.push({ path: 'telemetry.url', message: `expected an mqtts:// or wss:// URL when telemetry.tls is set, got ${JSON.stringify(url)}` });
  const { ca, cert, key } = readTlsFiles(tls, 'telemetry.tls', issues);
  if (issues.length > 0) throw new SettingsError(issues);
  return { ...(ca !== undefined && { ca }), ...(cert !== undefined && { cert }), ...(key !== undefined && { key }) };
}
