/**
 * `hal.serial`: the device list (buses + devices), the bench keys mapped onto the same plan, and
 * every problem named by its key path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { issuesOf } from '../../test/support/settingsIssues.js';
import { parseSettings, type Settings } from './settings.js';
import { planSerial } from './serialPlan.js';
import { MODEL_DEFAULTS, SERIAL_EXPECTED, SERIAL_SCHEMA } from './serialSettings.js';
import type { Schema } from './settingsSchema.js';

function tree(serial: Record<string, unknown>, connectors = 2): Record<string, unknown> {
  const t = YAML.parse(readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  t.chargePoint!.firmwareVersion = '1.2.3';
  t.chargePoint!.connectors = connectors;
  const hal = t.hal as { driver: string; serial: Record<string, unknown> };
  hal.driver = 'serial';
  for (const [key, value] of Object.entries(serial)) hal.serial[key] = typeof value === 'object' && !Array.isArray(value) ? { ...(hal.serial[key] as object), ...value } : value;
  return t;
}

const RS485 = { name: 'rs485', port: '/dev/ttyUSB0' };
/** Two connectors: two meters and a two-coil relay board on one bus, two OpenEVSE, one reader. */
const TWO = (): Record<string, unknown>[] => [
  { kind: 'meter', model: 'sdm630', connector: 1, bus: 'rs485', address: 1 },
  { kind: 'meter', model: 'sdm630', connector: 2, bus: 'rs485', address: 3 },
  { kind: 'relay', connector: 1, bus: 'rs485', address: 2, coil: 0, feedbackInput: 0 },
  { kind: 'relay', connector: 2, bus: 'rs485', address: 2, coil: 1, feedbackInput: 1 },
  { kind: 'pilot', connector: 1, port: '/dev/ttyACM0' },
  { kind: 'pilot', connector: 2, port: '/dev/ttyACM1', pollIntervalMs: '500' },
  { kind: 'rfid', model: 'pn532', port: '/dev/ttyUSB1' },
];
const two = (change: (devices: Record<string, unknown>[]) => void = () => undefined, buses: unknown[] = [RS485]): Record<string, unknown> => {
  const devices = TWO();
  change(devices);
  return tree({ buses, devices });
};

