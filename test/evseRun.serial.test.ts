/**
 * `evse run` with `EVSE_HAL=serial` as a process, on socat pty pairs with device simulators on
 * the far ends (an OpenEVSE controller answering RAPI, an SDM630 Modbus slave, an RDM6300
 * emitter), against the embedded strict CSMS: a whole session driven from the devices' side.
 * The simulators run on the wall clock, like the agent: energy rises in real time while the
 * test has the "EV" draw power.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../hal/clock.js';
import { ModbusSlaveSim } from '../hal/serial/deviceSims/ModbusSlaveSim.js';
import type { PtyPair } from '../hal/serial/deviceSims/PtyPair.js';
import { RapiResponder } from '../hal/serial/deviceSims/RapiResponder.js';
import { Rdm6300Emitter } from '../hal/serial/deviceSims/Rdm6300Emitter.js';
import { RelayBoardSim } from '../hal/serial/deviceSims/RelayBoardSim.js';
import { SdmMeterSim } from '../hal/serial/deviceSims/SdmMeterSim.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import type { EvseProcess } from './support/spawnEvse.js';
import { energyRegisterWh, serialRig, until } from './support/serialRig.js';

const CARD = '0F0019F9D8';
// Last in, first out: the agent before the simulators, the simulators before their socat.
const { cleanups, pty, tempDir: dataDir, evse, release } = serialRig('evse-serial-');
afterEach(release);

const startEvse = (env: Record<string, string>): EvseProcess => evse({ EVSE_LOG_LEVEL: 'warn', EVSE_HAL: 'serial', ...env });

interface Bench {
  cp: string;
  csms: EmbeddedCsms;
  responder: RapiResponder;
  meter: SdmMeterSim;
  board: RelayBoardSim | undefined;
  reader: Rdm6300Emitter;
  evse: EvseProcess;
  /** The RS-485 adapter (meter, relay board) and the Modbus slave behind it. */
  busPty: PtyPair;
  slave: ModbusSlaveSim;
}

/**
 * Three pty pairs (OpenEVSE, RS-485 bus, RDM6300) with their simulators, the CSMS, and `evse run`
 * configured by the bench variables only. With `relayBoard`, a Modbus relay board (address 2)
 * shares the meter's bus and is the contactor.
 */
