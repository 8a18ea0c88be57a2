/**
 * Firmware updates end to end: an in-process Agent on virtual time against the embedded strict
 * CSMS over a real WebSocket, downloading from an HTTP server on 127.0.0.1 (test/support/
 * firmwareRig.ts), verifying the whitepaper signature against a root generated here, installing
 * through the simulator's version-file installer and rebooting into the new version.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CP, agentFixture, cleanupAgents, startSession, type AgentFixture } from '../test/support/agentFixture.js';
import { ImageServer, makeSigningMaterial, signImage, simImage, type SigningMaterial } from '../test/support/firmwareRig.js';
import { VersionFileInstaller } from './firmware/FirmwareInstaller.js';
import { FirmwareStore } from './firmware/FirmwareStore.js';
import { fixedManufacturerRoots } from './firmware/ManufacturerRoots.js';
import type { SecurityEventType } from './security/securityEvents.js';

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
  await cleanupAgents();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

interface Charger {
  f: AgentFixture;
  dir: string;
  installer: VersionFileInstaller;
  events: { type: SecurityEventType; techInfo: string | undefined }[];
  resets: string[];
}

/** A charger running firmware `1.0.0` (or what its data dir holds), with the test root installed. */
async function charger(opts: { dir?: string; connectors?: number } = {}): Promise<Charger> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'evse-fw-')));
  if (!opts.dir) dirs.push(dir);
  const installer = new VersionFileInstaller(join(dir, 'firmware'));
  if (!opts.dir) await installer.setRunningVersion('1.0.0');
  const running = await installer.activate(); // what the owner does before every start (bin/runAgent.ts)
  const events: Charger['events'] = [];
  const resets: string[] = [];
  const f = await agentFixture({
    start: Date.now(), // the certificates made for this run are valid from now on
    charger: { connectors: opts.connectors ?? 1 },
    ...(running !== undefined && { firmwareVersion: running }),
    agent: {
      firmware: { installer, store: FirmwareStore.inDirectory(join(dir, 'firmware'), log), manufacturerRoots: fixedManufacturerRoots([material.rootPem]), stallTimeoutMs: 300 },
      securityEvents: { raise: (type, techInfo) => void events.push({ type, techInfo }) },
    },
    beforeStart: (agent) => agent.on('reset', (type) => void resets.push(type)),
  });
  return { f, dir, installer, events, resets };
}

const signedStatuses = (f: AgentFixture) => f.sent('SignedFirmwareStatusNotification').map((s) => s.status);
const plainStatuses = (f: AgentFixture) => f.sent('FirmwareStatusNotification').map((s) => s.status);

/** Advances virtual time a second at a time (the download is real I/O) until `check` passes. */
async function until(f: AgentFixture, check: () => void, timeout = 15_000): Promise<void> {
  await vi.waitFor(
    async () => {
      await f.advance(1000);
      check();
    },
    { timeout, interval: 10 },
  );
}

function signedRequest(f: AgentFixture, location: string, signer: { cert: string; key: string }, image: Buffer, extra: { requestId?: number; installDateTime?: string } = {}) {
  return {
    requestId: extra.requestId ?? 7,
    retries: 2,
    retryInterval: 5,
    firmware: {
      location,
      retrieveDateTime: new Date(f.clock.now()).toISOString(),
      ...(extra.installDateTime !== undefined && { installDateTime: extra.installDateTime }),
      signingCertificate: signer.cert,
      signature: signImage(image, signer.key),
    },
  };
}

