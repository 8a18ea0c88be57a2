/**
 * `evse run` as a process updating its firmware: the simulator's version-file installer and a
 * board's installer script, roots from the data dir, an image from an HTTP server on 127.0.0.1,
 * the embedded strict CSMS. After the update the agent restarts and boots with the new version.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { ImageServer, makeSigningMaterial, signImage, simImage, type SigningMaterial } from './support/firmwareRig.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const running: EvseProcess[] = [];
const servers: EmbeddedCsms[] = [];
const dirs: string[] = [];
let material: SigningMaterial;
let images: ImageServer;

beforeAll(async () => {
  material = await makeSigningMaterial();
  images = await ImageServer.start();
}, 30_000);
afterAll(async () => {
  await images.close();
  await material.remove();
});
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) await p.stop('SIGKILL').catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'evse-fwrun-'));
  dirs.push(d);
  return d;
}

async function setUp(cp: string, env: Record<string, string> = {}, rootInDataDir = true) {
  const csms = new EmbeddedCsms();
  await csms.start({ host: '127.0.0.1' });
  servers.push(csms);
  const dataDir = await tempDir();
  await mkdir(join(dataDir, 'certificates', 'manufacturer'), { recursive: true });
  if (rootInDataDir) await writeFile(join(dataDir, 'certificates', 'manufacturer', 'test-root.pem'), material.rootPem);
  const p = spawnEvse(['run'], { EVSE_LOG_LEVEL: 'warn', EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: dataDir, ...env });
  running.push(p);
  await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, 15_000);
  return { csms, dataDir, p };
}

const bootVersions = (csms: EmbeddedCsms, cp: string) =>
  csms.traffic((r) => r.chargePointId === cp && r.kind === 'call' && r.direction === 'in' && r.action === 'BootNotification').map((r) => (r.payload as { firmwareVersion?: string }).firmwareVersion);

describe('evse run: firmware updates', () => {
  it('offers FirmwareManagement, installs a signed image and boots again with its version', async () => {
    const cp = 'FW-SIM';
    const { csms, dataDir } = await setUp(cp);
    const profiles = await csms.call(cp, 'GetConfiguration', { key: ['SupportedFeatureProfiles'] });
    expect(profiles.configurationKey?.[0]?.value?.split(',')).toContain('FirmwareManagement');
    const image = simImage('9.1.0');
    const location = images.put('/run/9.1.0.bin', { body: image });
    const answer = await csms.call(cp, 'SignedUpdateFirmware', {
      requestId: 42,
      firmware: { location, retrieveDateTime: new Date().toISOString(), signingCertificate: material.ec.cert, signature: signImage(image, material.ec.key) },
    });
    expect(answer).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'SignedFirmwareStatusNotification', { status: 'Installed', requestId: 42 }, 20_000);
    expect(bootVersions(csms, cp).at(-1)).toBe('9.1.0');
    expect(bootVersions(csms, cp)).toHaveLength(2);
    const statuses = csms.traffic((r) => r.chargePointId === cp && r.kind === 'call' && r.direction === 'in' && r.action === 'SignedFirmwareStatusNotification').map((r) => (r.payload as { status: string }).status);
    expect(statuses).toEqual(['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting', 'Installed']);
    expect((await readFile(join(dataDir, 'firmware', 'version'), 'utf8')).trim()).toBe('9.1.0');
    expect(csms.violations(cp).filter((v) => v.by === 'chargePoint')).toEqual([]);
  });

  it('trusts a ManufacturerRootCertificate the CSMS installed (InstallCertificate), not only the roots directory', async () => {
    const cp = 'FW-INSTALLED-ROOT';
    const { csms } = await setUp(cp, {}, false);
    const image = simImage('9.2.0');
    const location = images.put('/run/9.2.0.bin', { body: image });
    const request = { requestId: 43, firmware: { location, retrieveDateTime: new Date().toISOString(), signingCertificate: material.ec.cert, signature: signImage(image, material.ec.key) } };
    expect(await csms.call(cp, 'SignedUpdateFirmware', request)).toEqual({ status: 'InvalidCertificate' }); // no root yet
    expect(await csms.call(cp, 'InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: material.rootPem })).toEqual({ status: 'Accepted' });
    expect(await csms.call(cp, 'SignedUpdateFirmware', request)).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'SignedFirmwareStatusNotification', { status: 'SignatureVerified', requestId: 43 }, 20_000);
  });

  it('runs a board installer script (firmware.installer): install stages, activate at the next start makes it run', async () => {
    const cp = 'FW-SCRIPT';
    const slot = await tempDir();
    const script = join(slot, 'installer.sh');
    // A toy A/B installer: `install` copies the image into slot B and prints its version, `activate` swaps B in.
    await writeFile(
      script,
      `#!/bin/sh
set -e
cd "${slot}"
case "$1" in
  install) head -c 17 "$2" | grep -q '^EVSE-SIM-FIRMWARE' || { echo "not an image for this board" >&2; exit 3; }
           cp "$2" slot-b.img; head -n 1 slot-b.img | cut -d' ' -f2 > slot-b.version; cat slot-b.version ;;
  activate) if [ -f slot-b.version ]; then mv slot-b.version running.version; mv slot-b.img running.img; fi
            if [ -f running.version ]; then cat running.version; fi ;;
  *) exit 64 ;;
esac
`,
    );
    await chmod(script, 0o755);
    const { csms } = await setUp(cp, { EVSE_FIRMWARE_INSTALLER: script });
    const location = images.put('/run/script-5.5.5.bin', { body: simImage('5.5.5') });
    expect(await csms.call(cp, 'UpdateFirmware', { location, retrieveDate: new Date().toISOString() })).toEqual({});
    await csms.waitForCall(cp, 'FirmwareStatusNotification', { status: 'Installed' }, 20_000);
    expect(bootVersions(csms, cp).at(-1)).toBe('5.5.5');
    expect((await readFile(join(slot, 'running.version'), 'utf8')).trim()).toBe('5.5.5');
  });

  it('uploads its recent log on GetDiagnostics and reports Uploading, Uploaded', async () => {
    const cp = 'DIAG-RUN';
    const { csms } = await setUp(cp, { EVSE_LOG_LEVEL: 'info' });
    const { fileName } = await csms.call(cp, 'GetDiagnostics', { location: images.url('/diagnostics/') });
    expect(fileName).toMatch(/^DIAG-RUN-diagnostics-\d{8}T\d{6}Z\.log\.gz$/);
    await csms.waitForCall(cp, 'DiagnosticsStatusNotification', { status: 'Uploaded' }, 10_000);
    const upload = images.uploads.find((u) => u.path === `/diagnostics/${fileName!}`);
    const text = gunzipSync(upload!.body).toString();
    expect(text).toContain('agent started'); // the agent's own log, JSON lines
    expect(text).toContain('"cp":"DIAG-RUN"');
  });
});
