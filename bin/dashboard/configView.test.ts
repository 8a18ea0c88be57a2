import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import { parseSettings } from '../settings/settings.js';
import { configView, MASK } from './configView.js';

function settingsWith(changes: (tree: Record<string, Record<string, unknown>>) => void) {
  const tree = YAML.parse(readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  tree.chargePoint!.firmwareVersion = '1.2.3';
  changes(tree);
  return parseSettings(tree);
}

describe('configView', () => {
  it('masks every password, salt and credentials in URLs, and leaves unset secrets absent', async () => {
    const settings = settingsWith((t) => {
      t.csms!.password = 'csms-pw';
      t.telemetry = { ...t.telemetry, url: 'mqtt://user:mqtt-pw@broker:1883', password: 'mqtt-pw', idTagSalt: 'salty' };
      t.dashboard = { enabled: true, host: '0.0.0.0', port: 8080, password: 'dash-pw' };
    });
    const ocpp = await OcppConfiguration.open({ file: null, log: pino({ level: 'silent' }) });
    const view = configView(settings, ocpp);
    const text = JSON.stringify(view);
    for (const secret of ['csms-pw', 'mqtt-pw', 'salty', 'dash-pw']) expect(text).not.toContain(secret);
    expect(view.settings).toMatchObject({
      csms: { password: MASK },
      telemetry: { url: `mqtt://user:${MASK}@broker:1883`, password: MASK, idTagSalt: MASK },
      dashboard: { password: MASK, host: '0.0.0.0' },
      chargePoint: { id: 'CP001' },
    });
    expect(view.ocpp).toContainEqual({ key: 'HeartbeatInterval', readonly: false, value: '300' });
    expect(JSON.stringify(configView(settingsWith(() => undefined), ocpp).settings)).not.toContain(MASK);
  });

  it('masks OCPP keys that hold secrets (AuthorizationKey of the Security extension)', () => {
    const keys = [
      { key: 'AuthorizationKey', readonly: false, value: '0123456789abcdef' },
      { key: 'SecurityProfile', readonly: false, value: '1' },
      { key: 'AuthorizationKey', readonly: false, value: '' },
    ];
    const ocpp = { getForCsms: () => ({ configurationKey: keys, unknownKey: [] }) };
    expect(configView(settingsWith(() => undefined), ocpp).ocpp).toEqual([
      { key: 'AuthorizationKey', readonly: false, value: MASK },
      { key: 'SecurityProfile', readonly: false, value: '1' },
      // Not set: shown as not set, so one can tell.
      { key: 'AuthorizationKey', readonly: false, value: '' },
    ]);
  });

  it('shows the paths of key files (not secrets) and masks a private key given inline', () => {
    const settings = { telemetry: { tls: { keyFile: '/etc/evse/client.key' } }, csms: { privateKey: '-----BEGIN PRIVATE KEY-----' } };
    expect(configView(settings, undefined).settings).toEqual({ telemetry: { tls: { keyFile: '/etc/evse/client.key' } }, csms: { privateKey: MASK } });
  });
});
