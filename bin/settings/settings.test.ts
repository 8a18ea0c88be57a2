import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { issuesOf } from '../../test/support/settingsIssues.js';
import { EX_CONFIG, SettingsError, exitOnInvalidSettings, parseSettings } from './settings.js';

/** config/default.yaml as node-config reads it, plus the firmwareVersion loadSettings adds. */
function defaults(): Record<string, unknown> {
  const tree = YAML.parse(readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  tree.chargePoint!.firmwareVersion = '1.2.3';
  return tree;
}

function withValue(path: string, value: unknown): Record<string, unknown> {
  const tree = defaults();
  const keys = path.split('.');
  let node = tree as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return tree;
}

/** Every key path in a tree (sections and values), except the entries of `ocpp:`. */
function keyPaths(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix + key;
    const isSection = typeof value === 'object' && value !== null && path !== 'ocpp';
    return isSection ? [path, ...keyPaths(value as Record<string, unknown>, `${path}.`)] : [path];
  });
}

describe('parseSettings', () => {
  it('accepts config/default.yaml as it is', () => {
    const s = parseSettings(defaults());
    expect(s.chargePoint).toMatchObject({ id: 'CP001', connectors: 1, phases: 3, maxCurrentA: 32, firmwareVersion: '1.2.3' });
    expect(s.csms).toEqual({
      url: 'ws://127.0.0.1:9000/ocpp',
      securityProfile: 0,
      allowPlainPassword: false,
      tls: { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384' },
      callTimeoutMs: 30000,
      pingIntervalMs: 30000,
      fallbackUrls: [],
    });
    expect(s.hal).toMatchObject({ driver: 'sim', sim: { evConnected: false, ev: { batteryKWh: 60, soc: 0.3, maxCurrentA: 32, phases: 3 } } });
    expect(s.hal.serial).toEqual({
      pilot: { port: '', pollIntervalMs: 1000 },
      meter: { port: '', model: 'sdm630', address: 1, pollIntervalMs: 1000 },
      relay: { port: '', address: 2, coil: 0, feedbackInput: 0, deadlineMs: 500 },
      rfid: { port: '', model: 'pn532' },
      buses: [],
      devices: [],
    });
    expect(s.ocpp).toMatchObject({ HeartbeatInterval: 300, MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import', StopTransactionOnInvalidId: true });
  });

  it('returns a deeply frozen object', () => {
    const s = parseSettings(defaults());
    expect(Object.isFrozen(s) && Object.isFrozen(s.csms.fallbackUrls) && Object.isFrozen(s.ocpp)).toBe(true);
    expect(() => ((s.csms as { url: string }).url = 'ws://elsewhere')).toThrow(TypeError);
  });

  it('converts strings from environment variables where unambiguous', () => {
    const tree = defaults() as { chargePoint: Record<string, unknown>; hal: { sim: Record<string, unknown> } };
    tree.chargePoint.connectors = '3';
    tree.chargePoint.phases = '1';
    tree.hal.sim.evConnected = '1';
    expect(parseSettings(tree)).toMatchObject({ chargePoint: { connectors: 3, phases: 1 }, hal: { sim: { evConnected: true } } });
    for (const [text, value] of [['true', true], ['ON', true], ['0', false], ['false', false], ['no', false]] as const) {
      tree.hal.sim.evConnected = text;
      expect(parseSettings(tree).hal.sim.evConnected).toBe(value);
    }
  });

  it('drops a trailing slash from the CSMS URL and treats an empty password as none', () => {
    const s = parseSettings(withValue('csms.url', 'wss://csms.example.com/ocpp/'));
    expect(s.csms.url).toBe('wss://csms.example.com/ocpp');
    expect(parseSettings(withValue('csms.password', '')).csms.password).toBeUndefined();
  });

  it.each([
    ['chargePoint.id', 'CP:1', 'expected 1 to 48 characters from A-Z a-z 0-9'],
    ['chargePoint.id', 'x'.repeat(49), 'expected 1 to 48 characters'],
    ['chargePoint.id', '..', 'OCPP-J identity'],
    ['chargePoint.vendor', 'v'.repeat(21), 'expected a vendor name of 1 to 20 characters'],
    ['chargePoint.model', '', 'expected a model name of 1 to 20 characters'],
    ['chargePoint.serialNumber', 's'.repeat(26), 'of 1 to 25 characters'],
    ['chargePoint.firmwareVersion', 7, 'expected a firmware version'],
    ['chargePoint.connectors', 9, 'expected an integer from 1 to 8 (connectors), got 9'],
    ['chargePoint.connectors', '2.5', 'expected an integer from 1 to 8'],
    ['chargePoint.connectors', 'abc', 'got "abc"'],
    ['chargePoint.maxCurrentA', 5, 'expected a current from 6 to 80 A, got 5'],
    ['chargePoint.maxCurrentA', 81, 'expected a current from 6 to 80 A'],
    ['chargePoint.phases', 2, 'expected 1 or 3 (phases), got 2'],
    ['chargePoint.voltageV', 400, 'phase-to-neutral voltage'],
    ['chargePoint.meterType', '', 'expected a meter type'],
    ['chargePoint.meterSerialNumber', 'm'.repeat(26), 'expected a meter serial number'],
    ['csms.url', 'http://x', 'expected a ws:// or wss:// URL, got "http://x"'],
    ['csms.url', 'not a url', 'expected a ws:// or wss:// URL'],
    ['csms.url', 'ws://csms/ocpp?token=1', 'without query or fragment'],
    ['csms.callTimeoutMs', 10, 'expected an integer from 1000 to 600000, got 10'],
    ['csms.securityProfile', 4, 'expected an OCPP security profile: 0 (none), 1 (password over ws://), 2 (password over TLS) or 3 (TLS with a client certificate), got 4'],
    ['csms.tls.ciphers', 'AES128 GCM', 'expected an OpenSSL cipher list (names separated by :)'],
    ['csms.pingIntervalMs', 500, 'expected 0 (no pings) or 1000 to 3600000 ms'],
    ['csms.reconnect', { initialDelayMs: 1000, maxDelayMs: 60000 }, 'replaced by the OCPP keys ocpp.RetryBackOffWaitMinimum, ocpp.RetryBackOffRandomRange and ocpp.RetryBackOffRepeatTimes'],
    ['csms.fallbackUrls', 'ws://a/ocpp ws://b/ocpp ws://c ws://d ws://e ws://f ws://g ws://h ws://i', 'expected at most 8 fallback URLs'],
    ['csms.fallbackUrls', { url: 'ws://x' }, 'expected a list of ws:// or wss:// URLs'],
    ['ocpp.NetworkConfigurationPriority', '2,1', 'expected connection profile slots from 1 to 1 (1: csms.url, 2…: csms.fallbackUrls), got slot 2'],
    ['ocpp.NetworkConfigurationPriority', '1,1', 'duplicate members'],
    ['ocpp.NetworkProfileConnectionAttempts', 0, 'expected a valid integer for NetworkProfileConnectionAttempts (below 1), got 0'],
    ['ocpp.RetryBackOffWaitMinimum', 3601, 'expected a valid integer for RetryBackOffWaitMinimum (above 3600), got 3601'],
    ['ocpp.RetryBackOffRandomRange', -1, 'expected a valid integer for RetryBackOffRandomRange (below 0), got -1'],
    ['ocpp.RetryBackOffRepeatTimes', 'often', 'expected a valid integer for RetryBackOffRepeatTimes (not an integer), got "often"'],
    ['hal.driver', 'gpio', 'expected "sim" (simulated devices) or "serial" (real devices, hal.serial), got "gpio"'],
    ['hal.serial.meter.model', 'sdm72', 'expected a meter model: sdm630 or sdm120, got "sdm72"'],
    ['hal.serial.meter.address', 0, 'expected a Modbus address from 1 to 247, got 0'],
    ['hal.serial.meter.address', '248', 'expected a Modbus address from 1 to 247, got "248"'],
    ['hal.serial.meter.baud', 9601, 'expected a baud rate: 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200'],
    ['hal.serial.relay.address', 300, 'expected a Modbus address from 1 to 247, got 300'],
    ['hal.serial.relay.baud', 'fast', 'expected a baud rate'],
    ['hal.serial.pilot.baud', 100, 'expected a baud rate'],
    ['hal.serial.rfid.model', 'mfrc522', 'expected a card reader model: pn532 or rdm6300, got "mfrc522"'],
    ['hal.serial.rfid.baud', 0, 'expected a baud rate'],
    ['hal.sim.evConnected', 'maybe', 'expected true or false'],
    ['hal.sim.ev.batteryKWh', 0, 'expected a battery capacity from 1 to 300 kWh'],
    ['hal.sim.ev.soc', 30, 'expected a state of charge from 0 to 1 (a fraction, not %), got 30'],
    ['hal.sim.ev.maxCurrentA', 100, 'expected a current from 6 to 80 A'],
    ['hal.sim.ev.phases', '2', 'expected 1 or 3 (phases), got "2"'],
    ['dataDir', '', 'expected a directory path'],
    ['log.level', 'verbose', 'expected a log level: fatal, error, warn, info, debug, trace or silent, got "verbose"'],
    ['ocpp.HeartbeatInterval', -5, 'expected a valid integer for HeartbeatInterval (below 0), got -5'],
    ['ocpp.MeterValuesSampledData', 'Energy.Active.Import.Register,Bogus', "'Bogus' is not allowed"],
    ['ocpp.StopTransactionOnInvalidId', 'perhaps', 'expected a valid boolean'],
    ['ocpp.HeartbeatIntervall', 60, 'unknown OCPP configuration key'],
    ['ocpp.NumberOfConnectors', 2, 'read-only OCPP key'],
    ['ocpp.version', '2.0', 'expected the OCPP version spoken: 1.6 or 2.0.1, or both offered in order of preference: 2.0.1,1.6 (or auto, the same) or 1.6,2.0.1, got "2.0"'],
    ['ocpp.version', true, 'expected the OCPP version spoken: 1.6 or 2.0.1, or both offered in order of preference: 2.0.1,1.6 (or auto, the same) or 1.6,2.0.1, got true'],
    ['ocpp.AuthorizationKey', 'a-secret-in-a-file-0123', 'security key: set it with csms.password / csms.securityProfile'],
    ['ocpp.SecurityProfile', 3, 'security key'],
  ])('names %s in the error for %j', (path, value, expected) => {
    const issues = issuesOf(withValue(path, value));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(path);
    expect(issues[0]!.message).toContain(expected);
    if (path === 'ocpp.AuthorizationKey') expect(issues[0]!.message).not.toContain(String(value));
  });

  it('fallback CSMS URLs: each a ws(s) URL with the scheme of csms.url, trailing slashes dropped; the priority names only their slots', () => {
    expect(issuesOf(withValue('csms.fallbackUrls', ['ws://b/ocpp', 'http://backup']))).toEqual([{ path: 'csms.fallbackUrls[1]', message: 'expected a ws:// or wss:// URL, got "http://backup"' }]);
    expect(issuesOf(withValue('csms.fallbackUrls', ['wss://backup/ocpp']))).toEqual([
      { path: 'csms.fallbackUrls[0]', message: 'expected a ws:// URL like csms.url (a fallback connects with its security settings), got "wss://backup/ocpp"' },
    ]);
    const tree = withValue('csms.fallbackUrls', 'ws://b/ocpp/, ws://c/ocpp') as { ocpp: Record<string, unknown> }; // as an environment variable gives it
    tree.ocpp.NetworkConfigurationPriority = '3,1,2';
    const s = parseSettings(tree);
    expect(s.csms.fallbackUrls).toEqual(['ws://b/ocpp', 'ws://c/ocpp']);
    expect(s.ocpp.NetworkConfigurationPriority).toBe('3,1,2');
    tree.ocpp.NetworkConfigurationPriority = '4';
    expect(issuesOf(tree)).toEqual([{ path: 'ocpp.NetworkConfigurationPriority', message: 'expected connection profile slots from 1 to 3 (1: csms.url, 2…: csms.fallbackUrls), got slot 4' }]);
  });

  it('reports missing and unknown keys', () => {
    expect(issuesOf(withValue('csms.url', undefined))).toEqual([{ path: 'csms.url', message: 'expected a ws:// or wss:// URL, but it is not set' }]);
    expect(issuesOf(withValue('csms.urll', 'ws://x'))).toEqual([{ path: 'csms.urll', message: 'unknown key' }]);
    expect(issuesOf(withValue('metrics', {}))).toEqual([{ path: 'metrics', message: 'unknown key' }]);
    expect(issuesOf(withValue('hal', 'sim'))[0]).toMatchObject({ path: 'hal', message: expect.stringContaining('expected a section (hal: driver, sim, serial)') });
  });

  describe('hal.driver "serial"', () => {
    function serial(devices: Record<string, Record<string, unknown>>, connectors = 1): Record<string, unknown> {
      const tree = withValue('hal.driver', 'serial') as { chargePoint: Record<string, unknown>; hal: { serial: Record<string, Record<string, unknown>> } };
      tree.chargePoint.connectors = connectors;
      for (const [device, values] of Object.entries(devices)) Object.assign(tree.hal.serial[device]!, values);
      return tree;
    }
    const bench = { pilot: { port: '/dev/ttyUSB1' }, meter: { port: '/dev/ttyUSB0' } };

    it('accepts a pilot and a meter, the relay board on the meter bus, and per-device bauds', () => {
      const s = parseSettings(serial({ ...bench, relay: { port: '/dev/ttyUSB0', address: '3' }, rfid: { port: '/dev/ttyS1', model: 'rdm6300', baud: '9600' } }));
      expect(s.hal.serial.relay).toMatchObject({ port: '/dev/ttyUSB0', address: 3 });
      expect(s.hal.serial.rfid).toEqual({ port: '/dev/ttyS1', model: 'rdm6300', baud: 9600 });
    });

    it('requires a pilot and a meter', () => {
      expect(issuesOf(serial({}))).toEqual([
        { path: 'hal.serial.pilot.port', message: `expected the OpenEVSE controller's serial port path (EVSE_PILOT_PORT) when hal.driver is "serial", but it is not set` },
        { path: 'hal.serial.meter.port', message: `expected the meter's serial port path (EVSE_METER_PORT) when hal.driver is "serial", but it is not set` },
      ]);
    });

    it('rejects one address twice on a shared bus, a port used by two devices, and more than one connector', () => {
      expect(issuesOf(serial({ ...bench, relay: { port: '/dev/ttyUSB0', address: 1 } }))).toEqual([
        { path: 'hal.serial.relay.address', message: 'expected an address not used by hal.serial.meter on the bus /dev/ttyUSB0 (only the coils of one relay board share an address), got 1' },
      ]);
      expect(issuesOf(serial({ ...bench, rfid: { port: '/dev/ttyUSB1' } }))[0]).toMatchObject({ path: 'hal.serial.rfid.port', message: expect.stringContaining('expected a port of its own') });
      expect(issuesOf(serial({ ...bench, meter: { port: '/dev/ttyUSB0', baud: 9600 }, relay: { port: '/dev/ttyUSB0', baud: 19200 } }))).toEqual([
        { path: 'hal.serial.relay.baud', message: 'expected 9600 like hal.serial.meter.baud: both are on the bus /dev/ttyUSB0, got 19200' },
      ]);
      expect(issuesOf(serial(bench, 2))[0]).toMatchObject({ path: 'chargePoint.connectors', message: expect.stringContaining('expected 1 with hal.driver "serial"') });
    });

    it('leaves the serial section unchecked for the sim driver (empty ports are fine)', () => {
      expect(parseSettings(defaults()).hal.driver).toBe('sim');
    });
  });

  it('checks the telemetry section: broker URL (empty = off), topic prefix, idTag mode', () => {
    expect(parseSettings(withValue('telemetry.url', '')).telemetry.url).toBe('');
    expect(parseSettings(withValue('telemetry.url', 'mqtts://broker.example:8883')).telemetry.url).toBe('mqtts://broker.example:8883');
    expect(issuesOf(withValue('telemetry.url', 'http://broker'))[0]).toMatchObject({ path: 'telemetry.url', message: expect.stringContaining('mqtt://') });
    expect(issuesOf(withValue('telemetry.prefix', 'site/#'))[0]).toMatchObject({ path: 'telemetry.prefix' });
    expect(parseSettings(withValue('telemetry.prefix', 'site/evse')).telemetry.prefix).toBe('site/evse');
    expect(issuesOf(withValue('telemetry.idTag', 'plain'))[0]).toMatchObject({ path: 'telemetry.idTag' });
    expect(parseSettings(withValue('telemetry.commands', 'yes')).telemetry.commands).toBe(true);
    expect(parseSettings(withValue('telemetry.homeAssistant', { enabled: true, discoveryPrefix: 'homeassistant' })).telemetry.homeAssistant).toEqual({ enabled: true, discoveryPrefix: 'homeassistant' });
    expect(issuesOf(withValue('telemetry.homeAssistant', { enabled: true, discoveryPrefix: 'ha/#' }))[0]).toMatchObject({ path: 'telemetry.homeAssistant.discoveryPrefix' });
    expect(parseSettings(withValue('telemetry.homeAssistant', { enabled: true, discoveryPrefix: 'homeassistant', startIdTag: 'HA-USER' })).telemetry.homeAssistant).toEqual({ enabled: true, discoveryPrefix: 'homeassistant', startIdTag: 'HA-USER' });
    expect(issuesOf(withValue('telemetry.homeAssistant', { enabled: true, discoveryPrefix: 'homeassistant', startIdTag: 'X'.repeat(21) }))[0]).toMatchObject({ path: 'telemetry.homeAssistant.startIdTag', message: expect.stringContaining('1 to 20 characters') });
  });

  it('reports every problem at once, in one message', () => {
    const tree = withValue('csms.url', 'http://x') as { chargePoint: Record<string, unknown> };
    tree.chargePoint.connectors = 0;
    const err = (() => {
      try {
        parseSettings(tree);
      } catch (e) {
        return e as SettingsError;
      }
    })();
    expect(err?.issues.map((i) => i.path)).toEqual(['chargePoint.connectors', 'csms.url']);
    expect(err?.message).toBe(
      'invalid configuration: chargePoint.connectors: expected an integer from 1 to 8 (connectors), got 0; csms.url: expected a ws:// or wss:// URL, got "http://x"',
    );
  });

  it('thermal derating: both temperatures in range, the cut-off above the start', () => {
    expect(parseSettings(withValue('chargePoint.thermal', { deratingStartC: 55, cutoffC: 75 })).chargePoint.thermal).toEqual({ deratingStartC: 55, cutoffC: 75 });
    expect(issuesOf(withValue('chargePoint.thermal', { deratingStartC: 70, cutoffC: 70 }))).toEqual([
      { path: 'chargePoint.thermal.cutoffC', message: 'expected a temperature above chargePoint.thermal.deratingStartC (70 °C), got 70' },
    ]);
    expect(issuesOf(withValue('chargePoint.thermal', { deratingStartC: 60, cutoffC: 200 }))[0]).toMatchObject({ path: 'chargePoint.thermal.cutoffC', message: expect.stringContaining('from -20 to 150 °C') });
  });

  it('never shows the password', () => {
    const [issue] = issuesOf(withValue('csms.password', 'p'.repeat(300)));
    expect(issue).toEqual({ path: 'csms.password', message: 'expected a password of 1 to 255 characters, got (hidden)' });
  });

  describe('dashboard', () => {
    const dashboard = (d: Record<string, unknown>) => withValue('dashboard', { enabled: true, host: '127.0.0.1', port: 8080, ...d });

    it('is off in config/default.yaml, on 127.0.0.1', () => {
      expect(parseSettings(defaults()).dashboard).toEqual({ enabled: false, host: '127.0.0.1', port: 8080 });
    });

    it('needs no password on loopback addresses', () => {
      for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(parseSettings(dashboard({ host })).dashboard.host).toBe(host);
    });

    it('needs a password when bound elsewhere, naming the key and why', () => {
      for (const host of ['0.0.0.0', '::', '192.168.1.20', 'charger.local']) {
        expect(issuesOf(dashboard({ host }))).toEqual([
          { path: 'dashboard.password', message: `expected a password of 1 to 255 characters: required when dashboard.host (${host}) is not a loopback address (127.0.0.1, ::1, localhost)` },
        ]);
      }
      expect(parseSettings(dashboard({ host: '0.0.0.0', password: 's3cret' })).dashboard).toEqual({ enabled: true, host: '0.0.0.0', port: 8080, password: 's3cret' });
      // Off, it may be configured for later without a password.
      expect(parseSettings(dashboard({ enabled: false, host: '0.0.0.0' })).dashboard.enabled).toBe(false);
    });

    it('treats an empty password (a blank variable) as none, and never shows one', () => {
      expect(issuesOf(dashboard({ host: '0.0.0.0', password: '' })).map((i) => i.path)).toEqual(['dashboard.password']);
      expect(issuesOf(dashboard({ password: 'p'.repeat(300) }))).toEqual([{ path: 'dashboard.password', message: 'expected a password of 1 to 255 characters, got (hidden)' }]);
    });

    it('refuses a port out of range and a host with a scheme or path', () => {
      expect(issuesOf(dashboard({ port: 70000 }))).toEqual([{ path: 'dashboard.port', message: 'expected a TCP port from 0 to 65535 (0: any free port), got 70000' }]);
      expect(issuesOf(dashboard({ host: 'http://0.0.0.0/' })).map((i) => i.path)).toEqual(['dashboard.host']);
    });
  });

  it('accepts OCPP key names in any case and lists as comma-separated values', () => {
    const tree = defaults() as { ocpp: Record<string, unknown> };
    tree.ocpp = { heartbeatinterval: '120', MeterValuesSampledData: ['Energy.Active.Import.Register', 'SoC'] };
    expect(parseSettings(tree).ocpp).toEqual({ HeartbeatInterval: 120, MeterValuesSampledData: 'Energy.Active.Import.Register,SoC' });
  });

  it('takes the OCPP version from ocpp.version (1.6 when unset, also written as a YAML number), not as an OCPP key', () => {
    const tree = defaults() as { ocpp: Record<string, unknown> };
    expect(parseSettings(tree).ocppVersion).toBe('1.6');
    tree.ocpp = { version: '2.0.1', HeartbeatInterval: 120 };
    const s = parseSettings(tree);
    expect(s.ocppVersion).toBe('2.0.1');
    expect(s.ocpp).toEqual({ HeartbeatInterval: 120 });
    tree.ocpp = { version: 1.6 };
    expect(parseSettings(tree).ocppVersion).toBe('1.6');
  });

  it('accepts typical charge point ids', () => {
    for (const id of ['CP001', 'DE*ABC*E123456', 'evse-42_a.b', 'x'.repeat(48)]) {
      expect(parseSettings(withValue('chargePoint.id', id)).chargePoint.id).toBe(id);
    }
  });

  it('words the problem for every key and section, wrong or missing', () => {
    // The device lists accept [] (they are checked in serialSettings.test.ts), as does csms.fallbackUrls.
    const lists = ['hal.serial.buses', 'hal.serial.devices', 'csms.fallbackUrls'];
    const paths = [...keyPaths(defaults()).filter((p) => !lists.includes(p)), 'chargePoint.meterSerialNumber', 'csms.password'];
    expect(paths).toEqual(expect.arrayContaining(['chargePoint.id', 'csms.tls', 'csms.tls.ciphers', 'hal.sim.ev.phases', 'dataDir', 'log.level', 'ocpp']));
    for (const path of paths) {
      // An array is the wrong type for every key. Each message is one of ours, not ajv's.
      const got = path === 'csms.password' ? /^expected .+, got \(hidden\)$/ : /^expected .+, got \[\]$/;
      expect(issuesOf(withValue(path, []))).toEqual([{ path, message: expect.stringMatching(got) }]);
      if (path.endsWith('meterSerialNumber') || path.endsWith('password')) continue;
      expect(issuesOf(withValue(path, undefined))).toEqual([{ path, message: expect.stringMatching(/^expected .+, but it is not set$/) }]);
    }
  });

  it('reports one problem per key', () => {
    expect(issuesOf(withValue('csms.pingIntervalMs', -5))).toEqual([{ path: 'csms.pingIntervalMs', message: 'expected an integer from 0 to 3600000, got -5' }]);
    expect(issuesOf(withValue('csms.fallbackUrls', ['ws://b?x']))).toEqual([{ path: 'csms.fallbackUrls[0]', message: 'expected a ws:// or wss:// URL without query or fragment (the charge point id is appended to its path), got "ws://b?x"' }]);
    expect(issuesOf(withValue('csms.url', 'http://x?a'))).toHaveLength(1);
  });

  it('shows values as written', () => {
    expect(issuesOf(withValue('csms.pingIntervalMs', '500'))[0]?.message).toBe('expected 0 (no pings) or 1000 to 3600000 ms, got "500"');
    expect(issuesOf(withValue('chargePoint.voltageV', Number.NaN))[0]?.message).toBe('expected a phase-to-neutral voltage from 100 to 300 V, got NaN');
  });

  it('lists problems in the order of config/default.yaml, unknown keys last in their section', () => {
    // An unknown key first, to show it is listed last.
    const tree = { zzz: 1, ...(withValue('csms.url', undefined) as Record<'chargePoint' | 'csms' | 'log' | 'ocpp', Record<string, unknown>>) };
    tree.csms = { extra: 1, ...tree.csms };
    tree.log.level = 'loud';
    tree.chargePoint.connectors = 0;
    tree.ocpp.Foo = 1;
    expect(issuesOf(tree).map((i) => i.path)).toEqual(['chargePoint.connectors', 'csms.url', 'csms.extra', 'log.level', 'ocpp.Foo', 'zzz']);
  });

  it('says what is wrong with an OCPP key', () => {
    const tree = withValue('ocpp', { HeartbeatIntervall: 60, NumberOfConnectors: 2, HeartbeatInterval: null, MeterValuesSampledData: [1] });
    expect(issuesOf(tree)).toEqual([
      { path: 'ocpp.HeartbeatIntervall', message: 'unknown OCPP configuration key' },
      { path: 'ocpp.NumberOfConnectors', message: 'read-only OCPP key: the agent sets it itself' },
      { path: 'ocpp.HeartbeatInterval', message: 'expected text, a number, true/false or a list of text, got null' },
      { path: 'ocpp.MeterValuesSampledData', message: 'expected text, a number, true/false or a list of text, got [1]' },
    ]);
  });

  it('leaves the input alone', () => {
    const tree = withValue('chargePoint.connectors', '2') as { chargePoint: Record<string, unknown>; csms: Record<string, unknown> };
    tree.csms.url = 'ws://x/ocpp/';
    const copy = structuredClone(tree);
    expect(parseSettings(tree).chargePoint.connectors).toBe(2);
    expect(tree).toEqual(copy);
    expect(Object.isFrozen(tree.chargePoint) || Object.isFrozen(tree.csms)).toBe(false);
  });
});

describe('exitOnInvalidSettings', () => {
  it('prints one line per problem to stderr and exits 78', () => {
    let written = '';
    let code: number | undefined;
    const io = {
      stderr: { write: (t: string) => (written += t) },
      exit: ((c: number) => {
        code = c;
        throw new Error('exited');
      }) as (c: number) => never,
    };
    const err = new SettingsError([
      { path: 'csms.url', message: 'expected a ws:// or wss:// URL, got "http://x"' },
      { path: 'log.level', message: 'expected a log level' },
    ]);
    expect(() => exitOnInvalidSettings(err, io)).toThrow('exited');
    expect(code).toBe(EX_CONFIG);
    expect(EX_CONFIG).toBe(78);
    expect(written).toBe('evse: invalid configuration: csms.url: expected a ws:// or wss:// URL, got "http://x"\nevse: invalid configuration: log.level: expected a log level\n');
  });

  it('rethrows anything else', () => {
    const boom = new Error('boom');
    expect(() => exitOnInvalidSettings(boom, { stderr: { write: () => true }, exit: (() => undefined) as never })).toThrow(boom);
  });
});

describe('chargePoint.vendorId', () => {
  it('is optional (the agent then uses chargePoint.vendor) and, when set, 1 to 255 characters', () => {
    expect(parseSettings(defaults()).chargePoint.vendorId).toBeUndefined();
    expect(parseSettings(withValue('chargePoint.vendorId', 'com.example.evse')).chargePoint.vendorId).toBe('com.example.evse');
    for (const bad of ['', 'x'.repeat(256)]) {
      expect(issuesOf(withValue('chargePoint.vendorId', bad))).toEqual([{ path: 'chargePoint.vendorId', message: expect.stringMatching(/^expected a DataTransfer vendor id of 1 to 255 characters/) }]);
    }
  });
});
