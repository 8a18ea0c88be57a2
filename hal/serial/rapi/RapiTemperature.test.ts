import { afterEach, describe, expect, it } from 'vitest';
import { createSerialPilotRig, type SerialPilotRig } from '../testing/SerialPilotHarness.js';
import { GP_NOT_FITTED } from '../deviceSims/RapiResponder.js';
import { hottestSensor, RapiTemperature } from './RapiTemperature.js';
import { until } from '../../../test/support/until.js';

describe('hottestSensor: the value of a $GP reply', () => {
  it('takes the hottest fitted sensor, in tenths of °C', () => {
    expect(hottestSensor(['-2560', '312', '-2560'])).toBe(31.2);
    expect(hottestSensor(['245', '312', '-55'])).toBe(31.2);
    expect(hottestSensor(['-2560', '-75', '-2560'])).toBe(-7.5);
  });
  it('none fitted: -2560 each, or three zeros from firmware older than that convention; garbage is no value', () => {
    expect(hottestSensor(['-2560', '-2560', '-2560'])).toBeUndefined();
    expect(hottestSensor(['0', '0', '0'])).toBeUndefined();
    expect(hottestSensor(['0', '-2560', '-2560'])).toBeUndefined();
    expect(hottestSensor(['0', '215', '0'])).toBe(21.5);
    expect(hottestSensor(['2x5'])).toBeUndefined();
    expect(hottestSensor([])).toBeUndefined();
  });
});

describe('RapiTemperature: the board temperature over RAPI ($GP) on a pty', () => {
  let rig: SerialPilotRig;
  let sensor: RapiTemperature;
  afterEach(async () => {
    await sensor?.release();
    await rig?.dispose();
  });

  async function start(options: { temperatureCommand?: boolean } = {}): Promise<void> {
    rig = await createSerialPilotRig(options);
    sensor = new RapiTemperature({ id: 'temperature:1', controller: rig.controller, pollIntervalMs: 30_000 });
    await rig.controller.open();
  }
  /** Lets clock time pass in steps shorter than a command's timeout. */
  async function pass(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= 100) await rig.advance(Math.min(100, left));
  }

  it('reads the board at start and every 30 s of clock time, nothing in between', async () => {
    await start();
    rig.responder.temperatures = [412, 385, GP_NOT_FITTED];
    await pass(1000);
    expect(sensor.lastCelsius).toBe(41.2);
    const asked = (): number => rig.responder.received.filter((l) => l.startsWith('$GP')).length;
    const before = asked();
    rig.responder.temperatures = [455, 385, GP_NOT_FITTED];
    await pass(20_000);
    expect(asked()).toBe(before);
    expect(sensor.lastCelsius).toBe(41.2);
    await pass(10_000);
    expect(asked()).toBe(before + 1);
    expect(sensor.lastCelsius).toBe(45.5);
  });

  it('a board with no sensor fitted, or firmware without $GP, has no value: TEMPERATURE_UNAVAILABLE', async () => {
    await start();
    await pass(1000);
    expect(sensor.lastCelsius).toBeUndefined();
    await expect(sensor.read()).rejects.toMatchObject({ code: 'TEMPERATURE_UNAVAILABLE', message: expect.stringContaining('no sensor fitted') });
    await sensor.release();
    await rig.dispose();
    await start({ temperatureCommand: false });
    await expect(sensor.read()).rejects.toMatchObject({ code: 'TEMPERATURE_UNAVAILABLE', message: expect.stringContaining('does not know $GP') });
  });

  it('a pulled adapter forgets the value; once the port is back it reads at once, not 30 s later', async () => {
    await start();
    rig.responder.temperatures = [GP_NOT_FITTED, 290, GP_NOT_FITTED];
    await pass(1000);
    expect(sensor.lastCelsius).toBe(29);
    await rig.unplug();
    // The driver notices the loss by the port's close, or else by its path check (clock time): a busy machine may need the latter.
    for (let i = 0; i < 50 && sensor.lastCelsius !== undefined; i++) await pass(200);
    expect(rig.controller.link.isOpen).toBe(false);
    expect(sensor.lastCelsius).toBeUndefined();
    rig.responder.temperatures = [GP_NOT_FITTED, 301, GP_NOT_FITTED];
    let back: number | undefined;
    rig.controller.once('restored', () => (back = rig.clock.now()));
    await rig.replug();
    // The reopen is real I/O: clock time goes on in steps meanwhile, as long as it takes (bounded).
    await until('the reading after the port is back', () => sensor.lastCelsius !== undefined, 15_000, 20, () => pass(200));
    expect(sensor.lastCelsius).toBe(30.1);
    expect(back).toBeDefined();
    expect(rig.clock.now() - back!).toBeLessThan(25_000);
  });
});
