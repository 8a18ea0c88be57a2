/**
 * The driver display while a firmware update waits for the running session to end before it
 * restarts the charger: an in-process Agent on virtual time against the embedded strict CSMS, a
 * plain UpdateFirmware downloaded from an HTTP server on 127.0.0.1 (test/support/firmwareRig.ts) and
 * staged by the simulator's version-file installer. The free connector is held Unavailable and says
 * why and for how long, not "Out of service"; the charging one goes on showing its session.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import { CP, agentFixture, cleanupAgents, startSession } from '../../test/support/agentFixture.js';
import { ImageServer, simImage } from '../../test/support/firmwareRig.js';
import { VersionFileInstaller } from '../firmware/FirmwareInstaller.js';
import { FirmwareStore } from '../firmware/FirmwareStore.js';
import { fixedManufacturerRoots } from '../firmware/ManufacturerRoots.js';
import { DISPLAY_DEFAULTS, DisplayService } from './DisplayService.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await cleanupAgents();
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the driver display while a firmware update waits to restart the charger', () => {
  it('the free connector: "Software update pending, back in a few minutes"; the charging one: its session; one the operator took out of service: "Out of service"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-fw-display-'));
    const server = await ImageServer.start();
    cleanups.push(() => rm(dir, { recursive: true, force: true }), () => server.close());
    const installer = new VersionFileInstaller(join(dir, 'firmware'));
    await installer.setRunningVersion('1.0.0');
    const f = await agentFixture({
      charger: { connectors: 3 },
      firmwareVersion: (await installer.activate())!,
      agent: { firmware: { installer, store: FirmwareStore.inDirectory(join(dir, 'firmware'), log), manufacturerRoots: fixedManufacturerRoots([]) } },
    });
    const display = new DisplayService({ agent: f.agent, displays: [new SimDisplay({ id: 'display:0', width: 40, height: 8 })], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
    display.start();
    cleanups.push(async () => display.stop());
    const screen = (connectorId: number) => display.screenOf(connectorId)!.lines.map((l) => l.variants[0]);
    await startSession(f, '04A1B2C3D4E5F6', 1);
    expect(screen(2)[0]).toBe('Ready to charge');
    // The operator took connector 3 out of service before: it stays so, and says so.
    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 3, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(screen(3)[0]).toBe('Out of service');

    const url = server.put('/fw/pending-2.0.0.bin', { body: simImage('2.0.0') });
    expect(await f.csms.call(CP, 'UpdateFirmware', { location: url, retrieveDate: new Date(f.clock.now()).toISOString() })).toEqual({});
    // The download is real I/O: virtual time goes on a second at a time meanwhile.
    await vi.waitFor(async () => {
      await f.advance(1000);
      expect(f.agent.heldForReboot).toBe(true);
    }, { timeout: 15_000, interval: 10 });
    expect(f.agent.connectors[1]!.status).toBe('Unavailable');
    expect(screen(2)).toEqual(['Software update pending', 'Back in a few minutes']);
    expect(screen(1)[0]).toMatch(/^Charging \d+\.\d kW$/);
    expect(screen(3)[0]).toBe('Out of service');
  });
});
