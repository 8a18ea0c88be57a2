/**
 * OpenEVSE heartbeat supervision end to end: `evse run` with a device list whose pilot has a short
 * heartbeat (a pulse a second, the board's window 2 s, fallback 8 A), an OpenEVSE responder that
 * runs its supervision on the wall clock, an SDM630 slave, the embedded strict CSMS. The agent is
 * killed (SIGKILL) while charging at 32 A: the board lowers its offer on its own. A new agent
 * arms it again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { systemClock } from '../hal/clock.js';
import { ModbusSlaveSim } from '../hal/serial/deviceSims/ModbusSlaveSim.js';
import { PtyPair } from '../hal/serial/deviceSims/PtyPair.js';
import { RapiResponder } from '../hal/serial/deviceSims/RapiResponder.js';
import { SdmMeterSim } from '../hal/serial/deviceSims/SdmMeterSim.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-serial-hb-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const t0 = Date.now(); !condition(); await sleep(20)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

describe('evse run: OpenEVSE heartbeat supervision ($SY)', () => {
  it('armed at start and pulsed; the agent killed mid-charge: the board falls back to 8 A by itself; a new agent arms it again', async () => {
    const [pilotPty, meterPty] = await Promise.all([PtyPair.create(), PtyPair.create()]);
    cleanups.push(() => pilotPty.dispose(), () => meterPty.dispose());
    const responder = new RapiResponder(pilotPty.devicePath, { clock: systemClock });
    const slave = new ModbusSlaveSim(meterPty.devicePath, 9600);
    slave.units.set(1, new SdmMeterSim('sdm630', systemClock, 1000));
    await Promise.all([responder.open(), slave.open()]);
    cleanups.push(() => responder.powerOff(), () => slave.close());
    const csms = new EmbeddedCsms();
    await csms.start();
    cleanups.push(() => csms.stop());

    const configDir = await tempDir();
    const config = {
      chargePoint: { connectors: 1 },
      hal: {
        driver: 'serial',
        serial: {
          devices: [
            { kind: 'meter', model: 'sdm630', connector: 1, port: meterPty.driverPath },
            { kind: 'pilot', connector: 1, port: pilotPty.driverPath, heartbeatIntervalMs: 1000, heartbeatGraceMs: 1000, heartbeatFallbackA: 8 },
          ],
        },
      },
    };
    await writeFile(join(configDir, 'local.yaml'), YAML.stringify(config));
    const cp = 'SERIAL-HB';
    const env = { NODE_CONFIG_DIR: configDir, EVSE_LOG_LEVEL: 'warn', EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: await tempDir() };
    const start = (): EvseProcess => {
      const p = spawnEvse(['run'], env);
      cleanups.push(async () => {
        if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
      });
      return p;
    };
    const pulses = (): number => responder.received.filter((l) => /^\$SY :/.test(l)).length;

    const evse = start();
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Available' }, 20_000);
    await until('the board to be armed', () => responder.supervision.intervalS === 2);
    expect(responder.received.find((l) => l.startsWith('$SY '))).toMatch(/^\$SY 2 8 :/);
    const before = pulses();
    await sleep(2500);
    expect(pulses() - before).toBeGreaterThanOrEqual(2);

    await responder.setVehicle('B');
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Preparing' }, 10_000);
    expect(await csms.call(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'HB-TAG' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'StartTransaction', { connectorId: 1 }, 10_000);
    await responder.setVehicle('C');
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Charging' }, 10_000);
    expect(responder.amps).toBe(32);
    await sleep(3000); // charging goes on past the board's window: the pulses keep it at 32 A
    expect(responder.amps).toBe(32);
    expect(responder.supervision.trigger).toBe(0);

    const killedAt = Date.now();
    await evse.stop('SIGKILL');
    await until('the board to fall back without the agent', () => responder.amps === 8, 6000);
    const fellBackAfterMs = Date.now() - killedAt;
    expect(fellBackAfterMs).toBeGreaterThan(500); // not before its window ran out (the last pulse ≤ 1 s before the kill)
    expect(responder.supervision.trigger).toBe(2);

    start();
    await until('a new agent to arm the board again', () => responder.supervision.trigger === 0, 20_000);
    const again = pulses();
    await sleep(2500);
    expect(pulses() - again).toBeGreaterThanOrEqual(2);
    expect(csms.violations(cp)).toEqual([]);
  }, 90_000);
});
