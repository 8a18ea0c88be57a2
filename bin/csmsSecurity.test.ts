/**
 * The security services of `evse run` opened from the settings and a data directory (the real
 * files): a security log removed between two starts is reported as SecurityLogWasCleared.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { openCsmsSecurity } from './csmsSecurity.js';
import { loadSettings } from './settings/loadSettings.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(dataDir: string) {
  const settings = loadSettings({ env: { NODE_ENV: 'test', EVSE_DATA_DIR: dataDir } });
  const config = await OcppConfiguration.open({ file: null, initial: {}, readonlyValues: { NumberOfConnectors: 1, SupportedFeatureProfiles: 'Core' }, log });
  return openCsmsSecurity(settings, dataDir, config, new SimulatedClock(), log);
}

describe('openCsmsSecurity', () => {
  it('raises SecurityLogWasCleared when the security log was removed since the last start, and not otherwise', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'evse-seclog-'));
    dirs.push(dataDir);
    const logFile = join(dataDir, 'security', 'security.log');
    const first = await start(dataDir);
    first.events.raise('StartupOfTheDevice', 'first start');
    await first.events.whenIdle();
    await first.close();
    const second = await start(dataDir); // the log is still there
    await second.events.whenIdle();
    await second.close();
    expect(await readFile(logFile, 'utf8')).not.toContain('SecurityLogWasCleared');

    await rm(logFile);
    const third = await start(dataDir);
    await third.events.whenIdle();
    await third.close();
    const entries = (await readFile(logFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; techInfo?: string });
    expect(entries).toEqual([expect.objectContaining({ type: 'SecurityLogWasCleared', techInfo: expect.stringMatching(/missing at start/) })]);
  });
});