describe('SignedUpdateFirmware', () => {
  it('downloads, verifies (RSA), installs, reboots, and after the restart boots with the new version and reports Installed and FirmwareUpdated', async () => {
    const c = await charger();
    expect(c.f.sent('BootNotification')[0]!.firmwareVersion).toBe('1.0.0');
    const image = simImage('2.0.0');
    const url = server.put('/fw/rsa-2.0.0.bin', { body: image });

    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image))).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(c.resets).toEqual(['Hard']));
    expect(signedStatuses(c.f)).toEqual(['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting']);
    expect(c.f.sent('SignedFirmwareStatusNotification').every((s) => s.requestId === 7)).toBe(true);
    expect(await c.installer.runningVersion()).toBe('1.0.0'); // staged, not yet running
    await c.f.close();

    const after = await charger({ dir: c.dir });
    expect(after.f.sent('BootNotification')[0]!.firmwareVersion).toBe('2.0.0');
    await until(after.f, () => expect(signedStatuses(after.f)).toEqual(['Installed']));
    expect(after.f.sent('SignedFirmwareStatusNotification')[0]!.requestId).toBe(7);
    expect(after.events.map((e) => e.type)).toEqual(['FirmwareUpdated']);
    // Nothing left under way: the job ends once Installed is reported (reported first, so a power cut
    // in between reports it again), so on a busy machine the file may still be going.
    await vi.waitFor(() => expect(readFile(join(c.dir, 'firmware', 'update.json'))).rejects.toThrow(), { timeout: 5000, interval: 10 });
  });

  it('reports InstallVerificationFailed when the charger comes back on its old version (the staged image did not become the running one)', async () => {
    const c = await charger();
    const image = simImage('2.2.0');
    const url = server.put('/fw/not-activated-2.2.0.bin', { body: image });
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image, { requestId: 9 }))).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(c.resets).toEqual(['Hard']));
    await c.f.close();
    await rm(join(c.dir, 'firmware', 'staged-version')); // the board booted its old slot again

    const after = await charger({ dir: c.dir });
    expect(after.f.sent('BootNotification')[0]!.firmwareVersion).toBe('1.0.0');
    await until(after.f, () => expect(signedStatuses(after.f)).toEqual(['InstallVerificationFailed']));
    expect(after.f.sent('SignedFirmwareStatusNotification')[0]!.requestId).toBe(9);
    expect(after.events.map((e) => e.type)).not.toContain('FirmwareUpdated');
  });

  it('accepts an ECDSA signing certificate', async () => {
    const c = await charger();
    const image = simImage('2.1.0');
    const url = server.put('/fw/ec-2.1.0.bin', { body: image });
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.ec, image))).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(c.resets).toEqual(['Hard']));
    expect(signedStatuses(c.f)).toContain('SignatureVerified');
  });

  it.each([
    ['tampered', (image: Buffer) => Buffer.concat([image.subarray(0, 1000), Buffer.from([image[1000]! ^ 0xff]), image.subarray(1001)])],
    ['truncated', (image: Buffer) => image.subarray(0, image.length - 4096)],
  ])('refuses a %s image: InvalidSignature, InvalidFirmwareSignature, the running firmware untouched', async (name, spoil) => {
    const c = await charger();
    const image = simImage('6.6.6');
    const url = server.put(`/fw/${name}.bin`, { body: spoil(image) });
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image))).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(signedStatuses(c.f)).toContain('InvalidSignature'));
    expect(signedStatuses(c.f)).toEqual(['Downloading', 'Downloaded', 'InvalidSignature']);
    expect(c.events.map((e) => e.type)).toEqual(['InvalidFirmwareSignature']);
    await c.f.advance(60_000, 5000);
    expect(c.resets).toEqual([]);
    expect(await c.installer.runningVersion()).toBe('1.0.0');
    await expect(readFile(join(c.dir, 'firmware', 'staged-version'))).rejects.toThrow();
    await expect(readFile(join(c.dir, 'firmware', 'image.bin'))).rejects.toThrow(); // the refused image is gone
  });

  it('answers InvalidCertificate for a signing certificate that does not chain to an installed root, and raises InvalidFirmwareSigningCertificate', async () => {
    const c = await charger();
    const image = simImage('3.0.0');
    const url = server.put('/fw/untrusted.bin', { body: image });
    const before = server.requests.length;
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.untrusted, image))).toEqual({ status: 'InvalidCertificate' });
    expect(c.events.map((e) => e.type)).toEqual(['InvalidFirmwareSigningCertificate']);
    await c.f.advance(10_000);
    expect(server.requests.length).toBe(before); // nothing downloaded
    expect(signedStatuses(c.f)).toEqual([]);
  });

  it('resumes a download that stalled mid-transfer with a Range request after the retry interval', async () => {
    const c = await charger();
    const image = simImage('4.0.0', 512 * 1024);
    const url = server.put('/fw/stall.bin', { body: image, stallAfter: 100_000 });
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image))).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(c.resets).toEqual(['Hard']));
    const requests = server.requests.filter((r) => r.path === '/fw/stall.bin');
    expect(requests.map((r) => r.range)).toEqual([undefined, 'bytes=100000-']);
    expect(signedStatuses(c.f)).toEqual(['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting']);
  });

  it('reports DownloadFailed once the retries are used up, each after retryInterval on the clock', async () => {
    const c = await charger();
    const image = simImage('5.0.0');
    const url = server.url('/fw/missing.bin');
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image))).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(signedStatuses(c.f)).toContain('DownloadFailed'));
    expect(server.requests.filter((r) => r.path === '/fw/missing.bin')).toHaveLength(3); // retries: 2
    expect(signedStatuses(c.f)).toEqual(['Downloading', 'DownloadFailed']);
    expect(c.resets).toEqual([]);
  });

  it('a newer request cancels one still downloading (AcceptedCanceled); DownloadScheduled until retrieveDateTime', async () => {
    const c = await charger();
    const image = simImage('7.0.0');
    const url = server.put('/fw/later.bin', { body: image });
    const later = { ...signedRequest(c.f, url, material.rsa, image, { requestId: 1 }) };
    later.firmware.retrieveDateTime = new Date(c.f.clock.now() + 3_600_000).toISOString();
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', later)).toEqual({ status: 'Accepted' });
    await c.f.advance(1000);
    expect(signedStatuses(c.f)).toEqual(['DownloadScheduled']);
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image, { requestId: 2 }))).toEqual({ status: 'AcceptedCanceled' });
    await until(c.f, () => expect(c.resets).toEqual(['Hard']));
    expect(c.f.sent('SignedFirmwareStatusNotification').filter((s) => s.requestId === 1).map((s) => s.status)).toEqual(['DownloadScheduled']);
  });
});

