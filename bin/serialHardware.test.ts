/**
 * The serial hardware built from a device list over socat ptys, on a SimulatedClock: the
 * configured port reopen intervals reach the drivers (an OpenEVSE port, a meter's bus).
 */
import { readFileSync } from 'node:fs';
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

    // One port pulled at a time, so that each one's interval is measured from its own loss. The
    // loss is seen by the port closing (real I/O) or, at the latest, by the link's check that the
    // path still exists (every 1000 ms of clock time); clock time runs on in small steps meanwhile.
    const pullAndReplug = async (device: typeof pilot | typeof meter, pty: PtyPair, sim: { open(): Promise<void>; close(): Promise<void> }): Promise<number> => {
      await sim.close();
      await pty.unplug();
      await until('the port reported lost', () => lost(device), 10_000, 20, () => clock.advance(50));
      const lostAt = clock.now();
      await pty.replug();
      await sim.open();
      // The reopen is real I/O: clock time goes on in steps while it happens.
      await until('the port reopened', () => !lost(device), 20_000, 15, () => clock.advance(100));
      return clock.now() - lostAt;
    };
    const pilotBack = await pullAndReplug(pilot, pilotPty, responder);
    expect(pilotBack).toBeGreaterThanOrEqual(500);
    expect(pilotBack).toBeLessThanOrEqual(1000);
    const meterBack = await pullAndReplug(meter, meterPty, slave);
    expect(meterBack).toBeGreaterThanOrEqual(5000);
    expect(meterBack).toBeLessThanOrEqual(5500);
  }, 60_000);
});
