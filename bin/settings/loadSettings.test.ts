/**
 * loadSettings reads node-config files without the node-config singleton and takes the
 * environment as a parameter, so these tests run in-process, each with its own environment.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSettings, readConfigTree } from './loadSettings.js';
import { SettingsError } from './settings.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const packageConfig = new URL('../../config/', import.meta.url).pathname;

let userDir: string;
beforeEach(() => {
  userDir = mkdtempSync(join(tmpdir(), 'evse-config-'));
});
afterEach(() => {
  rmSync(userDir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

function errorOf(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SettingsError) return err;
    throw err;
  }
  throw new Error('expected a SettingsError');
}

describe('loadSettings', () => {
  it("reads the package's default.yaml, and firmwareVersion defaults to the package version", () => {
    const s = loadSettings({ env: {} });
    expect(s.chargePoint).toMatchObject({ id: 'CP001', firmwareVersion: packageVersion });
    expect(s.log.level).toBe('info');
    expect(readConfigTree({ env: {} }).sources).toEqual([join(packageConfig, 'default.yaml'), join(packageConfig, 'custom-environment-variables.yaml')]);
  });

  it('layers the NODE_ENV file over the defaults (test, sim)', () => {
    expect(loadSettings({ env: { NODE_ENV: 'test' } })).toMatchObject({ log: { level: 'silent' }, csms: { pingIntervalMs: 0, url: 'ws://127.0.0.1:9000/ocpp' } });
    const sim = loadSettings({ env: { NODE_ENV: 'production', NODE_CONFIG_ENV: 'sim' } });
    expect(sim.hal.sim.evConnected).toBe(true);
    expect(sim.ocpp.MeterValueSampleInterval).toBe(10);
    expect(sim.ocpp.HeartbeatInterval).toBe(60);
  });

  it('maps every EVSE_* variable onto its key, converting strings', () => {
    const s = loadSettings({
      env: {
        EVSE_CSMS_URL: 'wss://csms.example.com/ocpp16/',
        EVSE_CHARGE_POINT_ID: 'DE*EVA*E42',
        EVSE_HAL: 'sim',
        EVSE_DATA_DIR: '/var/lib/evse',
        EVSE_SIM_EV_CONNECTED: '1',
        EVSE_LOG_LEVEL: 'debug',
        EVSE_CSMS_PASSWORD: 'correct-horse-battery',
        EVSE_CONNECTORS: '2',
      },
    });
    expect(s.csms.url).toBe('wss://csms.example.com/ocpp16');
    expect(s.csms.password).toBe('correct-horse-battery');
    expect(s.chargePoint.id).toBe('DE*EVA*E42');
    expect(s.chargePoint.connectors).toBe(2);
    expect(s.hal.driver).toBe('sim');
    expect(s.hal.sim.evConnected).toBe(true);
    expect(s.dataDir).toBe('/var/lib/evse');
    expect(s.log.level).toBe('debug');
    expect(loadSettings({ env: { EVSE_SIM_EV_CONNECTED: 'false' } }).hal.sim.evConnected).toBe(false);
    expect(loadSettings({ env: {} })).toMatchObject({ chargePoint: { ventilation: false }, clock: { source: 'system' } });
    expect(loadSettings({ env: { EVSE_VENTILATION: '1', EVSE_CLOCK_SOURCE: 'csms' } })).toMatchObject({ chargePoint: { ventilation: true }, clock: { source: 'csms' } });
    expect(() => loadSettings({ env: { EVSE_VENTILATION: 'maybe' } })).toThrow(/chargePoint\.ventilation: expected true or false .*got "maybe"/);
    expect(loadSettings({ env: {} }).chargePoint.timeZone).toBeUndefined();
    expect(loadSettings({ env: { EVSE_TIME_ZONE: '' } }).chargePoint.timeZone).toBeUndefined();
    expect(loadSettings({ env: { EVSE_TIME_ZONE: 'Europe/Berlin' } }).chargePoint.timeZone).toBe('Europe/Berlin');
    expect(() => loadSettings({ env: { EVSE_TIME_ZONE: 'Europe/Berlinn' } })).toThrow(/chargePoint\.timeZone: expected an IANA time zone name such as Europe\/Berlin or UTC .*got "Europe\/Berlinn"/);
    expect(() => loadSettings({ env: { EVSE_CLOCK_SOURCE: 'gps' } })).toThrow(/clock\.source: expected "system" .*got "gps"/);
    expect(loadSettings({ env: {} }).ocppVersion).toBe('1.6');
    expect(loadSettings({ env: { EVSE_OCPP_VERSION: '2.0.1' } }).ocppVersion).toBe('2.0.1');
    expect(loadSettings({ env: { EVSE_OCPP_VERSION: 'auto' } })).toMatchObject({ ocppVersion: '2.0.1', ocppVersions: ['2.0.1', '1.6'] });
    expect(loadSettings({ env: { EVSE_OCPP_VERSION: '1.6, 2.0.1' } })).toMatchObject({ ocppVersion: '1.6', ocppVersions: ['1.6', '2.0.1'] });
    expect(loadSettings({ env: { EVSE_OCPP_VERSION: '2.0.1' } }).ocppVersions).toEqual(['2.0.1']);
    expect(() => loadSettings({ env: { EVSE_OCPP_VERSION: '1.6,1.6' } })).toThrow(/ocpp\.version: expected .*, got "1\.6,1\.6"/);
    expect(() => loadSettings({ env: { EVSE_OCPP_VERSION: '2.1' } })).toThrow(/ocpp\.version: expected the OCPP version spoken: 1\.6 or 2\.0\.1, or both offered in order of preference: 2\.0\.1,1\.6 \(or auto, the same\) or 1\.6,2\.0\.1, got "2\.1"/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadSettings({ env: { EVSE_CHARGE_POINT_ID: '', EVSE_CSMS_PASSWORD: '' } }).chargePoint.id).toBe('CP001');
  });

  it('reads process.env when no environment is given', () => {
    vi.stubEnv('EVSE_CHARGE_POINT_ID', 'CP-FROM-ENV');
    vi.stubEnv('EVSE_CONNECTORS', '4');
    expect(loadSettings().chargePoint).toMatchObject({ id: 'CP-FROM-ENV', connectors: 4 });
  });

  it('names the variable a bad value came from', () => {
    const err = errorOf(() => loadSettings({ env: { EVSE_CONNECTORS: 'abc', EVSE_HAL: 'usb', EVSE_CSMS_URL: 'http://x' } }));
    expect(err.issues).toEqual([
      { path: 'chargePoint.connectors', message: 'expected an integer from 1 to 8 (connectors), got "abc" (from EVSE_CONNECTORS)' },
      { path: 'csms.url', message: 'expected a ws:// or wss:// URL, got "http://x" (from EVSE_CSMS_URL)' },
      { path: 'hal.driver', message: 'expected "sim" (simulated devices) or "serial" (real devices, hal.serial), got "usb" (from EVSE_HAL)' },
    ]);
  });

  it('builds the serial bench from the EVSE_* variables alone, with per-model defaults', () => {
    const s = loadSettings({ env: { EVSE_HAL: 'serial', EVSE_PILOT_PORT: '/dev/urandom', EVSE_METER_PORT: '/dev/zero', EVSE_METER_MODEL: 'sdm120', EVSE_RELAY_PORT: '/dev/zero', EVSE_RELAY_ADDRESS: '7', EVSE_RFID_PORT: '/dev/full', EVSE_RFID_MODEL: 'rdm6300' } });
    expect(s.hal.driver).toBe('serial');
    expect(s.hal.serial).toMatchObject({
      pilot: { port: '/dev/urandom' },
      meter: { port: '/dev/zero', model: 'sdm120', address: 1 },
      relay: { port: '/dev/zero', address: 7 },
      rfid: { port: '/dev/full', model: 'rdm6300' },
    });
    expect(s.hal.serial.meter.baud).toBeUndefined(); // the model's factory rate
    const bad = errorOf(() => loadSettings({ env: { EVSE_HAL: 'serial', EVSE_PILOT_PORT: '/dev/urandom', EVSE_METER_PORT: '/dev/zero', EVSE_METER_MODEL: 'sdm72', EVSE_METER_ADDRESS: '0', EVSE_RFID_MODEL: 'acr122' } }));
    expect(bad.issues).toEqual([
      { path: 'hal.serial.meter.model', message: 'expected a meter model: sdm630 or sdm120, got "sdm72" (from EVSE_METER_MODEL)' },
      { path: 'hal.serial.meter.address', message: 'expected a Modbus address from 1 to 247, got "0" (from EVSE_METER_ADDRESS)' },
      { path: 'hal.serial.rfid.model', message: 'expected a card reader model: pn532 or rdm6300, got "acr122" (from EVSE_RFID_MODEL)' },
    ]);
  });

  it('names the key and the variable of a serial port that does not exist', () => {
    const err = errorOf(() => loadSettings({ env: { EVSE_HAL: 'serial', EVSE_PILOT_PORT: '/dev/urandom', EVSE_METER_PORT: '/dev/ttyNOPE0' } }));
    expect(err.issues).toEqual([{ path: 'hal.serial.meter.port', message: 'expected an existing serial port, got "/dev/ttyNOPE0" (no such file) (from EVSE_METER_PORT)' }]);
    const notTty = errorOf(() => loadSettings({ env: { EVSE_HAL: 'serial', EVSE_PILOT_PORT: '/dev/urandom', EVSE_METER_PORT: userDir } }));
    expect(notTty.issues[0]).toMatchObject({ path: 'hal.serial.meter.port', message: expect.stringContaining('expected a serial port (a character device)') });
  });

  it('checks the ports of a device list from a local.yaml, naming the bus or device entry', () => {
    writeFileSync(
      join(userDir, 'local.yaml'),
      [
        'hal:',
        '  driver: serial',
        '  serial:',
        '    buses: [{ name: rs485, port: /dev/ttyNOPE0 }]',
        '    devices:',
        '      - { kind: meter, model: sdm630, connector: 1, bus: rs485 }',
        `      - { kind: pilot, connector: 1, port: ${join(userDir, 'local.yaml')} }`,
        '      - { kind: rfid, model: pn532, port: /dev/urandom }',
      ].join('\n'),
    );
    const err = errorOf(() => loadSettings({ env: { NODE_CONFIG_DIR: userDir } }));
    expect(err.issues).toEqual([
      { path: 'hal.serial.buses[0].port', message: 'expected an existing serial port, got "/dev/ttyNOPE0" (no such file)' },
      { path: 'hal.serial.devices[1].port', message: `expected a serial port (a character device), got ${JSON.stringify(join(userDir, 'local.yaml'))}` },
    ]);
  });

  it("adds the user's NODE_CONFIG_DIR directories after the package's, local.yaml last", () => {
    const second = mkdtempSync(join(tmpdir(), 'evse-config-'));
    try {
      writeFileSync(join(userDir, 'default.yaml'), '# mine\nchargePoint:\n  id: MINE\n  connectors: 2\n');
      writeFileSync(join(second, 'local.yaml'), 'chargePoint:\n  connectors: 3\nlog:\n  level: warn\n');
      writeFileSync(join(second, 'empty.yaml'), '# comments only\n');
      const env = { NODE_CONFIG_DIR: [userDir, second].join(delimiter) };
      expect(loadSettings({ env }).chargePoint).toMatchObject({ id: 'MINE', connectors: 3, vendor: 'evse-agent' });
      expect(readConfigTree({ env }).sources).toEqual([
        join(packageConfig, 'default.yaml'),
        join(userDir, 'default.yaml'),
        join(second, 'local.yaml'),
        join(packageConfig, 'custom-environment-variables.yaml'),
      ]);
      expect(loadSettings({ env: { ...env, EVSE_CONNECTORS: '5' } }).chargePoint.connectors).toBe(5);
    } finally {
      rmSync(second, { recursive: true, force: true });
    }
  });

  it('Home Assistant discovery as docs/mqtt.md shows it: only `enabled: true`, the prefix defaults to homeassistant', () => {
    writeFileSync(join(userDir, 'local.yaml'), 'telemetry:\n  url: mqtt://127.0.0.1:1883\n  homeAssistant:\n    enabled: true\n');
    expect(loadSettings({ env: { NODE_CONFIG_DIR: userDir } }).telemetry.homeAssistant).toEqual({ enabled: true, discoveryPrefix: 'homeassistant' });
    // Without `enabled` the discovery topics are left alone (runAgent passes no homeAssistant option).
    expect(loadSettings({ env: {} }).telemetry.homeAssistant).toEqual({ discoveryPrefix: 'homeassistant' });
    writeFileSync(join(userDir, 'local.yaml'), 'telemetry:\n  homeAssistant:\n    enabled: false\n    discoveryPrefix: ha\n');
    expect(loadSettings({ env: { NODE_CONFIG_DIR: userDir } }).telemetry.homeAssistant).toEqual({ enabled: false, discoveryPrefix: 'ha' });
  });

  it('uses configDir instead of the package directory', () => {
    writeFileSync(join(userDir, 'default.yaml'), readFileSync(join(packageConfig, 'default.yaml'), 'utf8').replace('id: CP001', 'id: FIXTURE'));
    expect(loadSettings({ configDir: userDir, env: {} }).chargePoint.id).toBe('FIXTURE');
    // No custom-environment-variables file there: EVSE_* has no effect.
    expect(loadSettings({ configDir: userDir, env: { EVSE_CHARGE_POINT_ID: 'X' } }).chargePoint.id).toBe('FIXTURE');
  });

  it('applies the NODE_CONFIG JSON variable above files, below EVSE_* variables', () => {
    const env = { NODE_CONFIG: '{"log":{"level":"error"},"chargePoint":{"id":"JSON"}}', EVSE_CHARGE_POINT_ID: 'VAR' };
    expect(loadSettings({ env })).toMatchObject({ log: { level: 'error' }, chargePoint: { id: 'VAR' } });
    expect(errorOf(() => loadSettings({ env: { NODE_CONFIG: '{oops' } })).issues).toEqual([{ path: 'NODE_CONFIG', message: 'expected a JSON object, got "{oops"' }]);
  });

  it('reports a missing NODE_CONFIG_DIR directory and a broken YAML file as configuration errors', () => {
    const missing = join(userDir, 'nope');
    expect(errorOf(() => loadSettings({ env: { NODE_CONFIG_DIR: missing } })).issues).toEqual([
      { path: 'NODE_CONFIG_DIR', message: `expected existing directories, got ${JSON.stringify(missing)}` },
    ]);
    writeFileSync(join(userDir, 'default.yaml'), 'chargePoint:\n  id: [unclosed\n');
    const [issue] = errorOf(() => loadSettings({ env: { NODE_CONFIG_DIR: userDir } })).issues;
    expect(issue?.path).toBe(join(userDir, 'default.yaml'));
    expect(issue?.message).toMatch(/^expected a readable, well-formed file: /);
  });

});

describe('loadSettings in an installed package, run from another directory', () => {
  // In-process the current directory cannot be faked for node-config (it resolves its YAML
  // parser from the directory current when it was imported), so this compiles loadSettings,
  // lays it out like an installed package (dist/, config/, node_modules/) and runs it with
  // plain node from an empty directory, with the variables in its real environment.
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  let installDir: string;
  let pkg: string;
  let elsewhere: string;
  beforeAll(() => {
    installDir = mkdtempSync(join(tmpdir(), 'evse-installed-'));
    pkg = join(installDir, 'node_modules', 'evse-agent');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const compile = spawnSync(process.execPath, [tsc, join(repo, 'bin/settings/loadSettings.ts'), '--outDir', join(pkg, 'dist'), '--rootDir', repo,
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--strict'], { encoding: 'utf8' });
    // Type errors elsewhere in the tree do not stop the emit; a missing file would.
    expect(existsSync(join(pkg, 'dist/bin/settings/loadSettings.js')), compile.stdout).toBe(true);
    copyFileSync(join(repo, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(repo, 'config'), join(pkg, 'config'));
    symlinkSync(join(repo, 'node_modules'), join(pkg, 'node_modules'));
    elsewhere = join(installDir, 'elsewhere');
    mkdirSync(elsewhere);
  }, 60_000);
  afterAll(() => rmSync(installDir, { recursive: true, force: true }));

  it('reads the package config and EVSE_* variables from process.env', () => {
    const script = `import(${JSON.stringify(join(pkg, 'dist/bin/settings/loadSettings.js'))}).then((m) => process.stdout.write(JSON.stringify(m.loadSettings())))`;
    const env = { PATH: process.env.PATH, NODE_ENV: 'sim', EVSE_CHARGE_POINT_ID: 'CP-SPAWNED', EVSE_CONNECTORS: '3', EVSE_SIM_EV_CONNECTED: '0', EVSE_LOG_LEVEL: 'warn' };
    const out = execFileSync(process.execPath, ['-e', script], { cwd: elsewhere, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const settings = JSON.parse(out) as { chargePoint: { id: string; connectors: number; firmwareVersion: string }; hal: { sim: { evConnected: boolean } }; log: { level: string }; ocpp: { MeterValueSampleInterval: number } };
    expect(settings.chargePoint).toMatchObject({ id: 'CP-SPAWNED', connectors: 3, firmwareVersion: packageVersion });
    expect(settings.hal.sim.evConnected).toBe(false);
    expect(settings.log.level).toBe('warn');
    expect(settings.ocpp.MeterValueSampleInterval).toBe(10);
  });

  // Memory on the controller board: zod cost 12 MB RSS for this one check at start, while the
  // ajv that ocpp-rpc brings anyway costs nothing more, provided it is the same copy. zod may
  // still be installed, so this watches what gets loaded: every ES module import, static or
  // dynamic, passes a resolve hook that fails on zod (by name or by path), and every CommonJS
  // module, which Node 20 does not pass through hooks, is in require.cache. Both the valid and
  // the invalid path run; importing zod at the end shows that the hook is at work.
  it('loads neither zod nor an ajv other than the one ocpp-rpc uses', () => {
    const hook = `export async function resolve(specifier, context, next) {
      if (/^zod($|\\/)/.test(specifier)) throw new Error('zod imported from ' + context.parentURL);
      const resolved = await next(specifier, context);
      if (resolved.url.includes('/node_modules/zod/')) throw new Error('zod imported: ' + resolved.url);
      return resolved;
    }`;
    const settingsJs = join(pkg, 'dist/bin/settings/settings.js');
    const script = `
      import { createRequire, register } from 'node:module';
      import { dirname } from 'node:path';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const { loadSettings } = await import(${JSON.stringify(join(pkg, 'dist/bin/settings/loadSettings.js'))});
      const { parseSettings, SettingsError } = await import(${JSON.stringify(settingsJs)});
      loadSettings();
      try { parseSettings({ chargePoint: 'x' }); } catch (err) { if (!(err instanceof SettingsError)) throw err; }
      const hookFailsZod = await import('zod').then(() => false, (err) => err.message.startsWith('zod imported'));
      const require = createRequire(${JSON.stringify(settingsJs)});
      const loaded = Object.keys(require.cache);
      process.stdout.write(JSON.stringify({
        hookFailsZod,
        zod: loaded.filter((file) => file.includes('/node_modules/zod/')),
        ajv: loaded.filter((file) => file.includes('/node_modules/ajv/')),
        ocppRpcAjv: dirname(createRequire(require.resolve('ocpp-rpc')).resolve('ajv/package.json')),
      }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: elsewhere, env: { PATH: process.env.PATH }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const loaded = JSON.parse(out) as { hookFailsZod: boolean; zod: string[]; ajv: string[]; ocppRpcAjv: string };
    expect(loaded.hookFailsZod).toBe(true);
    expect(loaded.zod).toEqual([]);
    expect(loaded.ajv.length).toBeGreaterThan(0);
    expect(loaded.ajv.filter((file) => !file.startsWith(loaded.ocppRpcAjv + sep))).toEqual([]);
  });
});