describe('the reboot into new firmware', () => {
  it('waits for the running transaction to end (the free connector Unavailable meanwhile, no new session), then reboots', async () => {
    const c = await charger({ connectors: 2 });
    await startSession(c.f, '04A1B2C3D4E5F6', 1);
    const image = simImage('2.0.0');
    const url = server.put('/fw/during-tx.bin', { body: image });
    expect(await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image))).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(c.f.agent.acceptsSessions).toBe(false)); // staged: waiting for the session to end
    expect(signedStatuses(c.f).at(-1)).toBe('Installing');
    expect(c.f.agent.firmware!.current(true)).toEqual({ status: 'Installing', signed: true, requestId: 7 }); // what a triggered notification says
    expect(c.f.agent.firmware!.current(false)).toEqual({ status: 'Idle', signed: false });
    await c.f.advance(10 * 60_000, 10_000);
    expect(c.resets).toEqual([]);
    expect(c.f.agent.connectors[0]!.status).toBe('Charging');
    expect(signedStatuses(c.f)).not.toContain('InstallRebooting');
    expect(c.f.sent('StopTransaction')).toEqual([]);

    // The connector not in use says it cannot be used (L01.FR.07; AllowNewSessionsPendingFirmwareUpdate false;
    // what its display says: agent/display/firmwarePending.test.ts).
    expect(c.f.sent('StatusNotification').filter((n) => n.connectorId === 2).at(-1)?.status).toBe('Unavailable');
    expect(c.f.agent.heldForReboot).toBe(true);
    c.f.sim.connectors[1]!.ev.plugIn(); // a second driver is not started while the install waits
    c.f.sim.rfid.tap('04FFEEDDCCBBAA');
    await c.f.advance(2000);
    expect(c.f.sent('StartTransaction')).toHaveLength(1);

    c.f.sim.rfid.tap('04A1B2C3D4E5F6'); // the driver ends the session
    await until(c.f, () => expect(c.resets).toEqual(['Hard']));
    expect(c.f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local' })]);
    expect(signedStatuses(c.f).at(-1)).toBe('InstallRebooting');
  });
});

describe('a shutdown while the staged image waits for a transaction', () => {
  it('stops cleanly, and the next start runs the new firmware and reports Installed', async () => {
    const c = await charger();
    await startSession(c.f);
    const image = simImage('2.2.0');
    const url = server.put('/fw/shutdown.bin', { body: image });
    await c.f.csms.call(CP, 'SignedUpdateFirmware', signedRequest(c.f, url, material.rsa, image, { requestId: 3 }));
    await until(c.f, () => expect(c.f.agent.acceptsSessions).toBe(false));
    const t0 = performance.now();
    await c.f.close();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(c.resets).toEqual([]); // the shutdown ended the transaction, not a firmware reboot
    expect(c.f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Reboot' })]);

    const after = await charger({ dir: c.dir });
    expect(after.f.sent('BootNotification')[0]!.firmwareVersion).toBe('2.2.0');
    await until(after.f, () => expect(signedStatuses(after.f)).toEqual(['Installed']));
  });
});

describe('UpdateFirmware (FirmwareManagement profile)', () => {
  it('reports Downloading, Downloaded, Installing, then Installed after the reboot, with the new version in BootNotification', async () => {
    const c = await charger();
    const url = server.put('/fw/plain-3.1.0.bin', { body: simImage('3.1.0') });
    expect(await c.f.csms.call(CP, 'UpdateFirmware', { location: url, retrieveDate: new Date(c.f.clock.now()).toISOString(), retries: 1, retryInterval: 5 })).toEqual({});
    await until(c.f, () => expect(c.resets).toEqual(['Hard']));
    expect(plainStatuses(c.f)).toEqual(['Downloading', 'Downloaded', 'Installing']);
    expect(signedStatuses(c.f)).toEqual([]);
    await c.f.close();

    const after = await charger({ dir: c.dir });
    expect(after.f.sent('BootNotification')[0]!.firmwareVersion).toBe('3.1.0');
    await until(after.f, () => expect(plainStatuses(after.f)).toEqual(['Installed']));
  });

  it('reports InstallationFailed for an image the installer refuses, and keeps the running firmware', async () => {
    const c = await charger();
    const url = server.put('/fw/not-an-image.bin', { body: Buffer.from('this is not firmware\n') });
    await c.f.csms.call(CP, 'UpdateFirmware', { location: url, retrieveDate: new Date(c.f.clock.now()).toISOString() });
    await until(c.f, () => expect(plainStatuses(c.f)).toContain('InstallationFailed'));
    expect(plainStatuses(c.f)).toEqual(['Downloading', 'Downloaded', 'Installing', 'InstallationFailed']);
    expect(c.resets).toEqual([]);
    expect(await c.installer.runningVersion()).toBe('1.0.0');
  });

  it('a TriggerMessage FirmwareStatusNotification reports Idle when no update is under way', async () => {
    const c = await charger();
    expect(await c.f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' })).toEqual({ status: 'Accepted' });
    await until(c.f, () => expect(plainStatuses(c.f)).toEqual(['Idle']));
  });
});
