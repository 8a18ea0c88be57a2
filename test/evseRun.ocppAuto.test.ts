/**
 * `evse run` with `ocpp.version: auto` (EVSE_OCPP_VERSION): it offers ocpp2.0.1 and ocpp1.6 in one
 * handshake and speaks what the CSMS chooses — the embedded strict CSMS over real WebSockets on
 * 127.0.0.1, speaking both versions or only 1.6; when the CSMS cannot be reached at start, the
 * charger speaks the version it last agreed on.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const CP = 'RUN-AUTO';
const started: { csms: EmbeddedCsms[]; agents: EvseProcess[]; dirs: string[] } = { csms: [], agents: [], dirs: [] };

afterEach(async () => {
  for (const a of started.agents.splice(0)) if (a.child.exitCode === null) await a.stop('SIGKILL').catch(() => undefined);
  for (const c of started.csms.splice(0)) await c.stop();
  for (const d of started.dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function csmsOf(options: ConstructorParameters<typeof EmbeddedCsms>[0], port = 0): Promise<EmbeddedCsms> {
  const csms = new EmbeddedCsms({ pingIntervalMs: 0, ...options });
  await csms.start({ port });
  started.csms.push(csms);
  return csms;
}

function run(url: string, dataDir: string, version: string): EvseProcess {
  // Quick reconnects (spawnEvse's RetryBackOff* defaults): the second test waits for one after the CSMS comes back.
  const agent = spawnEvse(['run'], { EVSE_CSMS_URL: url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_LOG_LEVEL: 'info', EVSE_OCPP_VERSION: version });
  started.agents.push(agent);
  return agent;
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-auto-'));
  started.dirs.push(dir);
  return dir;
}

describe('evse run offering both OCPP versions', () => {
  it('speaks 2.0.1 with a CSMS that speaks both, 1.6 with one that speaks only 1.6', async () => {
    // Two chargers at once (one process each), each with its own CSMS. (Which of the offered
    // subprotocols a CSMS takes, the charger's first or its own, is the CSMS's: the embedded one
    // takes the charger's first, scenarios/csms/EmbeddedCsms.ocpp201.test.ts.)
    const [both, only16] = await Promise.all([csmsOf({}), csmsOf({ ocppVersions: ['1.6'] })]);
    const dir = await dataDir();
    run(both.url, dir, 'auto');
    run(only16.url, await dataDir(), '2.0.1,1.6');
    await Promise.all([
      both.waitForCall201(CP, 'BootNotification', { reason: 'PowerUp' }, 20_000),
      only16.waitForCall(CP, 'BootNotification', { chargePointVendor: 'evse-agent' }, 20_000),
    ]);
    expect([both, only16].map((c) => c.ocppVersion(CP))).toEqual(['2.0.1', '1.6']);
    expect(JSON.parse(await readFile(join(dir, 'ocpp-version.json'), 'utf8'))).toEqual({ version: '2.0.1' });
    expect(both.violations(CP)).toEqual([]);
  });

  it('cannot reach the CSMS at start: speaks the version chosen last time, and connects once the CSMS is there', async () => {
    const dir = await dataDir();
    const first = await csmsOf({ ocppVersions: ['1.6'] });
    const agent = run(first.url, dir, 'auto');
    await first.waitForCall(CP, 'BootNotification', undefined, 15_000);
    expect((await agent.stop('SIGTERM', 15_000)).code).toBe(0);
    const { port } = new URL(first.url);
    await first.stop();
    started.csms.splice(started.csms.indexOf(first), 1);

    const again = run(`ws://127.0.0.1:${port}`, dir, 'auto');
    // Nobody listens: the charger speaks what it agreed on last (1.6) and keeps trying.
    await expect.poll(() => again.stderr(), { timeout: 15_000 }).toMatch(/speaking 1\.6 \(the one it chose last\)/);
    const back = await csmsOf({}, Number(port)); // now both versions: the running charger stays 1.6
    await back.waitForCall(CP, 'BootNotification', { chargePointVendor: 'evse-agent' }, 20_000);
    expect(back.ocppVersion(CP)).toBe('1.6');
  });
});
