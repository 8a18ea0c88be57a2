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

async function station(): Promise<{ f: Agent201Fixture; resets: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'v201-fw-'));
  dirs.push(dir);
  const installer = new VersionFileInstaller(join(dir, 'firmware'));
  await installer.setRunningVersion('1.0.0');
  const f = await agent201Fixture({
    connectors: 1,
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
