/**
 * The serial hardware built from a device list over socat ptys, on a SimulatedClock: the
 * configured port reopen intervals reach the drivers (an OpenEVSE port, a meter's bus).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SimulatedClock } from '../hal/clock.js';
import { PtyPair } from '../hal/serial/deviceSims/PtyPair.js';
import { RapiResponder } from '../hal/serial/deviceSims/RapiResponder.js';
import { ModbusSlaveSim } from '../hal/serial/deviceSims/ModbusSlaveSim.js';
import { SdmMeterSim } from '../hal/serial/deviceSims/SdmMeterSim.js';
import { until } from '../test/support/until.js';
import { createSerialHardware } from './serialHardware.js';
import { parseSettings } from './settings/settings.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function settings(devices: unknown[]): ReturnType<typeof parseSettings> {
  const t = YAML.parse(readFileSync(new URL('../config/default.yaml', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  t.chargePoint!.firmwareVersion = '1.2.3';
  t.chargePoint!.connectors = 1;
  t.hal = { ...t.hal, driver: 'serial', serial: { ...(t.hal!.serial as object), devices } };
  return parseSettings(t);
}

describe('createSerialHardware', () => {
  it('reopens each lost port at its configured interval: the OpenEVSE after 500 ms, the meter bus after 5000 ms', async () => {
    const clock = new SimulatedClock();
    const [pilotPty, meterPty] = await Promise.all([PtyPair.create(), PtyPair.create()]);
    cleanups.push(() => pilotPty.dispose(), () => meterPty.dispose());
    const responder = new RapiResponder(pilotPty.devicePath);
    const slave = new ModbusSlaveSim(meterPty.devicePath, 9600);
    slave.units.set(1, new SdmMeterSim('sdm630', clock, 1000));
    await Promise.all([responder.open(), slave.open()]);
    cleanups.push(() => responder.close(), () => slave.close());
    const hardware = createSerialHardware(
      settings([
        { kind: 'meter', model: 'sdm630', connector: 1, port: meterPty.driverPath, reopenIntervalMs: 5000 },
        { kind: 'pilot', connector: 1, port: pilotPty.driverPath, reopenIntervalMs: 500, heartbeatIntervalMs: 0 },
      ]),
      clock,
    );
    cleanups.push(() => hardware.close());
    const { pilot, meter } = hardware.connectors[0]!;
    const lost = (d: { activeFaults: ReadonlySet<string> }): boolean => d.activeFaults.has('PORT_LOST');
    // Both ports open before they are pulled (else the pull is PORT_OPEN_FAILED, not PORT_LOST):
    // the OpenEVSE has answered its start-up queries, the meter its first reading.
    await until('the OpenEVSE answered', () => pilot.maxCurrentA > 0);
    await meter.read();

    await Promise.all([responder.close(), slave.close()]);
    await Promise.all([pilotPty.unplug(), meterPty.unplug()]);
    // The loss is seen by real I/O (the port closing); clock time stands still meanwhile.
    await until('both ports reported lost', () => lost(pilot) && lost(meter), 10_000, 20, () => clock.advance(0));
    const lostAt = clock.now();
    await Promise.all([pilotPty.replug(), meterPty.replug()]);
    await Promise.all([responder.open(), slave.open()]);

    const clearedAfter: Record<string, number> = {};
    for (let t = 0; t < 7000 && Object.keys(clearedAfter).length < 2; t += 100) {
      clock.advance(100);
      await sleep(15); // the reopen is real I/O
      for (const [name, d] of [['pilot', pilot], ['meter', meter]] as const) if (!lost(d)) clearedAfter[name] ??= clock.now() - lostAt;
    }
    expect(clearedAfter.pilot).toBeGreaterThanOrEqual(500);
    expect(clearedAfter.pilot).toBeLessThanOrEqual(1000);
    expect(clearedAfter.meter).toBeGreaterThanOrEqual(5000);
    expect(clearedAfter.meter).toBeLessThanOrEqual(5500);
  }, 30_000);
});
