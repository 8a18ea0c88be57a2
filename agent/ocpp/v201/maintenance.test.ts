/**
 * Remote maintenance over OCPP 2.0.1 against a strict 2.0.1 CSMS, through the version-neutral
 * firmware and log upload services the 1.6 face uses: UpdateFirmware (always signed) reported by
 * FirmwareStatusNotification with its requestId, GetLog reported by LogStatusNotification; the
 * image is served and the log PUT by an HTTP server on 127.0.0.1 (test/support/firmwareRig.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { VersionFileInstaller } from '../../firmware/FirmwareInstaller.js';
import { FirmwareStore } from '../../firmware/FirmwareStore.js';
import { fixedManufacturerRoots } from '../../firmware/ManufacturerRoots.js';
import type { UpdateFirmwareRequest } from '../../ocpp201/messages.js';
import { ImageServer, makeSigningMaterial, signImage, simImage, type SigningMaterial } from '../../../test/support/firmwareRig.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

const log = pino({ level: 'silent' });
let material: SigningMaterial;
let server: ImageServer;
const dirs: string[] = [];

beforeAll(async () => {
  material = await makeSigningMaterial();
  server = await ImageServer.start();
}, 30_000);
afterAll(async () => {
  await server.close();
  await material.remove();
});
afterEach(async () => {
  await cleanupAgents201();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function station(connectors = 1): Promise<{ f: Agent201Fixture; resets: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'v201-fw-'));
  dirs.push(dir);
  const installer = new VersionFileInstaller(join(dir, 'firmware'));
  await installer.setRunningVersion('1.0.0');
  const f = await agent201Fixture({
    connectors,
    clockStart: Date.now(), // the signing certificates are valid from now on
    agent: () => ({
      firmware: { installer, store: FirmwareStore.inDirectory(join(dir, 'firmware'), log), manufacturerRoots: fixedManufacturerRoots([material.rootPem]), stallTimeoutMs: 300 },
      diagnostics: { sources: { DiagnosticsLog: { lines: () => [JSON.stringify({ time: Date.now(), msg: 'hello from the station' })] } } },
    }),
  });
  const resets: string[] = [];
  f.agent.on('reset', (type) => void resets.push(type)); // the owner restarts the process
  return { f, resets };
}

/** Advances virtual time a second at a time (the transfers are real I/O) until `check` passes. */
async function until(f: Agent201Fixture, check: () => void): Promise<void> {
  await vi.waitFor(async () => {
    await f.advance(1000);
    check();
  }, { timeout: 15_000, interval: 10 });
}

const firmwareStatuses = (f: Agent201Fixture) => f.sent('FirmwareStatusNotification').map((s) => `${s.status}#${s.requestId ?? '-'}`);
const logStatuses = (f: Agent201Fixture) => f.sent('LogStatusNotification').map((s) => `${s.status}#${s.requestId ?? '-'}`);

function request(f: Agent201Fixture, location: string, image: Buffer, signer = material.rsa): UpdateFirmwareRequest {
  return { requestId: 7, retries: 1, retryInterval: 5, firmware: { location, retrieveDateTime: new Date(f.clock.now()).toISOString(), signingCertificate: signer.cert, signature: signImage(image, signer.key) } };
}