describe('hal.serial.devices (the device list)', () => {
  it('plans two connectors on one shared bus with every default filled in', () => {
    const settings = parseSettings(two());
    const { plan, issues } = planSerial(settings);
    expect(issues).toEqual([]);
    expect(plan.buses).toEqual([{ name: 'rs485', line: { port: '/dev/ttyUSB0', baud: 9600, parity: 'none', stopBits: 1, reopenIntervalMs: 2000, at: 'hal.serial.buses[0].port' } }]);
    expect(plan.devices.map((d) => d.id)).toEqual(['meter:1', 'meter:2', 'relay:1', 'relay:2', 'pilot:1', 'pilot:2', 'rfid:0']);
    expect(plan.devices[1]).toMatchObject({ kind: 'meter', bus: 'rs485', address: 3, timeoutMs: 500, pollIntervalMs: 1000, missedPollsForFault: 3 });
    expect(plan.devices[3]).toMatchObject({ kind: 'relay', address: 2, coil: 1, feedbackInput: 1, deadlineMs: 500, timeoutMs: 200, pollIntervalMs: 100 });
    expect(plan.devices[5]).toMatchObject({ kind: 'pilot', pollIntervalMs: 500, deadlineMs: 1000, line: { port: '/dev/ttyACM1', baud: 115200 } });
    expect(plan.devices[5]).toMatchObject({ heartbeat: { intervalMs: 5000, graceMs: 10_000, fallbackA: 6 } });
    expect(plan.devices[6]).toMatchObject({ kind: 'rfid', model: 'pn532', timeoutMs: 300, pollIntervalMs: 200, line: { baud: 115200 } });
  });

  it('takes line settings from the bus and per-device timeouts, polls and fault thresholds', () => {
    const s = parseSettings(
      two((d) => {
        Object.assign(d[0]!, { timeoutMs: 800, pollIntervalMs: 2000, missedPollsForFault: 5 });
        Object.assign(d[6]!, { model: 'rdm6300', uidFormat: 'tag', removalMs: 700, parity: 'even', stopBits: 2 });
      }, [{ ...RS485, baud: 19200, parity: 'even', stopBits: 2, timeoutMs: 300 }]),
    );
    const { plan } = planSerial(s);
    expect(plan.buses[0]!.line).toMatchObject({ baud: 19200, parity: 'even', stopBits: 2 });
    expect(plan.devices[0]).toMatchObject({ timeoutMs: 800, pollIntervalMs: 2000, missedPollsForFault: 5 });
    expect(plan.devices[1]).toMatchObject({ timeoutMs: 300 }); // the bus's
    expect(plan.devices[6]).toMatchObject({ model: 'rdm6300', uidFormat: 'tag', removalMs: 700, line: { baud: 9600, parity: 'even', stopBits: 2 } });
  });

  it('takes the reopen interval from the bus or the device (its own port), and the heartbeat settings of a pilot', () => {
    const s = parseSettings(
      two((d) => {
        Object.assign(d[4]!, { reopenIntervalMs: 500, heartbeatIntervalMs: 2000, heartbeatGraceMs: 4000, heartbeatFallbackA: 10 });
        Object.assign(d[5]!, { heartbeatIntervalMs: 0 });
        Object.assign(d[6]!, { reopenIntervalMs: 10_000 });
      }, [{ ...RS485, reopenIntervalMs: 5000 }]),
    );
    const { plan, issues } = planSerial(s);
    expect(issues).toEqual([]);
    expect(plan.buses[0]!.line.reopenIntervalMs).toBe(5000);
    expect(plan.devices[4]).toMatchObject({ line: { reopenIntervalMs: 500 }, heartbeat: { intervalMs: 2000, graceMs: 4000, fallbackA: 10 } });
    expect(plan.devices[5]).toMatchObject({ line: { reopenIntervalMs: 2000 }, heartbeat: { intervalMs: 0 } });
    expect(plan.devices[6]).toMatchObject({ line: { reopenIntervalMs: 10_000 } });
    // On a declared bus the bus has it; devices naming one port must agree.
    expect(issuesOf(two((d) => void (d[0]!.reopenIntervalMs = 1000)))).toEqual([
      { path: 'hal.serial.devices[0].reopenIntervalMs', message: 'expected no reopenIntervalMs here: the line is set on the bus (hal.serial.buses[0]), got 1000' },
    ]);
    const shared = tree({
      devices: [
        { kind: 'meter', model: 'sdm630', connector: 1, port: '/dev/ttyUSB0', reopenIntervalMs: 1000 },
        { kind: 'relay', connector: 1, port: '/dev/ttyUSB0', reopenIntervalMs: 3000 },
        { kind: 'pilot', connector: 1, port: '/dev/ttyACM0' },
      ],
    }, 1);
    expect(issuesOf(shared)).toEqual([
      { path: 'hal.serial.devices[1].reopenIntervalMs', message: 'expected 1000 like hal.serial.devices[0].reopenIntervalMs: both are on the bus /dev/ttyUSB0, got 3000' },
    ]);
  });

  it.each([
    [{ reopenIntervalMs: 50 }, 'hal.serial.devices[4].reopenIntervalMs', 'expected an integer from 100 to 600000 (ms between attempts to reopen a lost port), got 50'],
    [{ heartbeatIntervalMs: 500 }, 'hal.serial.devices[4].heartbeatIntervalMs', 'expected 0 (supervision off) or at least 1000, got 500'],
    [{ heartbeatGraceMs: 10 }, 'hal.serial.devices[4].heartbeatGraceMs', 'expected an integer from 1000 to 600000 (ms the board waits beyond one interval before it falls back), got 10'],
    [{ heartbeatFallbackA: 0 }, 'hal.serial.devices[4].heartbeatFallbackA', 'expected whole amps from 6 to 80 (the current the board falls back to without pulses), got 0'],
  ])('names a bad reopen or heartbeat setting (%#)', (change, path, message) => {
    expect(issuesOf(two((d) => void Object.assign(d[4]!, change)))).toEqual([{ path, message }]);
  });

  it('heartbeat keys belong to pilots only', () => {
    expect(issuesOf(two((d) => void (d[0]!.heartbeatIntervalMs = 5000)))).toEqual([{ path: 'hal.serial.devices[0].heartbeatIntervalMs', message: 'unknown key' }]);
  });

  it('a Modbus device may name a port instead of a bus: devices naming one port share it', () => {
    const { plan, issues } = planSerial(
      parseSettings(
        tree({
          devices: [
            { kind: 'meter', model: 'sdm120', connector: 1, port: '/dev/ttyUSB0', address: 1 },
            { kind: 'relay', connector: 1, port: '/dev/ttyUSB0' },
            { kind: 'pilot', connector: 1, port: '/dev/ttyACM0' },
          ],
        }, 1),
      ),
    );
    expect(issues).toEqual([]);
    // The relay board follows the meter's factory rate on a shared line.
    expect(plan.buses).toEqual([{ name: '/dev/ttyUSB0', line: { port: '/dev/ttyUSB0', baud: 2400, parity: 'none', stopBits: 1, reopenIntervalMs: 2000, at: 'hal.serial.devices[0].port' } }]);
  });

  it.each([
    [(d: Record<string, unknown>[]) => void (d[1]!.address = 300), 'hal.serial.devices[1].address', 'expected a Modbus address from 1 to 247, got 300'],
    [(d: Record<string, unknown>[]) => void (d[1]!.kind = 'metre'), 'hal.serial.devices[1].kind', 'expected a device kind: meter, relay, pilot, rfid, tamper, got "metre"'],
    [(d: Record<string, unknown>[]) => void delete d[1]!.kind, 'hal.serial.devices[1].kind', 'expected a device kind: meter, relay, pilot, rfid, tamper, but it is not set'],
    [(d: Record<string, unknown>[]) => void (d[0]!.model = 'sdm72'), 'hal.serial.devices[0].model', 'expected a model of the device\'s kind: meter sdm630|sdm120, relay modbus-relay, pilot openevse, rfid pn532|rdm6300, got "sdm72"'],
    [(d: Record<string, unknown>[]) => void (d[4]!.address = 5), 'hal.serial.devices[4].address', 'unknown key'],
    [(d: Record<string, unknown>[]) => void (d[4]!.parity = 'mark'), 'hal.serial.devices[4].parity', 'expected a parity: none, even, odd, got "mark"'],
    [(d: Record<string, unknown>[]) => void (d[5]!.pollIntervalMs = 'often'), 'hal.serial.devices[5].pollIntervalMs', 'expected an integer from 10 to 60000 (ms between polls), got "often"'],
    [(d: Record<string, unknown>[]) => void (d[2]!.missedPollsForFault = 0), 'hal.serial.devices[2].missedPollsForFault', 'expected an integer from 1 to 100 (unanswered polls in a row that raise a fault), got 0'],
  ])('names the key of a bad value (%#)', (change, path, message) => {
    expect(issuesOf(two(change))).toEqual([{ path, message }]);
  });

  it('detects two meters for one connector, one address twice on a bus, one coil twice on a board', () => {
    expect(issuesOf(two((d) => void (d[1]!.connector = 1)))).toEqual([
      { path: 'hal.serial.devices', message: 'expected a meter for connector 2 (kind: meter, connector: 2), but none is listed' },
      { path: 'hal.serial.devices[1].connector', message: 'expected one meter per connector: connector 1 already has hal.serial.devices[0], got 1' },
    ]);
    expect(issuesOf(two((d) => void (d[1]!.address = 1)))).toEqual([
      { path: 'hal.serial.devices[1].address', message: 'expected an address not used by hal.serial.devices[0] on the bus rs485 (only the coils of one relay board share an address), got 1' },
    ]);
    expect(issuesOf(two((d) => void (d[3]!.coil = 0)))).toEqual([
      { path: 'hal.serial.devices[3].coil', message: "expected a coil other than hal.serial.devices[2]'s: both are on the relay board at address 2 of the bus rs485, got 0" },
    ]);
  });

  it('detects a connector without a meter, a pilot or a contactor, and devices beyond chargePoint.connectors', () => {
    const issues = issuesOf(two((d) => d.splice(0, 6, ...d.slice(0, 6).filter((x) => x.connector === 1))));
    expect(issues).toEqual([
      { path: 'hal.serial.devices', message: 'expected a meter for connector 2 (kind: meter, connector: 2), but none is listed' },
      { path: 'hal.serial.devices', message: 'expected a pilot for connector 2 (kind: pilot, connector: 2), but none is listed' },
      { path: 'hal.serial.devices', message: 'expected a contactor for connector 2: a relay (kind: relay) or a pilot whose controller switches one (openevse), but none is listed' },
    ]);
    expect(issuesOf(tree({ buses: [RS485], devices: TWO() }, 1)).filter((i) => i.path.endsWith('connector'))).toEqual([
      { path: 'hal.serial.devices[1].connector', message: 'expected a connector from 1 to 1 (chargePoint.connectors), got 2' },
      { path: 'hal.serial.devices[3].connector', message: 'expected a connector from 1 to 1 (chargePoint.connectors), got 2' },
      { path: 'hal.serial.devices[5].connector', message: 'expected a connector from 1 to 1 (chargePoint.connectors), got 2' },
    ]);
  });

  it('checks buses and ports: unknown or unused bus, a port used twice, bus and port together, line settings of a bus device', () => {
    expect(issuesOf(two((d) => void (d[1]!.bus = 'rs458')))).toContainEqual({ path: 'hal.serial.devices[1].bus', message: 'expected the name of a bus in hal.serial.buses (rs485), got "rs458"' });
    expect(issuesOf(two(undefined, [RS485, { name: 'spare', port: '/dev/ttyUSB3' }]))).toEqual([
      { path: 'hal.serial.buses[1]', message: 'expected a device on this bus (one with bus: "spare"), but none is listed' },
    ]);
    expect(issuesOf(two((d) => void (d[6]!.port = '/dev/ttyUSB0')))).toEqual([
      { path: 'hal.serial.devices[6].port', message: 'expected a port of its own: it is already used by hal.serial.buses[0] (only Modbus devices share a port, as one bus), got "/dev/ttyUSB0"' },
    ]);
    expect(issuesOf(two((d) => void (d[0]!.port = '/dev/ttyUSB9')))).toEqual([{ path: 'hal.serial.devices[0].port', message: 'expected either bus or port, not both, got "/dev/ttyUSB9"' }]);
    expect(issuesOf(two((d) => void delete d[0]!.bus))).toEqual([
      { path: 'hal.serial.devices[0].bus', message: 'expected bus: <a name from hal.serial.buses> or port: <serial port path>, but neither is set' },
    ]);
    expect(issuesOf(two((d) => void (d[0]!.baud = 19200)))).toEqual([
      { path: 'hal.serial.devices[0].baud', message: 'expected no baud here: the line is set on the bus (hal.serial.buses[0]), got 19200' },
    ]);
    expect(issuesOf(two((d) => void Object.assign(d[0]!, { bus: undefined, port: '/dev/ttyUSB0' })))).toContainEqual({
      path: 'hal.serial.devices[0].port',
      message: 'expected bus: "rs485" (this port is declared as hal.serial.buses[0]), got "/dev/ttyUSB0"',
    });
  });

  it('needs a bus baud when its meters have different factory rates', () => {
    expect(issuesOf(two((d) => void (d[1]!.model = 'sdm120')))).toEqual([
      { path: 'hal.serial.buses[0].baud', message: "expected the bus's baud rate: the factory rates of its meters differ (sdm630 9600, sdm120 2400), but it is not set" },
    ]);
    expect(planSerial(parseSettings(two((d) => void (d[1]!.model = 'sdm120'), [{ ...RS485, baud: 9600 }]))).issues).toEqual([]);
  });

  it('rejects keys a model has no use for, and a relay polled no faster than its deadline', () => {
    expect(issuesOf(two((d) => void (d[6]!.removalMs = 300)))).toEqual([
      { path: 'hal.serial.devices[6].removalMs', message: 'unknown key for model pn532 (a PN532 is polled: a card is removed when a poll no longer sees it)' },
    ]);
    expect(issuesOf(two((d) => void Object.assign(d[6]!, { model: 'rdm6300', pollIntervalMs: 100 })))).toEqual([
      { path: 'hal.serial.devices[6].pollIntervalMs', message: 'unknown key for model rdm6300 (an RDM6300 only sends, it is not polled)' },
    ]);
    expect(issuesOf(two((d) => void Object.assign(d[2]!, { pollIntervalMs: 500, deadlineMs: 500 })))).toEqual([
      { path: 'hal.serial.devices[2].pollIntervalMs', message: 'expected less than deadlineMs (500): the mirror contact is polled to confirm within it, got 500' },
    ]);
    const bench = tree({ pilot: { port: '/dev/ttyACM0' }, meter: { port: '/dev/ttyUSB0' }, relay: { port: '/dev/ttyUSB0', deadlineMs: 80 } }, 1);
    expect(issuesOf(bench)).toEqual([{ path: 'hal.serial.relay.deadlineMs', message: "expected more than the mirror contact's poll interval (100 ms), got 80" }]);
  });

  it('refuses bench ports (EVSE_*_PORT) beside a device list', () => {
    const t = two() as { hal: { serial: { pilot: { port: string } } } };
    t.hal.serial.pilot.port = '/dev/ttyACM0';
    expect(issuesOf(t)).toEqual([
      { path: 'hal.serial.pilot.port', message: 'expected empty when hal.serial.devices lists the devices (the single-connector keys and EVSE_*_PORT variables are for setups without a list), got "/dev/ttyACM0"' },
    ]);
  });

  it('plans a tamper switch on a spare input of the relay board, with an alarm coil; refuses an input or coil the board already uses, a second switch', () => {
    const withTamper = (extra: Record<string, unknown>[]) => two((d) => void d.push(...extra));
    const { plan, issues } = planSerial(parseSettings(withTamper([{ kind: 'tamper', bus: 'rs485', address: 2, input: 3, alarmCoil: 3 }])));
    expect(issues).toEqual([]);
    expect(plan.devices.at(-1)).toEqual({ kind: 'tamper', id: 'tamper:0', bus: 'rs485', address: 2, input: 3, activeWhen: 'off', alarmCoil: 3, at: 'hal.serial.devices[7]', timeoutMs: 200, pollIntervalMs: 200, missedPollsForFault: 3 });
    expect(issuesOf(withTamper([{ kind: 'tamper', bus: 'rs485', address: 2, input: 1, alarmCoil: 0 }]))).toEqual([
      { path: 'hal.serial.devices[7].input', message: 'expected an input hal.serial.devices[3] does not use: both are on the relay board at address 2 of the bus rs485, got 1' },
      { path: 'hal.serial.devices[7].alarmCoil', message: 'expected a coil hal.serial.devices[2] does not use: both are on the relay board at address 2 of the bus rs485, got 0' },
    ]);
    expect(issuesOf(withTamper([{ kind: 'tamper', bus: 'rs485', address: 1, input: 3 }]))).toEqual([
      { path: 'hal.serial.devices[7].address', message: 'expected an address not used by hal.serial.devices[0] on the bus rs485 (only the coils of one relay board share an address), got 1' },
    ]);
    expect(issuesOf(withTamper([{ kind: 'tamper', bus: 'rs485', input: 3 }, { kind: 'tamper', bus: 'rs485', input: 4 }]))).toEqual([
      { path: 'hal.serial.devices[8].kind', message: 'expected one tamper switch per charger: hal.serial.devices[7] is one already' },
    ]);
    expect(issuesOf(withTamper([{ kind: 'tamper', bus: 'rs485', input: 3, activeWhen: 'sometimes' }]))).toEqual([
      { path: 'hal.serial.devices[7].activeWhen', message: 'expected "off" (default: a normally closed switch, the input is on while shut) or "on", got "sometimes"' },
    ]);
  });

  it('words every key of the device list', () => {
    const schemas = [SERIAL_SCHEMA.properties!.buses!.items!, ...SERIAL_SCHEMA.properties!.devices!.items!.oneOf!];
    const keys = schemas.flatMap((s: Schema, i) => Object.keys(s.properties!).map((k) => `hal.serial.${i === 0 ? 'buses' : 'devices'}[].${k}`));
    expect(keys.filter((k) => !(k in SERIAL_EXPECTED))).toEqual([]);
  });
});

