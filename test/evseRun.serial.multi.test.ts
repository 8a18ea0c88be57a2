/**
 * `evse run` with the device list of config/examples/serial-two-connectors.yaml (ports swapped
 * for socat pty pairs, the file given through NODE_CONFIG_DIR as local.yaml), against the
 * embedded strict CSMS: two meters (SDM630 at 1, SDM120 at 3) and a two-coil relay board (at 2)
 * on one RS-485 bus, an OpenEVSE per connector, one RDM6300 for both. A session on each
 * connector; each connector's MeterValues and StopTransaction carry its own meter's numbers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { systemClock } from '../hal/clock.js';
import { ModbusSlaveSim } from '../hal/serial/deviceSims/ModbusSlaveSim.js';
import { RapiResponder } from '../hal/serial/deviceSims/RapiResponder.js';
import { Rdm6300Emitter } from '../hal/serial/deviceSims/Rdm6300Emitter.js';
import { RelayBoardSim } from '../hal/serial/deviceSims/RelayBoardSim.js';
import { SdmMeterSim } from '../hal/serial/deviceSims/SdmMeterSim.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { spawnEvse } from './support/spawnEvse.js';
import { energyRegisterWh, serialRig, until } from './support/serialRig.js';

const { cleanups, pty, tempDir, evse: runEvse, release } = serialRig('evse-serial-multi-');
afterEach(release);

/** config/examples/serial-two-connectors.yaml with its device paths replaced. */
async function exampleConfig(ports: Record<string, string>): Promise<string> {
  let text = await readFile(new URL('../config/examples/serial-two-connectors.yaml', import.meta.url), 'utf8');
  for (const [example, real] of Object.entries(ports)) text = text.replaceAll(example, real);
  const dir = await tempDir();
  await writeFile(join(dir, 'local.yaml'), text);
  return dir;
}

