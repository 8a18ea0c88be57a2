/**
 * `evse run` on serial hardware with a cabinet door switch (device list `kind: tamper`): an SDM630
 * and a relay board on one RS-485 bus (socat pty pair, Modbus slave simulator), the door switch on
 * input 2 and the warning light on coil 3 of the board, an OpenEVSE; the embedded strict CSMS.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { systemClock } from '../hal/clock.js';
import { ModbusSlaveSim } from '../hal/serial/deviceSims/ModbusSlaveSim.js';
import { RapiResponder } from '../hal/serial/deviceSims/RapiResponder.js';
import { SdmMeterSim } from '../hal/serial/deviceSims/SdmMeterSim.js';
import { DoorSwitchBoardSim } from '../hal/serial/testing/SerialTamperHarness.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { serialRig, until } from './support/serialRig.js';

const { cleanups, pty, tempDir, evse: runEvse, release } = serialRig('evse-serial-tamper-');
afterEach(release);

describe('evse run with a tamper switch on the relay board', () => {
  it('an opened cabinet faults the connector and lights the alarm until the CSMS sets MaintenanceMode', async () => {
    const [busPty, pilotPty] = await Promise.all([pty(), pty()]);
    const slave = new ModbusSlaveSim(busPty.devicePath, 9600);
    const board = new DoorSwitchBoardSim();
    slave.units.set(1, new SdmMeterSim('sdm630', systemClock, 1000));
    slave.units.set(4, board);
    const responder = new RapiResponder(pilotPty.devicePath);
    await Promise.all([slave.open(), responder.open()]);
    cleanups.push(() => slave.close(), () => responder.close());
    const csms = new EmbeddedCsms();
    await csms.start();
    cleanups.push(() => csms.stop());
    const configDir = await tempDir();
    await writeFile(
      join(configDir, 'local.yaml'),
      YAML.stringify({
        chargePoint: { connectors: 1 },
        hal: {
          driver: 'serial',
          serial: {
            buses: [{ name: 'rs485', port: busPty.driverPath, baud: 9600 }],
            devices: [
              { kind: 'meter', model: 'sdm630', connector: 1, bus: 'rs485', address: 1 },
              { kind: 'pilot', model: 'openevse', connector: 1, port: pilotPty.driverPath },
              { kind: 'tamper', bus: 'rs485', address: 4, input: 2, alarmCoil: 3 },
            ],
          },
        },
      }),
    );
    const cp = 'SERIAL-TAMPER';
    const evse = runEvse({ NODE_CONFIG_DIR: configDir, EVSE_LOG_LEVEL: 'warn', EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: await tempDir() });
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Available' }, 20_000);

    board.doorShut = false;
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'OtherError' }, 10_000);
    await until('the alarm coil to be switched on', () => board.coilStates[3] === true);

    board.doorShut = true;
    const since = csms.mark();
    expect(await csms.call(cp, 'ChangeConfiguration', { key: 'MaintenanceMode', value: 'true' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Available' }, { timeoutMs: 10_000, since });
    await until('the alarm coil to be switched off', () => board.coilStates[3] === false);
    expect(csms.violations(cp)).toEqual([]);
    expect((await evse.stop('SIGTERM')).code).toBe(0);
  }, 60_000);
});
