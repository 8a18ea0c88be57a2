/**
 * Firmware updates for `evse run`, from the settings: the installer (the board's script, or the
 * simulator's version file in `<dataDir>/firmware`), the update's state directory and the
 * ManufacturerRootCertificates (PEM files in a directory until the security service's certificate
 * store provides them). A serial board without an installer script offers no firmware updates.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AgentOptions } from '../agent/Agent.js';
import { VersionFileInstaller, type FirmwareInstaller } from '../agent/firmware/FirmwareInstaller.js';
import { FirmwareStore } from '../agent/firmware/FirmwareStore.js';
import { fileManufacturerRoots } from '../agent/firmware/ManufacturerRoots.js';
import { ScriptInstaller } from '../agent/firmware/ScriptInstaller.js';
import type { Settings } from './settings/settings.js';

/** BootNotification.firmwareVersion is a CiString50. */
const FIRMWARE_VERSION_MAX = 50;

export function firmwareOptionsOf(settings: Settings, dataDir: string, log: Logger): AgentOptions['firmware'] {
  const fw = settings.firmware;
  let installer: FirmwareInstaller;
  if (fw.installer) installer = new ScriptInstaller({ script: resolve(fw.installer) });
  else if (settings.hal.driver === 'sim') installer = new VersionFileInstaller(join(dataDir, 'firmware'));
  else return undefined;
  return {
    installer,
    store: FirmwareStore.inDirectory(join(dataDir, 'firmware'), log),
    manufacturerRoots: fileManufacturerRoots(fw.manufacturerRootsDir ? resolve(fw.manufacturerRootsDir) : join(dataDir, 'certificates', 'manufacturer')),
    stallTimeoutMs: fw.stallTimeoutS * 1000,
  };
}

/**
 * Runs the installer's activation (a staged image becomes the running firmware) and returns the
 * running version for BootNotification; undefined (the configured version stands) when the
 * installer knows none or fails — a charger must still come up after a bad update.
 */
export async function activateFirmware(installer: FirmwareInstaller, log: Logger): Promise<string | undefined> {
  try {
    const version = await installer.activate();
    if (version === undefined) return undefined;
    if (version.length <= FIRMWARE_VERSION_MAX) return version;
    log.warn({ version }, `firmware version longer than ${FIRMWARE_VERSION_MAX} characters: reported shortened`);
    return version.slice(0, FIRMWARE_VERSION_MAX);
  } catch (err) {
    log.error({ err }, 'firmware activation failed: reporting the configured firmware version');
    return undefined;
  }
}
