import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIGURATION_KEYS, KEY_NAMES, SUPPORTED_MEASURANDS, definitionOf, type IntegerKey } from '../ocpp16/configurationKeys.js';
import { OcppConfiguration, type OcppConfigurationOptions } from './OcppConfiguration.js';

/** A logger whose records the test can inspect. */
function recordingLog() {
  const records: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  return { log, records, errors: () => records.filter((r) => r.level >= 50), warnings: () => records.filter((r) => r.level === 40) };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocpp-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function open(opts: Partial<OcppConfigurationOptions> = {}) {
  const rec = recordingLog();
  return OcppConfiguration.open({ file: null, log: rec.log, ...opts }).then((cfg) => ({ cfg, ...rec }));
}

describe('OcppConfiguration: values and types', () => {
  it('serves typed defaults', async () => {
    const { cfg } = await open();
    expect(cfg.getInt('HeartbeatInterval')).toBe(300);
    expect(cfg.getBool('LocalAuthorizeOffline')).toBe(true);
    expect(cfg.getBool('ReserveConnectorZeroSupported')).toBe(true);
    expect(cfg.getList('MeterValuesSampledData')).toEqual(['Energy.Active.Import.Register']);
    expect(cfg.getList('StopTxnSampledData')).toEqual([]);
    expect(cfg.getString('SupportedFeatureProfiles')).toBe('Core,Reservation,SmartCharging,RemoteTrigger');
  });

  it('lets initial values override defaults and read-only facts override both', async () => {
    const { cfg, warnings } = await open({
      initial: { HeartbeatInterval: 120, MeterValuesSampledData: ['Voltage', 'SoC'], NumberOfConnectors: 7, NoSuchKey: 1, MeterValueSampleInterval: 'often' },
      readonlyValues: { NumberOfConnectors: 2, ReserveConnectorZeroSupported: false, HeartbeatInterval: 5 },
    });
    expect(cfg.getInt('HeartbeatInterval')).toBe(120); // a writable key is not a read-only fact
    expect(cfg.getList('MeterValuesSampledData')).toEqual(['Voltage', 'SoC']);
    expect(cfg.getInt('NumberOfConnectors')).toBe(2);
    expect(cfg.getBool('ReserveConnectorZeroSupported')).toBe(false);
    expect(cfg.getInt('MeterValueSampleInterval')).toBe(60);
    expect(warnings().map((w) => w.key)).toEqual(expect.arrayContaining(['NoSuchKey', 'MeterValueSampleInterval', 'HeartbeatInterval']));
  });

  it('accepts valid changes, emits `changed` once per real change, and answers with the status', async () => {
    const { cfg } = await open();
    const seen: unknown[][] = [];
    cfg.on('changed', (...args) => void seen.push(args));
    expect(await cfg.change('HeartbeatInterval', '60')).toBe('Accepted');
    expect(await cfg.change('heartbeatinterval', ' 60 ')).toBe('Accepted'); // same value: no event
    expect(await cfg.change('StopTransactionOnInvalidId', 'FALSE')).toBe('Accepted');
    expect(await cfg.change('MeterValuesSampledData', ' Voltage , Current.Import,SoC ')).toBe('Accepted');
    expect(cfg.getInt('HeartbeatInterval')).toBe(60);
    expect(cfg.getBool('StopTransactionOnInvalidId')).toBe(false);
    expect(cfg.getString('MeterValuesSampledData')).toBe('Voltage,Current.Import,SoC');
    expect(seen).toEqual([
      ['HeartbeatInterval', 60, 'csms'],
      ['StopTransactionOnInvalidId', false, 'csms'],
      ['MeterValuesSampledData', 'Voltage,Current.Import,SoC', 'csms'],
    ]);
  });

  it.each([
    ['HeartbeatInterval', 'abc'],
    ['HeartbeatInterval', '-1'],
    ['HeartbeatInterval', '1.5'],
    ['HeartbeatInterval', ''],
    ['TransactionMessageAttempts', '101'],
    ['LocalPreAuthorize', 'yes'],
    ['MeterValuesSampledData', 'Voltage,Power.Factor'], // not a measurand we supply
    ['MeterValuesSampledData', 'Voltage,Voltage'],
    ['ConnectorPhaseRotation', '1.XYZ'],
  ])('rejects an invalid value: %s = %j', async (key, value) => {
    const { cfg } = await open();
    const before = cfg.getForCsms([key]).configurationKey[0]?.value;
    expect(await cfg.change(key, value)).toBe('Rejected');
    expect(cfg.getForCsms([key]).configurationKey[0]?.value).toBe(before);
  });

  it('rejects read-only keys and answers NotSupported for unknown ones', async () => {
    const { cfg } = await open();
    expect(await cfg.change('NumberOfConnectors', '4')).toBe('Rejected');
    expect(await cfg.change('GetConfigurationMaxKeys', '10')).toBe('Rejected');
    expect(await cfg.change('FooBar', '1')).toBe('NotSupported');
    expect(cfg.getInt('NumberOfConnectors')).toBe(1);
  });

  it('limits a measurand list to its …MaxLength key', async () => {
    const { cfg } = await open({ readonlyValues: { MeterValuesSampledDataMaxLength: 2 } });
    expect(await cfg.change('MeterValuesSampledData', 'Voltage,SoC')).toBe('Accepted');
    expect(await cfg.change('MeterValuesSampledData', 'Voltage,SoC,Frequency')).toBe('Rejected');
    expect(await cfg.change('MeterValuesSampledData', '')).toBe('Accepted');
    expect(cfg.getList('MeterValuesSampledData')).toEqual([]);
  });

  it('takes integer changes exactly when they are in range (property)', async () => {
    const { cfg } = await open();
    const intKeys = KEY_NAMES.filter((k) => definitionOf(k).type === 'integer' && !definitionOf(k).readonly && !definitionOf(k).owned) as IntegerKey[];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...intKeys), fc.integer({ min: -10, max: 3_000_000 }), async (key, n) => {
        const def = definitionOf(key);
        const inRange = n >= (def.min ?? -Infinity) && n <= (def.max ?? Infinity);
        const before = cfg.getInt(key);
        expect(await cfg.change(key, String(n))).toBe(inRange ? 'Accepted' : 'Rejected');
        expect(cfg.getInt(key)).toBe(inRange ? n : before);
      }),
    );
  });

  it('set() is for the agent: source `agent`, throws on invalid values', async () => {
    const { cfg } = await open();
    const seen: unknown[] = [];
    cfg.on('changed', (_key, _value, source) => void seen.push(source));
    await cfg.set('HeartbeatInterval', 900);
    expect(cfg.getInt('HeartbeatInterval')).toBe(900);
    expect(seen).toEqual(['agent']);
    expect(() => cfg.set('HeartbeatInterval', -5)).toThrow(RangeError);
  });
});