describe('UpdateFirmware', () => {
  it('downloads, verifies, installs and reboots, each stage a FirmwareStatusNotification with the requestId', async () => {
    const { f, resets } = await station();
    expect(await f.call('TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('FirmwareStatusNotification');
    expect(firmwareStatuses(f)).toEqual(['Idle#-']);
    const image = simImage('2.0.0');
    const url = server.put('/fw201/2.0.0.bin', { body: image });
    expect(await f.call('UpdateFirmware', request(f, url, image))).toEqual({ status: 'Accepted' });
    await until(f, () => expect(resets).toEqual(['Hard']));
    expect(firmwareStatuses(f).slice(1)).toEqual(['Downloading#7', 'Downloaded#7', 'SignatureVerified#7', 'Installing#7', 'InstallRebooting#7']);
    expect(f.agent.restartReason).toBe('FirmwareUpdate'); // the owner's next BootNotification says so
  });

  it('staged during a transaction: the other EVSE is Unavailable until the reboot (L01.FR.07), the charging one after its transaction; AllowNewSessionsPendingFirmwareUpdate false by default', async () => {
    const { f, resets } = await station(2);
    const allow = { component: { name: 'ChargingStation' }, variable: { name: 'AllowNewSessionsPendingFirmwareUpdate' } };
    expect((await f.call('GetVariables', { getVariableData: [allow] })).getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: 'false' });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    const image = simImage('2.0.0');
    const url = server.put('/fw201/during-tx.bin', { body: image });
    expect(await f.call('UpdateFirmware', request(f, url, image))).toEqual({ status: 'Accepted' });
    await until(f, () => expect(firmwareStatuses(f).at(-1)).toBe('Installing#7'));
    await until(f, () => expect(f.sent('StatusNotification').filter((n) => n.evseId === 2).at(-1)?.connectorStatus).toBe('Unavailable'));
    const variable = async (component: string, name: string, evseId?: number) =>
      (await f.call('GetVariables', { getVariableData: [{ component: { name: component, ...(evseId && { evse: { id: evseId } }) }, variable: { name } }] })).getVariableResult[0]!.attributeValue;
    expect(await variable('EVSE', 'AvailabilityState', 2)).toBe('Unavailable');
    expect(f.agent.connectors[0]!.status).toBe('Charging'); // the running session goes on
    // A ChangeAvailability Operative meanwhile is kept for after the reboot; the EVSE stays Unavailable.
    expect(await f.call('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 2 } })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[1]!.status).toBe('Unavailable');
    f.sim.connectors[1]!.ev.plugIn();
    f.sim.rfid.tap('04FFEEDDCCBBAA');
    await f.advance(2000);
    expect(f.sent('TransactionEvent').filter((e) => e.eventType === 'Started')).toHaveLength(1);
    expect(resets).toEqual([]);

    f.sim.rfid.tap('04A1B2C3D4E5F6'); // the driver ends the session: EVSE 1 becomes Unavailable, then the reboot
    await until(f, () => expect(resets).toEqual(['Hard']));
    expect(f.sent('StatusNotification').filter((n) => n.evseId === 1).map((n) => n.connectorStatus)).toContain('Unavailable');
    expect(firmwareStatuses(f).at(-1)).toBe('InstallRebooting#7');
  });

  it('AllowNewSessionsPendingFirmwareUpdate true: sessions go on starting while the staged firmware waits; the reboot comes when none runs', async () => {
    const { f, resets } = await station(2);
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'AllowNewSessionsPendingFirmwareUpdate' }, attributeValue: 'true' }] });
    expect(setVariableResult[0]!.attributeStatus).toBe('Accepted');
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(1000);
    const image = simImage('2.0.0');
    const url = server.put('/fw201/allow-new.bin', { body: image });
    expect(await f.call('UpdateFirmware', request(f, url, image))).toEqual({ status: 'Accepted' });
    await until(f, () => expect(firmwareStatuses(f).at(-1)).toBe('Installing#7'));
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('04FFEEDDCCBBAA');
    await f.advance(2000);
    expect(f.agent.connectors[1]!.status).toBe('Charging');
    expect(f.sent('StatusNotification').map((n) => n.connectorStatus)).not.toContain('Unavailable');
    f.sim.connectors[0]!.ev.unplug(); // one ends; the other still runs: no reboot yet
    await f.advance(2000);
    expect(resets).toEqual([]);
    f.sim.connectors[1]!.ev.unplug();
    await until(f, () => expect(resets).toEqual(['Hard']));
    expect(firmwareStatuses(f).at(-1)).toBe('InstallRebooting#7');
  });

  it('refuses an unsigned update (MissingParam) and a signing certificate that does not chain to a manufacturer root (InvalidCertificate)', async () => {
    const { f } = await station();
    const image = simImage('3.0.0');
    const url = server.put('/fw201/3.0.0.bin', { body: image });
    const unsigned = request(f, url, image);
    delete unsigned.firmware.signature;
    expect(await f.call('UpdateFirmware', unsigned)).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'MissingParam' } });
    expect(await f.call('UpdateFirmware', request(f, url, image, material.untrusted))).toEqual({ status: 'InvalidCertificate' });
    await f.advance(5000);
    expect(f.csms.count('FirmwareStatusNotification')).toBe(0);
  });
});

describe('GetLog', () => {
  it('uploads the DiagnosticsLog and reports Uploading, Uploaded with the requestId; a log not kept is Rejected', async () => {
    const { f } = await station();
    const answer = await f.call('GetLog', { logType: 'DiagnosticsLog', requestId: 9, log: { remoteLocation: server.url('/logs201/') } });
    expect(answer).toEqual({ status: 'Accepted', filename: expect.stringMatching(/\.log\.gz$/) });
    await until(f, () => expect(logStatuses(f)).toEqual(['Uploading#9', 'Uploaded#9']));
    const upload = server.uploads.find((u) => u.path === `/logs201/${answer.filename!}`);
    expect(gunzipSync(upload!.body).toString()).toContain('hello from the station');
    expect(await f.call('GetLog', { logType: 'SecurityLog', requestId: 10, log: { remoteLocation: server.url('/logs201/') } })).toEqual({ status: 'Rejected' });
    expect(await f.call('TriggerMessage', { requestedMessage: 'LogStatusNotification' })).toEqual({ status: 'Accepted' });
    await until(f, () => expect(logStatuses(f).at(-1)).toBe('Idle#-'));
  });

  it('a station that keeps no logs nor firmware installer Rejects GetLog and UpdateFirmware', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('GetLog', { logType: 'DiagnosticsLog', requestId: 1, log: { remoteLocation: 'http://127.0.0.1:9/' } })).toMatchObject({ status: 'Rejected' });
    expect(await f.call('UpdateFirmware', { requestId: 1, firmware: { location: 'http://127.0.0.1:9/x', retrieveDateTime: new Date(f.clock.now()).toISOString() } })).toMatchObject({ status: 'Rejected' });
  });
});
