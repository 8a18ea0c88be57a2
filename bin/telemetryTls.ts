/**
 * `telemetry.tls` (bin/settings/settings.ts) into the PEM contents the MQTT client needs, read once at
 * start. A file that cannot be read or is not what its key says is a configuration error naming
 * the key (exit 78), like any other invalid setting: better than a charger that silently never
 * reaches its broker. A certificate the broker then refuses is a runtime matter (logged, stats).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TelemetryTlsSettings } from '../agent/telemetry/mqttClient.js';
import { SettingsError, type Settings, type SettingsIssue } from './settings/settings.js';

export function telemetryTlsOf(telemetry: Settings['telemetry']): TelemetryTlsSettings | undefined {
  const { tls, url } = telemetry;
  if (!tls || (tls.caFile === undefined && tls.certFile === undefined && tls.keyFile === undefined)) return undefined;
  const issues: SettingsIssue[] = [];
  if (url !== '' && !/^(mqtts|wss):/.test(url)) issues.push({ path: 'telemetry.url', message: `expected an mqtts:// or wss:// URL when telemetry.tls is set, got ${JSON.stringify(url)}` });
  if (tls.certFile !== undefined && tls.keyFile === undefined) issues.push({ path: 'telemetry.tls.keyFile', message: 'expected the client key file with telemetry.tls.certFile, but it is not set' });
  if (tls.keyFile !== undefined && tls.certFile === undefined) issues.push({ path: 'telemetry.tls.certFile', message: 'expected the client certificate file with telemetry.tls.keyFile, but it is not set' });
  const read = (key: 'caFile' | 'certFile' | 'keyFile', check: (pem: string) => void, what: string): string | undefined => {
    const file = tls[key];
    if (file === undefined) return undefined;
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      issues.push({ path: `telemetry.tls.${key}`, message: `expected a readable ${what} file, cannot read ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      return undefined;
    }
    try {
      check(pem);
    } catch {
      issues.push({ path: `telemetry.tls.${key}`, message: `expected a ${what} in PEM format in ${JSON.stringify(file)}` });
      return undefined;
    }
    return pem;
  };
  const ca = read('caFile', (pem) => new X509Certificate(pem), 'CA certificate');
  const cert = read('certFile', (pem) => new X509Certificate(pem), 'client certificate');
  const key = read('keyFile', (pem) => createPrivateKey(pem), 'private key');
  if (issues.length > 0) throw new SettingsError(issues);
  return { ...(ca !== undefined && { ca }), ...(cert !== undefined && { cert }), ...(key !== undefined && { key }) };
}
