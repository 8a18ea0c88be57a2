/**
 * Transactions of the OCPP 2.0.1 face over a strict 2.0.1 CSMS: the journaled transaction messages
 * go out as TransactionEvent Started / Updated / Ended with one station-made transactionId, seqNo
 * from 0 without gaps, trigger and stopped reasons — also when they waited for the CSMS through an
 * outage — and RequestStartTransaction / RequestStopTransaction through the session service.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StubCsms } from '../testing/StubCsms.js';
import type { TransactionEventRequest } from '../../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const CARD = '04A1B2C3D4E5F6';

async function cardSession(f: Agent201Fixture): Promise<void> {
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap(CARD);
  await f.advance(SECOND);
  await f.waitForSent('TransactionEvent');
}

const events = (f: Agent201Fixture) => f.sent('TransactionEvent');

describe('TransactionEvent', () => {
  it('a card session: Started, Updated per sample, Ended — one transactionId, seqNo 0.. without gaps, reasons from what happened', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { MeterValueSampleInterval: 60 } });
    await cardSession(f);
    await f.advance(2 * MINUTE, 10 * SECOND);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 4);
    const sent = events(f);
    expect(sent.map((e) => [e.eventType, e.seqNo, e.triggerReason])).toEqual([
      ['Started', 0, 'Authorized'],
      ['Updated', 1, 'MeterValuePeriodic'],
      ['Updated', 2, 'MeterValuePeriodic'],
      ['Ended', 3, 'EVCommunicationLost'],
    ]);
    const id = sent[0]!.transactionInfo.transactionId;
    expect(sent.every((e) => e.transactionInfo.transactionId === id)).toBe(true);
    expect(sent[0]).toMatchObject({
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: CARD, type: 'ISO14443' },
      transactionInfo: { chargingState: 'Charging' },
      meterValue: [{ sampledValue: [{ context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register' }] }],
    });
    expect(sent[3]!.transactionInfo.stoppedReason).toBe('EVDisconnected');
    const end = sent[3]!.meterValue!.at(-1)!.sampledValue[0]!;
    expect(end).toMatchObject({ context: 'Transaction.End', measurand: 'Energy.Active.Import.Register' });
    expect(end.value).toBeGreaterThan(sent[0]!.meterValue![0]!.sampledValue[0]!.value);
    // Causal order per EVSE (DESIGN.md §11): Occupied before Started, Available only after Ended.
    const order = f.csms.calls.filter((c) => c.action === 'TransactionEvent' || c.action === 'StatusNotification').map((c) => (c.action === 'TransactionEvent' ? String(c.params.eventType) : String(c.params.connectorStatus)));
    expect(order).toEqual(['Available', 'Occupied', 'Started', 'Updated', 'Updated', 'Ended', 'Available']);
  });

  it('charging state changes: Updated ChargingStateChanged (SuspendedEV, Charging, SuspendedEVSE), EVCommunicationLost (Idle) and CablePluggedIn when the EV leaves and comes back, seqNo without gaps', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { StopTransactionOnEVSideDisconnect: false } });
    await cardSession(f);
    const ev = f.sim.connectors[0]!.ev;
    ev.suspend();
    await f.advance(SECOND);
    ev.resume();
    await f.advance(SECOND);
    // A charging profile of 0 A withholds power: SuspendedEVSE, then Charging again once it is cleared.
    expect(await f.call('SetChargingProfile', { evseId: 1, chargingProfile: { id: 7, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: new Date(f.clock.now()).toISOString(), chargingSchedulePeriod: [{ startPeriod: 0, limit: 0 }] }] } })).toMatchObject({ status: 'Accepted' });
    await f.advance(SECOND);
    expect(await f.call('ClearChargingProfile', { chargingProfileId: 7 })).toMatchObject({ status: 'Accepted' });
    await f.advance(SECOND);
    ev.unplug();
    await f.advance(SECOND);
    ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 10);
    expect(events(f).map((e) => [e.seqNo, e.eventType, e.triggerReason, e.transactionInfo.chargingState])).toEqual([
      [0, 'Started', 'Authorized', 'Charging'],
      [1, 'Updated', 'ChargingStateChanged', 'SuspendedEV'],
      [2, 'Updated', 'ChargingStateChanged', 'Charging'],
      [3, 'Updated', 'ChargingStateChanged', 'SuspendedEVSE'],
      // The limit in force went from 32 A to 0 and back: each a ChargingRateChanged too (no chargingState: it is the one before).
      [4, 'Updated', 'ChargingRateChanged', undefined],
      [5, 'Updated', 'ChargingStateChanged', 'Charging'],
      [6, 'Updated', 'ChargingRateChanged', undefined],
      [7, 'Updated', 'EVCommunicationLost', 'Idle'],
      [8, 'Updated', 'CablePluggedIn', 'Charging'],
      [9, 'Ended', 'StopAuthorized', undefined],
    ]);
    await f.settle();
    expect(events(f)).toHaveLength(10);
    const times = events(f).map((e) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('TxStopPoint and TxStartPoint take the values the station honours: TxStopPoint Authorized keeps a transaction through an unplug, EVConnected,Authorized ends it there; no parking bay sensor, no signed meter: Rejected with a reason', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const set = async (variable: string, attributeValue: string) => (await f.call('SetVariables', { setVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: variable }, attributeValue }] })).setVariableResult[0]!;
    const get = async (variable: string) => (await f.call('GetVariables', { getVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: variable } }] })).getVariableResult[0]!.attributeValue;
    expect(await set('TxStartPoint', 'PowerPathClosed')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await set('TxStartPoint', 'EnergyTransfer')).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'UnsupportedParam' } });
    expect(await set('TxStartPoint', 'Sunrise')).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'InvalidValue' } });
    expect(await set('TxStopPoint', 'DataSigned')).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'UnsupportedParam' } });
    expect(await set('TxStopPoint', 'ParkingBayOccupancy,Authorized')).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'UnsupportedParam', additionalInfo: expect.stringContaining('no parking bay sensor') } });
    expect(await get('TxStopPoint')).toBe('EVConnected,Authorized');
    expect(await get('TxStartPoint')).toBe('PowerPathClosed');

    expect(await set('TxStopPoint', 'Authorized')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await get('TxStopPoint')).toBe('Authorized');
    expect(f.config.getBool('StopTransactionOnEVSideDisconnect')).toBe(false);
    await cardSession(f);
    const ev = f.sim.connectors[0]!.ev;
    ev.unplug();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(events(f)[1]).toMatchObject({ eventType: 'Updated', triggerReason: 'EVCommunicationLost', transactionInfo: { chargingState: 'Idle' } });
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);

    // Written in either order; in effect at once, also for the transaction running now.
    expect(await set('TxStopPoint', 'Authorized,EVConnected')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await get('TxStopPoint')).toBe('EVConnected,Authorized');
    ev.plugIn();
    await f.advance(SECOND);
    ev.unplug();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 4);
    expect(events(f).slice(2).map((e) => [e.eventType, e.triggerReason, e.transactionInfo.stoppedReason])).toEqual([
      ['Updated', 'CablePluggedIn', undefined],
      ['Ended', 'EVCommunicationLost', 'EVDisconnected'],
    ]);
  });

  it('authorized before the cable: the plug-in begins the transaction, its Started says CablePluggedIn (a remote start too, with its remoteStartId)', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.csms.count('TransactionEvent')).toBe(0);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(events(f)[0]).toMatchObject({ eventType: 'Started', seqNo: 0, triggerReason: 'CablePluggedIn', idToken: { idToken: CARD } });
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(5 * SECOND);
    await f.waitForSent('TransactionEvent', 2);

    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP-9', type: 'Central' }, remoteStartId: 99, evseId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 3);
    expect(events(f)[2]).toMatchObject({ eventType: 'Started', seqNo: 0, triggerReason: 'CablePluggedIn', idToken: { idToken: 'APP-9', type: 'Central' }, transactionInfo: { remoteStartId: 99 } });
  });

  it('no charging state event without a transaction (plug-in, EV pause and unplug with nobody authorized)', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const ev = f.sim.connectors[0]!.ev;
    ev.plugIn();
    await f.advance(SECOND);
    ev.suspend();
    await f.advance(SECOND);
    ev.unplug();
    await f.advance(SECOND);
    await f.settle();
    expect(f.csms.count('TransactionEvent')).toBe(0);
  });

  it('through an outage: what happened meanwhile is journaled and delivered in order, marked offline, seqNo continuing', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { MeterValueSampleInterval: 60 } });
    await cardSession(f);
    const { port } = f.csms;
    await f.csms.close();
    await vi.waitFor(() => expect(f.agent.link.isAccepted).toBe(false), { timeout: 5000, interval: 5 });
    await f.advance(3 * MINUTE + SECOND, 10 * SECOND); // three samples while nobody listens
    const back = await StubCsms.start({ port, version: '2.0.1', boot: () => ({ interval: 3600 }) });
    try {
      await f.advance(2 * SECOND);
      await vi.waitFor(() => expect(back.count('TransactionEvent')).toBe(3), { timeout: 5000, interval: 5 });
      const sent = back.calls.filter((c) => c.action === 'TransactionEvent').map((c) => c.params as unknown as TransactionEventRequest);
      expect(sent.map((e) => [e.eventType, e.seqNo, e.offline])).toEqual([
        ['Updated', 1, true],
        ['Updated', 2, true],
        ['Updated', 3, true],
      ]);
      expect(new Set(sent.map((e) => e.transactionInfo.transactionId))).toEqual(new Set([events(f)[0]!.transactionInfo.transactionId]));
      // Registered before: the new connection does not boot again, and every EVSE's status is told again.
      expect(back.count('BootNotification')).toBe(0);
      expect(back.calls.filter((c) => c.action === 'StatusNotification').map((c) => c.params.connectorStatus)).toEqual(['Occupied']);
      const times = sent.map((e) => Date.parse(e.timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // Back online: the next event is not offline.
      f.sim.connectors[0]!.ev.unplug();
      await f.advance(SECOND);
      await vi.waitFor(() => expect(back.count('TransactionEvent')).toBe(4), { timeout: 5000, interval: 5 });
      expect(back.calls.filter((c) => c.action === 'TransactionEvent').at(-1)!.params).toMatchObject({ eventType: 'Ended', seqNo: 4 });
      expect(back.calls.filter((c) => c.action === 'TransactionEvent').at(-1)!.params.offline).toBeUndefined();
    } finally {
      await f.close();
      await back.close();
    }
  });

  it('a session that began before the station was first accepted is reported offline once it is', async () => {
    const f = await agent201Fixture({ connectors: 1, boot: false, ocpp: { AllowOfflineTxForUnknownId: true }, csms: { boot: (n) => (n === 1 ? { status: 'Pending', interval: 60 } : { interval: 3600 }) } });
    await f.waitForSent('BootNotification');
    await f.advance(0);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.csms.count('TransactionEvent')).toBe(0);
    await f.advance(60 * SECOND);
    await f.waitForSent('TransactionEvent');
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ eventType: 'Started', seqNo: 0, offline: true });
  });

  it('RequestStartTransaction: Accepted, and the Started carries its remoteStartId and idToken; RequestStopTransaction ends it (Remote)', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP-USER-1', type: 'Central' }, remoteStartId: 42, evseId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    const [started] = events(f);
    expect(started).toMatchObject({ eventType: 'Started', triggerReason: 'RemoteStart', idToken: { idToken: 'APP-USER-1', type: 'Central' }, transactionInfo: { remoteStartId: 42 } });
    expect(f.csms.count('Authorize')).toBe(0); // AuthorizeRemoteStart is false by default
    expect(await f.call('RequestStopTransaction', { transactionId: 'not-ours' })).toEqual({ status: 'Rejected' });
    expect(await f.call('RequestStopTransaction', { transactionId: started!.transactionInfo.transactionId })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(events(f)[1]).toMatchObject({ eventType: 'Ended', seqNo: 1, triggerReason: 'RemoteStop', transactionInfo: { transactionId: started!.transactionInfo.transactionId, stoppedReason: 'Remote' } });
  });

  it('with AuthCtrlr.AuthorizeRemoteStart the remote idToken is authorized as it came (type Central), then started', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { AuthorizeRemoteTxRequests: true } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP-USER-2', type: 'Central' }, remoteStartId: 43 })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(f.sent('Authorize')).toEqual([{ idToken: { idToken: 'APP-USER-2', type: 'Central' } }]);
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ triggerReason: 'RemoteStart', transactionInfo: { remoteStartId: 43 } });
  });

  it('RequestStartTransaction is Rejected for an EVSE that is not ours, and while registration is Pending', async () => {
    const f = await agent201Fixture({ connectors: 1, boot: false, csms: { boot: (n) => (n === 1 ? { status: 'Pending', interval: 600 } : { interval: 3600 }) } });
    await f.waitForSent('BootNotification');
    await f.advance(0);
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'U', type: 'Central' }, remoteStartId: 1 })).toEqual({ status: 'Rejected' });
    await f.advance(600 * SECOND);
    await f.waitForSent('StatusNotification');
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'U', type: 'Central' }, remoteStartId: 2, evseId: 2 })).toMatchObject({ status: 'Rejected' });
  });
});