describe('OcppConfiguration: GetConfiguration view', () => {
  it('lists every key with readonly flags and string values when no key is asked for', async () => {
    const { cfg } = await open();
    for (const keys of [undefined, []]) {
      const { configurationKey, unknownKey } = cfg.getForCsms(keys);
      expect(configurationKey.map((k) => k.key)).toEqual(KEY_NAMES);
      expect(unknownKey).toEqual([]);
      expect(configurationKey.find((k) => k.key === 'NumberOfConnectors')).toEqual({ key: 'NumberOfConnectors', readonly: true, value: '1' });
      expect(configurationKey.find((k) => k.key === 'LocalPreAuthorize')).toEqual({ key: 'LocalPreAuthorize', readonly: false, value: 'false' });
      // Every key has a value, except the write-only AuthorizationKey (a secret).
      for (const k of configurationKey) expect(typeof k.value, k.key).toBe(k.key === 'AuthorizationKey' ? 'undefined' : 'string');
    }
  });

  it('never reports the AuthorizationKey and refuses security keys without the service that owns them', async () => {
    const { cfg } = await open();
    expect(cfg.getForCsms(['AuthorizationKey']).configurationKey).toEqual([{ key: 'AuthorizationKey', readonly: false }]);
    expect(await cfg.change('AuthorizationKey', '0123456789abcdef0123')).toBe('Rejected');
    expect(await cfg.change('SecurityProfile', '2')).toBe('Rejected');
    let stored = '';
    cfg.delegate('AuthorizationKey', { change: async (value) => ((stored = value), 'Accepted'), reported: () => undefined });
    expect(await cfg.change('authorizationkey', '0123456789abcdef0123')).toBe('Accepted');
    expect(stored).toBe('0123456789abcdef0123');
    expect(JSON.stringify(cfg.getForCsms())).not.toContain('0123456789abcdef0123');
  });

  it('answers the known keys asked for (once each) and lists the others as unknown', async () => {
    const { cfg } = await open();
    expect(cfg.getForCsms(['HeartbeatInterval', 'Nope', 'heartbeatInterval', 'Nope'])).toEqual({
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
      unknownKey: ['Nope'],
    });
  });

  it('has a valid default for every key', () => {
    for (const key of KEY_NAMES) expect(definitionOf(key).default, key).toBeDefined();
    expect(SUPPORTED_MEASURANDS).toContain('Energy.Active.Import.Register');
    expect(Object.keys(CONFIGURATION_KEYS)).toContain('WebSocketPingInterval');
  });
});

