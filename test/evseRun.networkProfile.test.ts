/**
 * `evse run` (OCPP 2.0.1) migrated to a new CSMS by its CSMS, as a separate process against two
 * strict 2.0.1 CSMSs on 127.0.0.1: SetNetworkProfile + NetworkConfigurationPriority + Reset, after
 * which it connects to the new CSMS and boots there; the profile is in
 * `<dataDir>/network-profiles.json` (mode 0600) and still used after a SIGKILL and a new start.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StubCsms } from '../agent/ocpp/testing/StubCsms.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const CP = 'RUN-MIGRATE';
const stubs: StubCsms[] = [];
let agent: EvseProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  if (agent && agent.child.exitCode === null) await agent.stop('SIGKILL').catch(() => undefined);
  for (const s of stubs.splice(0)) await s.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const waitFor = (what: () => void) => vi.waitFor(what, { timeout: 15_000, interval: 20 });

describe('evse run: migrating to a new CSMS (OCPP 2.0.1 B10)', () => {
  it('SetNetworkProfile + NetworkConfigurationPriority + Reset: boots at the new CSMS, also after a kill and a new start', async () => {
    const first = await StubCsms.start({ version: '2.0.1' });
    const second = await StubCsms.start({ version: '2.0.1' });
    stubs.push(first, second);
    dataDir = await mkdtemp(join(tmpdir(), 'evse-migrate-'));
    const env = { EVSE_CSMS_URL: first.url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_LOG_LEVEL: 'warn', EVSE_OCPP_VERSION: '2.0.1' };
    agent = spawnEvse(['run'], env);
    await waitFor(() => expect(first.count('StatusNotification')).toBeGreaterThanOrEqual(1));
    const connectionData = { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: second.url, messageTimeout: 15, securityProfile: 0, ocppInterface: 'Wired0' };
    expect(await first.client.call('SetNetworkProfile', { configurationSlot: 2, connectionData })).toEqual({ status: 'Accepted' });
    const priority = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' } };
    expect(await first.client.call('SetVariables', { setVariableData: [{ ...priority, attributeValue: '3,1' }] })).toMatchObject({ setVariableResult: [{ attributeStatus: 'Rejected' }] });
    expect(await first.client.call('SetVariables', { setVariableData: [{ ...priority, attributeValue: '2,1' }] })).toMatchObject({ setVariableResult: [{ attributeStatus: 'Accepted' }] });
    const file = join(dataDir, 'network-profiles.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ profiles: { 2: { url: second.url, securityProfile: 0, messageTimeoutS: 15 } } });
    expect(second.handshakes).toEqual([]);

    expect(await first.client.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    await waitFor(() => expect(second.count('StatusNotification')).toBeGreaterThanOrEqual(1));
    expect(second.calls.find((c) => c.action === 'BootNotification')!.params).toMatchObject({ reason: 'RemoteReset' });
    const active = (await second.client.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'ActiveNetworkProfile' } }, { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageTimeout', instance: 'Default' } }] })) as { getVariableResult: { attributeValue?: string }[] };
    expect(active.getVariableResult.map((r) => r.attributeValue)).toEqual(['2', '15']);
    const firstHandshakes = first.handshakes.length;

    await agent.stop('SIGKILL');
    agent = spawnEvse(['run'], env);
    await waitFor(() => expect(second.count('BootNotification')).toBe(2));
    expect(second.calls.filter((c) => c.action === 'BootNotification').at(-1)!.params).toMatchObject({ reason: 'PowerUp' });
    expect(first.handshakes).toHaveLength(firstHandshakes); // the first CSMS is not tried: slot 2 comes first
    expect(agent.stderr()).not.toMatch(/"level":(50|60)/);
  });
});