describe('the bench keys (EVSE_*_PORT) map onto the same plan', () => {
  it('pilot, meter and relay board on the meter bus, reader: one bus, connector 1', () => {
    const t = tree({ pilot: { port: '/dev/ttyACM0' }, meter: { port: '/dev/ttyUSB0', model: 'sdm120' }, relay: { port: '/dev/ttyUSB0' }, rfid: { port: '/dev/ttyS1', model: 'rdm6300' } }, 1);
    const { plan, issues } = planSerial(parseSettings(t) as Settings);
    expect(issues).toEqual([]);
    expect(plan.buses).toEqual([{ name: '/dev/ttyUSB0', line: { port: '/dev/ttyUSB0', baud: 2400, parity: 'none', stopBits: 1, reopenIntervalMs: 2000, at: 'hal.serial.meter.port' } }]);
    expect(plan.devices).toEqual([
      expect.objectContaining({ kind: 'pilot', id: 'pilot:1', connector: 1, pollIntervalMs: 1000, line: expect.objectContaining({ port: '/dev/ttyACM0', baud: 115200 }) }),
      expect.objectContaining({ kind: 'meter', id: 'meter:1', model: 'sdm120', address: 1, bus: '/dev/ttyUSB0' }),
      expect.objectContaining({ kind: 'relay', id: 'relay:1', address: 2, coil: 0, feedbackInput: 0, deadlineMs: 500 }),
      expect.objectContaining({ kind: 'rfid', id: 'rfid:0', model: 'rdm6300', uidFormat: 'em4100', line: expect.objectContaining({ port: '/dev/ttyS1', baud: 9600 }) }),
    ]);
  });

  it('MODEL_DEFAULTS is the table in docs/hardware.md', () => {
    const doc = readFileSync(new URL('../../docs/hardware.md', import.meta.url), 'utf8');
    for (const [model, d] of Object.entries(MODEL_DEFAULTS)) {
      const cells = [model, d.baud, d.timeoutMs || '—', d.pollIntervalMs || '—', d.missedPollsForFault || '—'].map(String);
      expect(doc).toContain(`| \`${cells[0]}\` | ${cells.slice(1).join(' | ')} |`);
      if (d.heartbeat) expect(doc).toContain(`| \`${model}\` | ${d.heartbeat.intervalMs} | ${d.heartbeat.graceMs} | ${d.heartbeat.fallbackA} |`);
    }
  });
});