describe('OcppConfiguration: persistence', () => {
  it('keeps changed values across reopen, stores only them, and leaves no temp file', async () => {
    const file = join(dir, 'nested', 'ocpp.json');
    const first = await open({ file, initial: { MeterValueSampleInterval: 30 } });
    expect(await first.cfg.change('HeartbeatInterval', '42')).toBe('Accepted');
    expect(await first.cfg.change('AuthorizeRemoteTxRequests', 'true')).toBe('Accepted');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, values: { HeartbeatInterval: 42, AuthorizeRemoteTxRequests: true } });
    expect(await readdir(join(dir, 'nested'))).toEqual(['ocpp.json']);

    const second = await open({ file, initial: { HeartbeatInterval: 7, MeterValueSampleInterval: 30 } });
    expect(second.cfg.getInt('HeartbeatInterval')).toBe(42); // persisted beats initial
    expect(second.cfg.getBool('AuthorizeRemoteTxRequests')).toBe(true);
    expect(second.cfg.getInt('MeterValueSampleInterval')).toBe(30);
  });

  it('serializes concurrent writes and ends with the last value on disk', async () => {
    const file = join(dir, 'ocpp.json');
    const { cfg } = await open({ file });
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => cfg.change('MeterValueSampleInterval', String(i + 1))));
    expect(results.every((r) => r === 'Accepted')).toBe(true);
    await cfg.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).values.MeterValueSampleInterval).toBe(25);
    expect(await readdir(dir)).toEqual(['ocpp.json']);
  });

  it('reports a corrupt file, uses the defaults, and replaces it on the next change', async () => {
    const file = join(dir, 'ocpp.json');
    await writeFile(file, '{"version":1,"values":{"HeartbeatInterval":');
    const { cfg, errors } = await open({ file });
    expect(cfg.getInt('HeartbeatInterval')).toBe(300);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]!.msg).toMatch(/corrupt/);
    expect(await cfg.change('HeartbeatInterval', '77')).toBe('Accepted');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, values: { HeartbeatInterval: 77 } });
  });

  it.each([
    ['an array', '[1,2]'],
    ['another version', '{"version":2,"values":{}}'],
    ['null', 'null'],
  ])('treats %s as corrupt', async (_what, text) => {
    const file = join(dir, 'ocpp.json');
    await writeFile(file, text);
    const { cfg, errors } = await open({ file });
    expect(cfg.getInt('HeartbeatInterval')).toBe(300);
    expect(errors()).toHaveLength(1);
  });

  it('survives an unreadable file (here: a directory in its place)', async () => {
    const file = join(dir, 'ocpp.json');
    await mkdir(file);
    const { cfg, errors } = await open({ file });
    expect(cfg.getInt('HeartbeatInterval')).toBe(300);
    expect(errors()[0]!.msg).toMatch(/cannot read/);
    // Writing fails too: logged, the value still applies in memory.
    expect(await cfg.change('HeartbeatInterval', '10')).toBe('Accepted');
    expect(cfg.getInt('HeartbeatInterval')).toBe(10);
    expect(errors().some((e) => /could not persist/.test(e.msg))).toBe(true);
    expect(await readdir(dir)).toEqual(['ocpp.json']); // the failed write left no temp file
  });

  it('ignores persisted values that are unknown, read-only or invalid, and keeps the rest', async () => {
    const file = join(dir, 'ocpp.json');
    await writeFile(file, JSON.stringify({ version: 1, values: { HeartbeatInterval: 'x', NumberOfConnectors: 9, Gone: 1, TransactionMessageAttempts: 5 } }));
    const { cfg, warnings } = await open({ file });
    expect(cfg.getInt('HeartbeatInterval')).toBe(300);
    expect(cfg.getInt('NumberOfConnectors')).toBe(1);
    expect(cfg.getInt('TransactionMessageAttempts')).toBe(5);
    expect(warnings().map((w) => w.key).sort()).toEqual(['Gone', 'HeartbeatInterval', 'NumberOfConnectors']);
  });

  it('removes a temp file left by a crash mid-write', async () => {
    const file = join(dir, 'ocpp.json');
    await writeFile(`${file}.tmp`, '{"half');
    await writeFile(file, JSON.stringify({ version: 1, values: { TransactionMessageAttempts: 4 } }));
    const { cfg } = await open({ file });
    expect(cfg.getInt('TransactionMessageAttempts')).toBe(4);
    expect(await readdir(dir)).toEqual(['ocpp.json']);
  });

  it('writes nothing for an in-memory configuration', async () => {
    const { cfg } = await open({ file: null });
    expect(await cfg.change('HeartbeatInterval', '10')).toBe('Accepted');
    expect(await readdir(dir)).toEqual([]);
  });
});