describe('evse run with a device list (two connectors)', () => {
  it('a session on each connector: Authorize, StartTransaction, coil on, MeterValues from that connector\'s meter, StopTransaction', async () => {
    const [busPty, pilot1Pty, pilot2Pty, rfidPty] = await Promise.all([pty(), pty(), pty(), pty()]);
    const slave = new ModbusSlaveSim(busPty.devicePath, 9600);
    const meters = { 1: new SdmMeterSim('sdm630', systemClock, 1000), 2: new SdmMeterSim('sdm120', systemClock, 5000) } as const;
    const board = new RelayBoardSim(systemClock, { channels: 2 });
    slave.units.set(1, meters[1]);
    slave.units.set(3, meters[2]);
    slave.units.set(2, board);
    const responders = { 1: new RapiResponder(pilot1Pty.devicePath), 2: new RapiResponder(pilot2Pty.devicePath) } as const;
    const reader = new Rdm6300Emitter(rfidPty.devicePath);
    await Promise.all([slave.open(), responders[1].open(), responders[2].open(), reader.open()]);
    cleanups.push(() => slave.close(), () => responders[1].close(), () => responders[2].close(), () => reader.close());
    const csms = new EmbeddedCsms();
    await csms.start();
    cleanups.push(() => csms.stop());

    const configDir = await exampleConfig({ '/dev/ttyUSB0': busPty.driverPath, '/dev/ttyACM0': pilot1Pty.driverPath, '/dev/ttyACM1': pilot2Pty.driverPath, '/dev/ttyS1': rfidPty.driverPath });
    expect(YAML.parse(await readFile(join(configDir, 'local.yaml'), 'utf8'))).toMatchObject({ hal: { serial: { buses: [{ port: busPty.driverPath }] } } });
    const cp = 'SERIAL-MULTI';
    const evse = runEvse({ NODE_CONFIG_DIR: configDir, EVSE_LOG_LEVEL: 'warn', EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: await tempDir() });
    for (const connectorId of [1, 2]) await csms.waitForCall(cp, 'StatusNotification', { connectorId, status: 'Available' }, 20_000);
    await csms.call(cp, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });

    const cards = { 1: '0F0019F9D8', 2: '0A1B2C3D4E' } as const;
    const powers = { 1: 11_040, 2: 3_680 } as const;
    const started: Record<number, { transactionId: number; meterStart: number }> = {};
    for (const connectorId of [1, 2] as const) {
      await responders[connectorId].setVehicle('B');
      await csms.waitForCall(cp, 'StatusNotification', { connectorId, status: 'Preparing' }, 10_000);
      await reader.sendCard(cards[connectorId]); // the connector with a cable waiting gets the session
      await csms.waitForCall(cp, 'Authorize', { idTag: cards[connectorId] }, 10_000);
      const start = await csms.waitForCall(cp, 'StartTransaction', { connectorId, idTag: cards[connectorId] }, 10_000);
      expect(start.payload.meterStart).toBe(Math.floor(energyRegisterWh(meters[connectorId])));
      await until(`the CSMS to record transaction ${connectorId}`, () => csms.transactions(cp).length === connectorId);
      const transactionId = csms.transactions(cp).find((t) => t.connectorId === connectorId)!.transactionId;
      started[connectorId] = { transactionId, meterStart: start.payload.meterStart };
      await responders[connectorId].setVehicle('C');
      await until(`coil ${connectorId - 1} to close connector ${connectorId}'s contactor`, () => board.contacts[connectorId - 1] === true);
      await csms.waitForCall(cp, 'StatusNotification', { connectorId, status: 'Charging' }, 10_000);
      meters[connectorId].setPower(powers[connectorId], connectorId === 1 ? 3 : 1);
    }
    expect(board.contacts).toEqual([true, true]);
    // Each board's LCD shows its own connector charging, in German spelled for the LCD (docs/display.md).
    for (const connectorId of [1, 2] as const) {
      const lcd = responders[connectorId].lcd;
      await until(`connector ${connectorId}'s LCD to show charging`, () => lcd.backlight === 6 && /kWh?\b/.test(lcd.rows.join(' ')), 15_000);
      expect(lcd.ownScreen).toBe(false);
    }

    // Both charge at once; wait for each connector's energy to rise in its MeterValues.
    const isEnergy = (s: { measurand?: string }): boolean => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register';
    for (const connectorId of [1, 2] as const) {
      const { transactionId, meterStart } = started[connectorId]!;
      await csms.waitForCall(
        cp,
        'MeterValues',
        (mv) => mv.connectorId === connectorId && mv.transactionId === transactionId && mv.meterValue.some((v) => v.sampledValue.some((s) => isEnergy(s) && Number(s.value) > meterStart + 1)),
        20_000,
      );
    }
    // Every MeterValues of a transaction shows its own meter's power and energy range.
    const meterValues = csms.traffic((r) => r.chargePointId === cp && r.kind === 'call' && r.action === 'MeterValues');
    for (const connectorId of [1, 2] as const) {
      const { transactionId, meterStart } = started[connectorId]!;
      const mine = meterValues
        .map((r) => r.payload as { connectorId: number; transactionId?: number; meterValue: { sampledValue: { value: string; measurand?: string }[] }[] })
        .filter((mv) => mv.transactionId === transactionId);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((mv) => mv.connectorId === connectorId)).toBe(true);
      const samples = mine.flatMap((mv) => mv.meterValue.flatMap((v) => v.sampledValue));
      const power = samples.filter((s) => s.measurand === 'Power.Active.Import').map((s) => Number(s.value));
      expect(power.at(-1)).toBeCloseTo(powers[connectorId], -1);
      const energy = samples.filter(isEnergy).map((s) => Number(s.value));
      expect(Math.min(...energy)).toBeGreaterThanOrEqual(meterStart);
      expect(Math.max(...energy)).toBeLessThanOrEqual(Math.round(energyRegisterWh(meters[connectorId])));
    }

    for (const connectorId of [1, 2] as const) {
      meters[connectorId].setPower(0);
      const finalWh = energyRegisterWh(meters[connectorId]);
      await sleep(2500); // at least one more poll of each meter (the SDM120 every 2 s) reads the final register
      await responders[connectorId].setVehicle('A');
      const stop = await csms.waitForCall(cp, 'StopTransaction', { transactionId: started[connectorId]!.transactionId }, 10_000);
      expect(stop.payload.meterStop).toBe(Math.floor(finalWh));
      await until(`coil ${connectorId - 1} to open`, () => board.contacts[connectorId - 1] === false);
    }
    expect(csms.violations(cp)).toEqual([]);
    expect((await evse.stop('SIGTERM')).code).toBe(0);
  }, 90_000);

  it('a missing port, a wrong address, two pilots for one connector: exit 78 naming hal.serial.buses[0] and hal.serial.devices[i]', async () => {
    const [pilot1Pty, pilot2Pty, rfidPty] = await Promise.all([pty(), pty(), pty()]);
    const configDir = await exampleConfig({ '/dev/ttyUSB0': '/dev/ttyUSB-not-there', '/dev/ttyACM0': pilot1Pty.driverPath, '/dev/ttyACM1': pilot2Pty.driverPath, '/dev/ttyS1': rfidPty.driverPath });
    const evse = runEvse({ NODE_CONFIG_DIR: configDir, EVSE_DATA_DIR: await tempDir() });
    expect(await evse.exited).toBe(78);
    expect(evse.stderr()).toContain('evse: invalid configuration: hal.serial.buses[0].port: expected an existing serial port, got "/dev/ttyUSB-not-there" (no such file)');

    const original = await readFile(join(configDir, 'local.yaml'), 'utf8');
    const run = async (text: string): Promise<string[]> => {
      await writeFile(join(configDir, 'local.yaml'), text.replace('/dev/ttyUSB-not-there', pilot1Pty.devicePath));
      const p = spawnEvse(['run'], { NODE_CONFIG_DIR: configDir, EVSE_DATA_DIR: await tempDir() });
      expect(await p.exited).toBe(78);
      return p.stderr().trim().split('\n');
    };
    expect(await run(original.replace('bus: rs485, address: 3', 'bus: rs485, address: 300'))).toEqual([
      'evse: invalid configuration: hal.serial.devices[1].address: expected a Modbus address from 1 to 247, got 300',
    ]);
    expect(await run(original.replace('connector: 2, port', 'connector: 1, port'))).toEqual([
      'evse: invalid configuration: hal.serial.devices: expected a pilot for connector 2 (kind: pilot, connector: 2), but none is listed',
      'evse: invalid configuration: hal.serial.devices[5].connector: expected one pilot per connector: connector 1 already has hal.serial.devices[4], got 1',
    ]);
  });
});