async function startBench(cp: string, { relayBoard = false } = {}): Promise<Bench> {
  const [pilotPty, busPty, rfidPty] = await Promise.all([pty(), pty(), pty()]);
  const responder = new RapiResponder(pilotPty.devicePath);
  const meter = new SdmMeterSim('sdm630', systemClock, 1234.5);
  const slave = new ModbusSlaveSim(busPty.devicePath, 9600);
  slave.units.set(1, meter);
  const board = relayBoard ? new RelayBoardSim(systemClock) : undefined;
  if (board) slave.units.set(2, board);
  const reader = new Rdm6300Emitter(rfidPty.devicePath);
  await Promise.all([responder.open(), slave.open(), reader.open()]);
  cleanups.push(() => responder.close(), () => slave.close(), () => reader.close());
  const csms = new EmbeddedCsms();
  await csms.start();
  cleanups.push(() => csms.stop());
  const evse = startEvse({
    EVSE_CSMS_URL: csms.url,
    EVSE_CHARGE_POINT_ID: cp,
    EVSE_DATA_DIR: await dataDir(),
    EVSE_PILOT_PORT: pilotPty.driverPath,
    EVSE_METER_PORT: busPty.driverPath,
    EVSE_METER_MODEL: 'sdm630',
    EVSE_RFID_PORT: rfidPty.driverPath,
    EVSE_RFID_MODEL: 'rdm6300',
    ...(relayBoard && { EVSE_RELAY_PORT: busPty.driverPath }),
  });
  await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Available' }, 20_000);
  await csms.call(cp, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
  // The board was put to sleep at start ($FS) and the meter is polled over the bus.
  await until('the agent to poll the meter and the pilot', () => slave.stats.replies > 0 && responder.received.some((l) => l.startsWith('$FS')));
  return { cp, csms, responder, meter, board, reader, evse, busPty, slave };
}

/** Plug in, tap, charge until MeterValues show energy, unplug; checks the numbers against the meter slave. */
async function chargeOneSession({ cp, csms, responder, meter, reader }: Bench, contactorClosed: () => boolean): Promise<void> {
  await responder.setVehicle('B');
  await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Preparing' }, 10_000);
  await reader.sendCard(CARD);
  await csms.waitForCall(cp, 'Authorize', { idTag: CARD }, 10_000);
  const start = await csms.waitForCall(cp, 'StartTransaction', { connectorId: 1, idTag: CARD }, 10_000);
  expect(start.payload.meterStart).toBe(Math.floor(energyRegisterWh(meter))); // the agent reports whole Wh, truncated
  await until('the CSMS to record the transaction', () => csms.transactions(cp).length === 1);
  const transactionId = csms.transactions(cp)[0]!.transactionId;

  await responder.setVehicle('C');
  await until('the contactor to be closed', contactorClosed);
  await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Charging' }, 10_000);
  meter.setPower(22_080, 3); // 32 A on three phases: ~6 Wh a second
  const isEnergy = (s: { measurand?: string }): boolean => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register';
  const rising = await csms.waitForCall(
    cp,
    'MeterValues',
    (mv) => mv.transactionId === transactionId && mv.meterValue.some((v) => v.sampledValue.some((s) => isEnergy(s) && Number(s.value) > start.payload.meterStart + 3)),
    15_000,
  );
  const sampled = rising.payload.meterValue.flatMap((v) => v.sampledValue);
  expect(Number(sampled.find((s) => s.measurand === 'Power.Active.Import')?.value)).toBeCloseTo(22_080, -1);
  // A sample is the register as read then (rounded to whole Wh), so never above the register now.
  expect(Number(sampled.find(isEnergy)?.value)).toBeLessThanOrEqual(Math.round(energyRegisterWh(meter)));

  meter.setPower(0);
  const finalWh = energyRegisterWh(meter);
  await sleep(1500); // at least one more poll reads the final register
  await responder.setVehicle('A');
  const stop = await csms.waitForCall(cp, 'StopTransaction', { transactionId }, 10_000);
  expect(stop.payload.meterStop).toBe(Math.floor(finalWh));
  expect(stop.payload.meterStop).toBeGreaterThan(start.payload.meterStart);
  expect(csms.violations(cp)).toEqual([]);
}

describe('evse run with EVSE_HAL=serial', () => {
  it('OpenEVSE pilot+contactor: card → Authorize → StartTransaction → $FE → MeterValues from the meter slave → unplug → StopTransaction', async () => {
    const bench = await startBench('SERIAL-CP');
    await chargeOneSession(bench, () => bench.responder.received.some((l) => l.startsWith('$FE')));
    const { code } = await bench.evse.stop('SIGTERM');
    expect(code).toBe(0);
  }, 60_000);

  it('Modbus relay board on the meter bus (EVSE_RELAY_PORT = EVSE_METER_PORT): the coil is written on, then off after unplug', async () => {
    const bench = await startBench('RELAY-CP', { relayBoard: true });
    const board = bench.board!;
    await chargeOneSession(bench, () => board.contacts[0] === true);
    expect(board.writes.find(([, on]) => on)).toEqual([0, true]);
    const firstOn = board.writes.findIndex(([, on]) => on); // the start-up write (off) comes before it
    await until('the coil to be written off and the contactor to open', () => board.writes.some(([coil, on], i) => i > firstOn && coil === 0 && !on) && board.contacts[0] === false);
    const { code } = await bench.evse.stop('SIGTERM');
    expect(code).toBe(0);
  }, 60_000);

  it('the meter bus adapter pulled mid-charge: Faulted/OtherError and the contactor opened; plugged back: NoError and charging resumes, same process', async () => {
    const { cp, csms, responder, meter, reader, evse, busPty, slave } = await startBench('LOSS-CP');
    await responder.setVehicle('B');
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Preparing' }, 10_000);
    await reader.sendCard(CARD);
    const start = await csms.waitForCall(cp, 'StartTransaction', { connectorId: 1, idTag: CARD }, 10_000);
    await responder.setVehicle('C');
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Charging' }, 10_000);
    meter.setPower(22_080, 3);
    const sleeps = (): number => responder.received.filter((l) => l.startsWith('$FS')).length;
    const before = { mark: csms.mark(), sleeps: sleeps() };

    await slave.close();
    await busPty.unplug();
    const faulted = await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'OtherError' }, { timeoutMs: 10_000, since: before.mark });
    expect(faulted.payload.info).toMatch(/^meter:1: serial port closed or vanished/);
    // Fail safe: the OpenEVSE is put to sleep (relay open, PWM off) while the meter cannot be read.
    await until('the contactor to be opened ($FS)', () => sleeps() > before.sleeps);

    const sentBeforeReplug = responder.received.length;
    await busPty.replug();
    await slave.open();
    const back = csms.mark();
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError' }, { timeoutMs: 15_000, since: before.mark });
    const transactionId = csms.transactions(cp)[0]!.transactionId;
    const resumed = await csms.waitForCall(
      cp,
      'MeterValues',
      (mv) => mv.transactionId === transactionId && mv.meterValue.some((v) => v.sampledValue.some((s) => s.measurand === 'Power.Active.Import' && Number(s.value) > 20_000)),
      { timeoutMs: 15_000, since: back },
    );
    expect(resumed.payload.connectorId).toBe(1);
    expect(responder.received.slice(sentBeforeReplug).some((l) => l.startsWith('$FE'))).toBe(true); // power allowed again
    await responder.setVehicle('A');
    const stop = await csms.waitForCall(cp, 'StopTransaction', { transactionId }, 10_000);
    expect(stop.payload.meterStop).toBeGreaterThan(start.payload.meterStart);
    expect(csms.violations(cp)).toEqual([]);
    expect((await evse.stop('SIGTERM')).code).toBe(0);
  }, 60_000);

  it('unplug while a $GS answer is on the wire (both in one write): the connector goes Preparing → Available, never back to Preparing (5 rounds)', async () => {
    const { cp, csms, responder, evse } = await startBench('FLICKER-CP');
    const statuses = (since: number): string[] =>
      csms
        .traffic((r) => r.chargePointId === cp && r.kind === 'call' && r.action === 'StatusNotification' && r.seq > since)
        .map((r) => (r.payload as { status: string }).status);
    for (let round = 0; round < 5; round++) {
      const plugged = csms.mark();
      await responder.setVehicle('B');
      await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Preparing' }, { timeoutMs: 10_000, since: plugged });
      const mark = csms.mark();
      // The board answers the next poll with B and reports the unplug ($AT A) right behind it.
      responder.afterReply('GS', () => responder.setVehicle('A'));
      await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Available' }, { timeoutMs: 10_000, since: mark });
      await sleep(1500); // a stale B would show within a poll (1 s) as Preparing, then Available again
      expect({ round, statuses: statuses(mark) }).toEqual({ round, statuses: ['Available'] });
    }
    expect(csms.violations(cp)).toEqual([]);
    expect((await evse.stop('SIGTERM')).code).toBe(0);
  }, 60_000);

  it('a meter port that does not exist: exit 78 naming hal.serial.meter.port and EVSE_METER_PORT', async () => {
    const pilotPty = await pty();
    const p = startEvse({ EVSE_DATA_DIR: await dataDir(), EVSE_PILOT_PORT: pilotPty.driverPath, EVSE_METER_PORT: '/dev/ttyUSB-not-there' });
    expect(await p.exited).toBe(78);
    expect(p.stderr()).toContain('evse: invalid configuration: hal.serial.meter.port: expected an existing serial port, got "/dev/ttyUSB-not-there" (no such file) (from EVSE_METER_PORT)');
  });

  it('serial without a meter: exit 78 naming hal.serial.meter.port', async () => {
    const pilotPty = await pty();
    const p = startEvse({ EVSE_DATA_DIR: await dataDir(), EVSE_PILOT_PORT: pilotPty.driverPath });
    expect(await p.exited).toBe(78);
    expect(p.stderr()).toContain('invalid configuration: hal.serial.meter.port: expected');
  });
});
