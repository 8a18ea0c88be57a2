/**
 * `evse run` with EVSE_OCPP_VERSION=2.0.1 as a separate process against a strict OCPP 2.0.1 CSMS
 * (ocpp-rpc strict mode, 2.0.1 schemas both ways) over a real WebSocket on 127.0.0.1: it boots,
 * reports its EVSE, starts on RequestStartTransaction and ends the transaction on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StubCsms } from '../agent/ocpp/testing/StubCsms.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const CP = 'RUN-201';
let csms: StubCsms | undefined;
let agent: EvseProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  if (agent && agent.child.exitCode === null) await agent.stop('SIGKILL').catch(() => undefined);
  await csms?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const waitFor = (what: () => void) => vi.waitFor(what, { timeout: 15_000, interval: 20 });

describe('evse run speaking OCPP 2.0.1', () => {
  it('boots with ocpp2.0.1, reports its EVSE, charges on RequestStartTransaction and ends the transaction on SIGTERM', async () => {
    csms = await StubCsms.start({ version: '2.0.1' });
    dataDir = await mkdtemp(join(tmpdir(), 'evse-201-'));
    agent = spawnEvse(['run'], { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_SIM_EV_CONNECTED: '1', EVSE_LOG_LEVEL: 'warn', EVSE_OCPP_VERSION: '2.0.1' });
    const c = csms;
    await waitFor(() => expect(c.calls.filter((x) => x.action === 'StatusNotification').map((x) => x.params.connectorStatus)).toContain('Occupied'));
    expect(c.client.protocol).toBe('ocpp2.0.1');
    expect(c.calls.find((x) => x.action === 'BootNotification')!.params).toMatchObject({ reason: 'PowerUp', chargingStation: { vendorName: 'evse-agent' } });
    expect(await c.client.call('RequestStartTransaction', { idToken: { idToken: 'APP-1', type: 'Central' }, remoteStartId: 7, evseId: 1 })).toEqual({ status: 'Accepted' });
    await waitFor(() => expect(c.count('TransactionEvent')).toBe(1));
    const started = c.calls.find((x) => x.action === 'TransactionEvent')!.params as { transactionInfo: { transactionId: string; remoteStartId?: number }; seqNo: number };
    expect(started).toMatchObject({ eventType: 'Started', seqNo: 0, transactionInfo: { remoteStartId: 7 } });
    const { code } = await agent.stop('SIGTERM', 15_000);
    expect(code).toBe(0);
    const ended = c.calls.filter((x) => x.action === 'TransactionEvent').at(-1)!.params;
    expect(ended).toMatchObject({ eventType: 'Ended', transactionInfo: { transactionId: started.transactionInfo.transactionId, stoppedReason: 'Reboot' } });
    expect(agent.stderr()).not.toMatch(/"level":(50|60)/);
  });
});

describe('evse run speaking OCPP 2.0.1: SIGKILL mid-transaction', () => {
  it('the restarted station ends the transaction (PowerLoss) with seqNo continuing: no number used twice', async () => {
    csms = await StubCsms.start({ version: '2.0.1' });
    dataDir = await mkdtemp(join(tmpdir(), 'evse-201-kill-'));
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_SIM_EV_CONNECTED: '1', EVSE_LOG_LEVEL: 'warn', EVSE_OCPP_VERSION: '2.0.1' };
    const c = csms;
    agent = spawnEvse(['run'], env);
    await waitFor(() => expect(c.calls.filter((x) => x.action === 'StatusNotification').map((x) => x.params.connectorStatus)).toContain('Occupied'));
    const set = await c.client.call('SetVariables', { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '1' }] });
    expect(set).toMatchObject({ setVariableResult: [{ attributeStatus: 'Accepted' }] });
    expect(await c.client.call('RequestStartTransaction', { idToken: { idToken: 'APP-2', type: 'Central' }, remoteStartId: 8, evseId: 1 })).toEqual({ status: 'Accepted' });
    await waitFor(() => expect(c.count('TransactionEvent')).toBeGreaterThanOrEqual(4)); // Started and a few Updated
    await agent.stop('SIGKILL');
    const before = c.count('TransactionEvent');

    agent = spawnEvse(['run'], env);
    await waitFor(() => expect(c.calls.filter((x) => x.action === 'TransactionEvent').map((x) => x.params.eventType)).toContain('Ended'));
    const events = c.calls.filter((x) => x.action === 'TransactionEvent').map((x) => x.params as { eventType: string; seqNo: number; transactionInfo: { transactionId: string; stoppedReason?: string } });
    const id = events[0]!.transactionInfo.transactionId;
    const ofTx = events.filter((e) => e.transactionInfo.transactionId === id);
    const ended = ofTx.find((e) => e.eventType === 'Ended')!;
    expect(ended.transactionInfo.stoppedReason).toBe('PowerLoss');
    expect(ended.seqNo).toBeGreaterThanOrEqual(before - 1);
    const seqNos = ofTx.map((e) => e.seqNo);
    expect(new Set(seqNos).size).toBe(seqNos.length); // never reused, also across the kill
    expect(seqNos).toEqual([...seqNos].sort((a, b) => a - b));
    // Written ahead of sending: the kill may leave at most one number unused.
    expect(Math.max(...seqNos) + 1 - seqNos.length).toBeLessThanOrEqual(1);
  });
});
