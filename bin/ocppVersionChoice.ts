/**
 * `ocpp.version: 2.0.1,1.6` (or `auto`): at each start `evse run` offers the versions in that order
 * in one WebSocket handshake and runs the face of the one the CSMS chooses (agent/ocpp/negotiateVersion.ts).
 * The choice is kept in `<dataDir>/ocpp-version.json`: when the CSMS cannot be reached at start,
 * the charger speaks what it last agreed on (else its first preference) and keeps trying to connect.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { negotiateOcppVersion } from '../agent/ocpp/negotiateVersion.js';
import type { LinkConnection } from '../agent/ocpp/OcppLinkTypes.js';
import type { OcppVersion } from '../agent/ocpp/ProtocolFace.js';
import type { Settings } from './settings/settings.js';

export async function chooseOcppVersion(settings: Settings, connection: () => LinkConnection, log: Logger): Promise<OcppVersion> {
  const offered = settings.ocppVersions;
  if (offered.length === 1) return settings.ocppVersion;
  const file = join(resolve(settings.dataDir), 'ocpp-version.json');
  try {
    const version = await negotiateOcppVersion({
      connection: connection(),
      identity: settings.chargePoint.id,
      offered,
      timeoutMs: Math.min(settings.csms.callTimeoutMs, 10_000),
    });
    log.info({ offered, version }, `OCPP ${version} chosen by the CSMS`);
    await writeFile(`${file}.tmp`, `${JSON.stringify({ version })}\n`)
      .then(() => rename(`${file}.tmp`, file))
      .catch((err: unknown) => log.warn({ err, file }, 'cannot keep the OCPP version chosen'));
    return version;
  } catch (err) {
    const last = await lastChoice(file, offered);
    const version = last ?? offered[0]!;
    log.warn({ err, offered, version }, `cannot ask the CSMS which OCPP version to speak; speaking ${version} (${last ? 'the one it chose last' : 'the first preference'})`);
    return version;
  }
}

async function lastChoice(file: string, offered: readonly OcppVersion[]): Promise<OcppVersion | undefined> {
  try {
    const { version } = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown };
    return offered.find((v) => v === version);
  } catch {
    return undefined;
  }
}
