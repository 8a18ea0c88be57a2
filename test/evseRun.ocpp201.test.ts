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
    // Numbered when journaled: never reused and none unused, whenever the kill came; an event sent
    // but not answered before the kill is sent again as itself (the same number).
    const seqNos = ofTx.map((e) => e.seqNo);
    expect(seqNos).toEqual([...seqNos].sort((a, b) => a - b));
    const distinct = [...new Set(seqNos)];
    expect(distinct).toEqual(distinct.map((_, i) => i));
    for (const n of distinct) expect(new Set(ofTx.filter((e) => e.seqNo === n).map((e) => JSON.stringify(e))).size).toBe(1);
  });

  it('an event sent but not answered before SIGKILL is sent again after the restart as the same event (same seqNo), in two transactions: an Updated, then an Ended', async () => {
    let hang = false;
    csms = await StubCsms.start({ version: '2.0.1', answers: { TransactionEvent: () => (hang ? new Promise<never>(() => undefined) : {}) } });
    dataDir = await mkdtemp(join(tmpdir(), 'evse-201-unanswered-'));
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_SIM_EV_CONNECTED: '1', EVSE_LOG_LEVEL: 'warn', EVSE_OCPP_VERSION: '2.0.1' };
    const c = csms;
    type Event = { eventType: string; seqNo: number; triggerReason: string; transactionInfo: { transactionId: string; stoppedReason?: string } };
    const events = () => c.calls.filter((x) => x.action === 'TransactionEvent').map((x) => x.params as unknown as Event);
    const occupied = () => c.calls.filter((x) => x.action === 'StatusNotification' && x.params.connectorStatus === 'Occupied').length;

    // Run 1: a transaction whose Updated events come every second; one is left unanswered, then the kill.
    agent = spawnEvse(['run'], env);
    await waitFor(() => expect(occupied()).toBe(1));
    await c.client.call('SetVariables', { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '1' }] });
    expect(await c.client.call('RequestStartTransaction', { idToken: { idToken: 'APP-3', type: 'Central' }, remoteStartId: 9, evseId: 1 })).toEqual({ status: 'Accepted' });
    await waitFor(() => expect(c.count('TransactionEvent')).toBeGreaterThanOrEqual(2));
    hang = true;
    const answered = c.count('TransactionEvent');
    await waitFor(() => expect(c.count('TransactionEvent')).toBe(answered + 1));
    const unanswered = events().at(-1)!;
    expect(unanswered.eventType).toBe('Updated');
    await agent.stop('SIGKILL');

    // Run 2: the same Updated again, then the restart's Ended (PowerLoss) with the next number.
    hang = false;
    const beforeRun2 = c.count('TransactionEvent');
    agent = spawnEvse(['run'], env);
    await waitFor(() => expect(events().map((e) => e.eventType)).toContain('Ended'));
    const run2 = events().slice(beforeRun2);
    expect(run2[0]).toEqual(unanswered);
    expect(run2[1]).toMatchObject({ eventType: 'Ended', seqNo: unanswered.seqNo + 1, transactionInfo: { transactionId: unanswered.transactionInfo.transactionId, stoppedReason: 'PowerLoss' } });

    // A second transaction, stopped remotely; its Ended goes unanswered, then the kill.
    await waitFor(() => expect(occupied()).toBe(2));
    expect(await c.client.call('RequestStartTransaction', { idToken: { idToken: 'APP-4', type: 'Central' }, remoteStartId: 10, evseId: 1 })).toEqual({ status: 'Accepted' });
    await waitFor(() => expect(events().filter((e) => e.eventType === 'Started')).toHaveLength(2));
    const second = events().at(-1)!.transactionInfo.transactionId;
    hang = true;
    expect(await c.client.call('RequestStopTransaction', { transactionId: second })).toEqual({ status: 'Accepted' });
    await waitFor(() => expect(events().at(-1)!.eventType).toBe('Ended'));
    const unansweredEnd = events().at(-1)!;
    await agent.stop('SIGKILL');

    // Run 3: the same Ended again (same seqNo, reason and values), and nothing else of that transaction.
    hang = false;
    const beforeRun3 = c.count('TransactionEvent');
    agent = spawnEvse(['run'], env);
    await waitFor(() => expect(c.count('TransactionEvent')).toBeGreaterThan(beforeRun3));
    await waitFor(() => expect(occupied()).toBe(3));
    expect(events().slice(beforeRun3)).toEqual([unansweredEnd]);
    expect(unansweredEnd).toMatchObject({ triggerReason: 'RemoteStop', transactionInfo: { stoppedReason: 'Remote' } });

    // Each transaction: numbers 0.. without a gap; a number seen twice is the same event twice.
    for (const id of [unanswered.transactionInfo.transactionId, second]) {
      const bySeqNo = new Map<number, Event>();
      for (const e of events().filter((x) => x.transactionInfo.transactionId === id)) {
        if (bySeqNo.has(e.seqNo)) expect(e).toEqual(bySeqNo.get(e.seqNo));
        bySeqNo.set(e.seqNo, e);
      }
      const seqNos = [...bySeqNo.keys()];
      expect(seqNos).toEqual(seqNos.map((_, i) => i));
    }
    expect(agent.stderr()).not.toMatch(/"level":60/);
  });
});
