/**
 * `evse run` as a process: the Local Authorization List and the authorization cache live in the
 * data directory and survive a restart (the list even a SIGKILL right after SendLocalList.conf).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { evseRig } from './support/evseRig.js';

const { start, csms: csmsOn, tempDir, release } = evseRig();
const dataDir = () => tempDir('evse-auth-');

afterEach(release);

describe('evse run: local authorization across restarts', () => {
  it('keeps the Local Authorization List through a SIGKILL: GetLocalListVersion answers it, and a listed tag needs no Authorize', async () => {
    const cp = 'LIST-CP';
    const csms = await csmsOn();
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: await dataDir(), EVSE_SIM_EV_CONNECTED: '1' };
    const first = start(env);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, 15_000);
    const profiles = await csms.call(cp, 'GetConfiguration', { key: ['SupportedFeatureProfiles'] });
    expect(profiles.configurationKey?.[0]?.value?.split(',')).toContain('LocalAuthListManagement');
    const list = [{ idTag: 'TAG-LIST', idTagInfo: { status: 'Accepted' as const } }];
    expect(await csms.call(cp, 'SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: list })).toEqual({ status: 'Accepted' });
    const blocked = [{ idTag: 'TAG-BLOCKED', idTagInfo: { status: 'Blocked' as const } }];
    expect(await csms.call(cp, 'SendLocalList', { listVersion: 4, updateType: 'Differential', localAuthorizationList: blocked })).toEqual({ status: 'Accepted' });
    // No clean shutdown: the list was durable before SendLocalList.conf went out.
    expect((await first.stop('SIGKILL')).code).toBe('SIGKILL');

    const since = csms.mark();
    start(env);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, { timeoutMs: 15_000, since });
    expect(await csms.call(cp, 'GetLocalListVersion', {})).toEqual({ listVersion: 4 });
    expect(await csms.call(cp, 'SendLocalList', { listVersion: 4, updateType: 'Differential', localAuthorizationList: list })).toEqual({ status: 'VersionMismatch' });

    for (const [key, value] of [['LocalPreAuthorize', 'true'], ['AuthorizeRemoteTxRequests', 'true']] as const) {
      expect(await csms.call(cp, 'ChangeConfiguration', { key, value })).toEqual({ status: 'Accepted' });
    }
    // Blocked on the list: refused locally, although this CSMS would accept it.
    expect(await csms.call(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-BLOCKED' })).toEqual({ status: 'Accepted' });
    expect(await csms.call(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-LIST' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'StartTransaction', { idTag: 'TAG-LIST' }, { timeoutMs: 5000, since });
    expect(csms.traffic((r) => r.kind === 'call' && r.direction === 'in' && r.action === 'Authorize')).toEqual([]);
    const starts = csms.traffic((r) => r.kind === 'call' && r.direction === 'in' && r.action === 'StartTransaction');
    expect(starts.map((r) => (r.payload as { idTag: string }).idTag)).toEqual(['TAG-LIST']);
  });

  it('keeps the authorization cache across a restart: a cached tag is pre-authorized without a call', async () => {
    const cp = 'CACHE-CP';
    const csms = await csmsOn();
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: await dataDir(), EVSE_SIM_EV_CONNECTED: '1' };
    const first = start(env);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, 15_000);
    expect(await csms.call(cp, 'ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'true' })).toEqual({ status: 'Accepted' });
    expect(await csms.call(cp, 'ChangeConfiguration', { key: 'LocalPreAuthorize', value: 'true' })).toEqual({ status: 'Accepted' });
    // The Authorize answer is cached; the session is then stopped so the connector is free again.
    expect(await csms.call(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-C' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'Authorize', { idTag: 'TAG-C' }, 5000);
    await csms.waitForCall(cp, 'StartTransaction', { idTag: 'TAG-C' }, 5000);
    expect((await first.stop('SIGTERM')).code).toBe(0);
    const authorizes = () => csms.traffic((r) => r.kind === 'call' && r.direction === 'in' && r.action === 'Authorize').length;
    expect(authorizes()).toBe(1);

    const since = csms.mark();
    start(env);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Preparing' }, { timeoutMs: 15_000, since });
    expect(await csms.call(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-C' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'StartTransaction', { idTag: 'TAG-C' }, { timeoutMs: 5000, since });
    expect(authorizes()).toBe(1);
  });
});
