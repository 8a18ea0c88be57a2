import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../test/support/testCertificates.js';
import { SettingsError, type Settings } from './settings/settings.js';
import { telemetryTlsOf } from './telemetryTls.js';

let certs: TestCertificates;
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.remove();
});

const telemetry = (url: string, tls: Settings['telemetry']['tls']): Settings['telemetry'] =>
  ({ url, prefix: 'evse', intervalS: 30, queueLimit: 1000, idTag: 'hash', commands: false, ...(tls && { tls }) }) as Settings['telemetry'];

function issues(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof SettingsError) return [...err.issues];
    throw err;
  }
  throw new Error('no SettingsError');
}

describe('telemetryTlsOf', () => {
  it('reads the CA and the client certificate and key', () => {
    const tls = telemetryTlsOf(telemetry('mqtts://broker:8883', { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }));
    expect(tls?.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(tls?.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(tls?.key).toMatch(/PRIVATE KEY-----/);
    expect(telemetryTlsOf(telemetry('mqtt://broker', undefined))).toBeUndefined();
  });

  it('names the key of every problem', async () => {
    const notPem = join(certs.dir, 'not.pem');
    await writeFile(notPem, 'hello');
    expect(issues(() => telemetryTlsOf(telemetry('mqtt://broker', { caFile: certs.caFile })))).toEqual([
      { path: 'telemetry.url', message: 'expected an mqtts:// or wss:// URL when telemetry.tls is set, got "mqtt://broker"' },
    ]);
    expect(issues(() => telemetryTlsOf(telemetry('mqtts://broker', { certFile: certs.clientCertFile })))).toEqual([
      { path: 'telemetry.tls.keyFile', message: 'expected the client key file with telemetry.tls.certFile, but it is not set' },
    ]);
    expect(issues(() => telemetryTlsOf(telemetry('mqtts://broker', { caFile: notPem, certFile: certs.clientCertFile, keyFile: certs.caFile })))).toEqual([
      { path: 'telemetry.tls.caFile', message: `expected a CA certificate in PEM format in ${JSON.stringify(notPem)}` },
      { path: 'telemetry.tls.keyFile', message: `expected a private key in PEM format in ${JSON.stringify(certs.caFile)}` },
    ]);
  });
});
