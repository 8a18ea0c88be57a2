/**
 * Smart charging over OCPP 2.0.1 against a strict 2.0.1 CSMS: SetChargingProfile,
 * GetChargingProfiles → ReportChargingProfiles, GetCompositeSchedule, ClearChargingProfile and
 * RequestStartTransaction's chargingProfile, all through the one charging-limit service the 1.6 face
 * uses, so what is Accepted drives the pilot's offer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChargingProfileType } from '../../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';

const profile = (over: Partial<ChargingProfileType> & { limit?: number } = {}): ChargingProfileType => {
  const { limit = 10, ...rest } = over;
  return {
    id: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Relative',
    chargingSchedule: [{ id: 7, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] }],
    ...rest,
  };
};
const offerOf = (f: Agent201Fixture, evse = 1) => f.sim.connectors[evse - 1]!.pilot.currentOfferA;
const entries = async (f: Agent201Fixture) =>
  (await f.call('GetVariables', { getVariableData: [{ component: { name: 'SmartChargingCtrlr' }, variable: { name: 'Entries', instance: 'ChargingProfiles' } }] })).getVariableResult[0]!.attributeValue;

async function cardSession(f: Agent201Fixture): Promise<string> {
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap(CARD);
  await f.advance(SECOND);
  await f.waitForSent('TransactionEvent');
  return f.sent('TransactionEvent')[0]!.transactionInfo.transactionId;
}

describe('SetChargingProfile, GetChargingProfiles, GetCompositeSchedule, ClearChargingProfile', () => {
  it('a TxDefaultProfile limits the offer, is reported back as it was set, composes, and clears', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('SetChargingProfile', { evseId: 0, chargingProfile: profile({ limit: 10 }) })).toEqual({ status: 'Accepted' });
    expect(await entries(f)).toBe('1');
    await cardSession(f);
    expect(offerOf(f)).toBe(10);

    expect(await f.call('GetCompositeSchedule', { evseId: 1, duration: 600 })).toEqual({
      status: 'Accepted',
      schedule: { evseId: 1, duration: 600, scheduleStart: expect.any(String), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
    });
    const inW = await f.call('GetCompositeSchedule', { evseId: 1, duration: 60, chargingRateUnit: 'W' });
    expect(inW.schedule!.chargingSchedulePeriod[0]!.limit).toBe(10 * 230 * 3);
    expect(await f.call('GetCompositeSchedule', { evseId: 2, duration: 60 })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });

    expect(await f.call('GetChargingProfiles', { requestId: 5, chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' } })).toEqual({ status: 'Accepted' });
    await f.waitForSent('ReportChargingProfiles');
    expect(f.sent('ReportChargingProfiles')).toEqual([{ requestId: 5, chargingLimitSource: 'CSO', evseId: 0, tbc: false, chargingProfile: [profile({ limit: 10 })] }]);
    expect(await f.call('GetChargingProfiles', { requestId: 6, chargingProfile: { chargingLimitSource: ['EMS'] } })).toEqual({ status: 'NoProfiles' });
    expect(await f.call('GetChargingProfiles', { requestId: 7, evseId: 1, chargingProfile: {} })).toEqual({ status: 'NoProfiles' });

    expect(await f.call('ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'TxProfile' } })).toEqual({ status: 'Unknown' });
    expect(await f.call('ClearChargingProfile', { chargingProfileId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    expect(offerOf(f)).toBe(32);
    expect(await entries(f)).toBe('0');
    expect(await f.call('ClearChargingProfile', { chargingProfileId: 1 })).toEqual({ status: 'Unknown' });
  });

  it('Rejected with a reason: an EVSE not ours, a purpose on the wrong EVSE, external constraints, several schedules, a TxProfile without its transaction', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('SetChargingProfile', { evseId: 2, chargingProfile: profile() })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
    expect(await f.call('SetChargingProfile', { evseId: 1, chargingProfile: profile({ chargingProfilePurpose: 'ChargingStationMaxProfile' }) })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidProfile' } });
    expect(await f.call('SetChargingProfile', { evseId: 0, chargingProfile: profile({ chargingProfilePurpose: 'ChargingStationExternalConstraints' }) })).toMatchObject({ status: 'Rejected' });
    const two = profile();
    two.chargingSchedule = [two.chargingSchedule[0], { ...two.chargingSchedule[0], id: 8 }];
    expect(await f.call('SetChargingProfile', { evseId: 0, chargingProfile: two })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedParam' } });
    expect(await f.call('SetChargingProfile', { evseId: 1, chargingProfile: profile({ chargingProfilePurpose: 'TxProfile', transactionId: '123' }) })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
    expect(await f.call('SetChargingProfile', { evseId: 0, chargingProfile: profile({ stackLevel: 9 }) })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidProfile' } });
    expect(await entries(f)).toBe('0');
  });

  it('a TxProfile for the running transaction binds at once and ends with it; another transactionId is Rejected', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const id = await cardSession(f);
    expect(await f.call('SetChargingProfile', { evseId: 1, chargingProfile: profile({ id: 3, chargingProfilePurpose: 'TxProfile', transactionId: '999', limit: 8 }) })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
    expect(await f.call('SetChargingProfile', { evseId: 1, chargingProfile: profile({ id: 3, chargingProfilePurpose: 'TxProfile', transactionId: id, limit: 8 }) })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    expect(offerOf(f)).toBe(8);
    expect(await f.call('GetChargingProfiles', { requestId: 1, evseId: 1, chargingProfile: { chargingProfileId: [3] } })).toEqual({ status: 'Accepted' });
    await f.waitForSent('ReportChargingProfiles');
    expect(f.sent('ReportChargingProfiles')[0]).toMatchObject({ evseId: 1, chargingProfile: [{ id: 3, chargingProfilePurpose: 'TxProfile', transactionId: id }] });
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(await f.call('GetChargingProfiles', { requestId: 2, chargingProfile: {} })).toEqual({ status: 'NoProfiles' });
  });
});

describe('RequestStartTransaction with a chargingProfile', () => {
  it('the TxProfile binds before the first offer and ends with the transaction; a profile that is not a TxProfile is Rejected', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const offers: number[] = [];
    f.sim.connectors[0]!.pilot.on('offer', (a) => void offers.push(a));
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP', type: 'Central' }, remoteStartId: 1, evseId: 1, chargingProfile: profile({ chargingProfilePurpose: 'TxDefaultProfile' }) })).toEqual({ status: 'Rejected' });
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP', type: 'Central' }, remoteStartId: 2, evseId: 1, chargingProfile: profile({ chargingProfilePurpose: 'TxProfile', transactionId: '1' }) })).toEqual({ status: 'Rejected' });
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP', type: 'Central' }, remoteStartId: 3, evseId: 1, chargingProfile: profile({ id: 4, chargingProfilePurpose: 'TxProfile', limit: 6 }) })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent');
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ eventType: 'Started', transactionInfo: { remoteStartId: 3 } });
    expect(offers.filter((a) => a > 0)).toEqual([6]); // never the connector's 32 A first
    expect(await f.call('RequestStopTransaction', { transactionId: f.sent('TransactionEvent')[0]!.transactionInfo.transactionId })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(f.agent.chargingLimits.profiles).toEqual([]);
  });
});

describe('the local (MQTT) limit as the station\'s external constraint (K12)', () => {
  it('NotifyChargingLimit (EMS) when set and on a significant change, ClearedChargingLimit when removed; reported as a ChargingStationExternalConstraints profile and in the composite schedule; not settable by the CSMS', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    const limits = f.agent.chargingLimits;
    const setAt = f.clock.now();
    limits.setLocalLimit(1, 16);
    await f.waitForSent('NotifyChargingLimit');
    expect(f.sent('NotifyChargingLimit')).toEqual([{
      chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: false },
      evseId: 1,
      chargingSchedule: [{ id: 1_000_000_001, startSchedule: new Date(setAt).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
    }]);

    // Reported with source EMS (by source, purpose, EVSE or id), never among the CSMS's own.
    expect(await f.call('SetChargingProfile', { evseId: 0, chargingProfile: profile({ limit: 20 }) })).toEqual({ status: 'Accepted' });
    expect(await f.call('GetChargingProfiles', { requestId: 1, chargingProfile: {} })).toEqual({ status: 'Accepted' });
    await f.waitForSent('ReportChargingProfiles', 2);
    const external = { id: 1_000_000_001, stackLevel: 0, chargingProfilePurpose: 'ChargingStationExternalConstraints', chargingProfileKind: 'Absolute', chargingSchedule: f.sent('NotifyChargingLimit')[0]!.chargingSchedule };
    expect(f.sent('ReportChargingProfiles')).toEqual([
      { requestId: 1, chargingLimitSource: 'CSO', evseId: 0, tbc: true, chargingProfile: [profile({ limit: 20 })] },
      { requestId: 1, chargingLimitSource: 'EMS', evseId: 1, tbc: false, chargingProfile: [external] },
    ]);
    expect(await f.call('GetChargingProfiles', { requestId: 2, chargingProfile: { chargingLimitSource: ['EMS'] } })).toEqual({ status: 'Accepted' });
    expect(await f.call('GetChargingProfiles', { requestId: 3, evseId: 1, chargingProfile: { chargingProfilePurpose: 'ChargingStationExternalConstraints' } })).toEqual({ status: 'Accepted' });
    await f.waitForSent('ReportChargingProfiles', 4);
    expect(f.sent('ReportChargingProfiles').slice(2)).toEqual([
      { requestId: 2, chargingLimitSource: 'EMS', evseId: 1, tbc: false, chargingProfile: [external] },
      { requestId: 3, chargingLimitSource: 'EMS', evseId: 1, tbc: false, chargingProfile: [external] },
    ]);
    expect(await f.call('GetChargingProfiles', { requestId: 4, evseId: 2, chargingProfile: { chargingLimitSource: ['EMS'] } })).toEqual({ status: 'NoProfiles' });
    expect(await f.call('GetChargingProfiles', { requestId: 5, chargingProfile: { chargingLimitSource: ['CSO'], chargingProfileId: [1_000_000_001] } })).toEqual({ status: 'NoProfiles' });

    // The composite schedule is what the EVSE follows: capped by the external limit.
    expect((await f.call('GetCompositeSchedule', { evseId: 1, duration: 60 })).schedule!.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 16 }]);
    expect((await f.call('GetCompositeSchedule', { evseId: 2, duration: 60 })).schedule!.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 20 }]);

    // The CSMS can neither set nor clear it.
    expect(await f.call('SetChargingProfile', { evseId: 1, chargingProfile: { ...external, id: 9 } as ChargingProfileType })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedParam' } });
    expect(await f.call('ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'ChargingStationExternalConstraints' } })).toEqual({ status: 'Unknown' });
    expect(await f.call('ClearChargingProfile', { chargingProfileId: 1_000_000_001 })).toEqual({ status: 'Unknown' });

    // 16 → 15 A is 6 %, below the default LimitChangeSignificance (0.1): not told; 15 → 12 A is 25 % of the 16 A told: told.
    limits.setLocalLimit(1, 15);
    await f.settle();
    expect(f.sent('NotifyChargingLimit')).toHaveLength(1);
    limits.setLocalLimit(1, 12);
    await f.waitForSent('NotifyChargingLimit', 2);
    expect(f.sent('NotifyChargingLimit')[1]).toMatchObject({ evseId: 1, chargingSchedule: [{ chargingSchedulePeriod: [{ startPeriod: 0, limit: 12 }] }] });

    limits.setLocalLimit(1, undefined);
    await f.waitForSent('ClearedChargingLimit');
    expect(f.sent('ClearedChargingLimit')).toEqual([{ chargingLimitSource: 'EMS', evseId: 1 }]);
    expect(await f.call('GetChargingProfiles', { requestId: 6, chargingProfile: { chargingLimitSource: ['EMS'] } })).toEqual({ status: 'NoProfiles' });
    await f.settle();
    expect(f.sent('NotifyChargingLimit')).toHaveLength(2);
    expect(f.sent('ClearedChargingLimit')).toHaveLength(1);
  });

  it('a limit set while the CSMS cannot be reached is told after the next Accepted registration (the latest one, once)', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const limits = f.agent.chargingLimits;
    for (const client of f.csms.clients) await client.close({ force: true });
    await vi.waitFor(() => expect(f.agent.link.isAccepted).toBe(false), { timeout: 5000, interval: 5 });
    limits.setLocalLimit(1, 20);
    limits.setLocalLimit(1, 10);
    await f.advance(5 * SECOND);
    await f.waitForSent('NotifyChargingLimit');
    await f.settle();
    expect(f.csms.clients.length).toBeGreaterThan(1); // it did reconnect
    expect(f.sent('NotifyChargingLimit')).toEqual([expect.objectContaining({ evseId: 1, chargingSchedule: [expect.objectContaining({ chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] })] })]);
  });
});

describe('SmartChargingCtrlr.LimitChangeSignificance and TransactionEvent ChargingRateChanged', () => {
  const significance = { component: { name: 'SmartChargingCtrlr' }, variable: { name: 'LimitChangeSignificance' } };

  it('a change of the limit in force by more than the significance is an Updated ChargingRateChanged with the new offered current, numbered in order; smaller changes are not', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect((await f.call('GetVariables', { getVariableData: [significance] })).getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '0.1' });
    await cardSession(f);
    const limits = f.agent.chargingLimits;
    limits.setLocalLimit(1, 30); // 32 → 30 A: 6 %
    await f.advance(SECOND);
    limits.setLocalLimit(1, 16); // 32 → 16 A: 50 %
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sent('TransactionEvent')[1]).toMatchObject({
      eventType: 'Updated', triggerReason: 'ChargingRateChanged', seqNo: 1, evse: { id: 1, connectorId: 1 },
      meterValue: [{ sampledValue: [{ value: 16, measurand: 'Current.Offered', context: 'Other', unitOfMeasure: { unit: 'A' } }] }],
    });
    expect(f.sent('TransactionEvent')[1]!.transactionInfo.chargingState).toBeUndefined();

    // Honoured and writable: at 0.5, 16 → 10 A (37.5 %) is not significant, 16 → 6 A (62.5 %) is.
    expect((await f.call('SetVariables', { setVariableData: [{ ...significance, attributeValue: '0.5' }] })).setVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted' });
    expect((await f.call('SetVariables', { setVariableData: [{ ...significance, attributeValue: 'ten' }] })).setVariableResult[0]).toMatchObject({ attributeStatus: 'Rejected' });
    limits.setLocalLimit(1, 10);
    await f.advance(SECOND);
    expect(f.sent('TransactionEvent')).toHaveLength(2);
    limits.setLocalLimit(1, 6);
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 3);
    expect(f.sent('TransactionEvent')[2]).toMatchObject({ triggerReason: 'ChargingRateChanged', seqNo: 2, meterValue: [{ sampledValue: [{ value: 6 }] }] });

    // A charging profile moves the limit in force just the same (TxProfile 6 → 2 A, 67 %: below the pilot's 6 A, so SuspendedEVSE too).
    const id = f.sent('TransactionEvent')[0]!.transactionInfo.transactionId;
    expect(await f.call('SetChargingProfile', { evseId: 1, chargingProfile: profile({ id: 2, chargingProfilePurpose: 'TxProfile', transactionId: id, limit: 2 }) })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 6);
    const events = f.sent('TransactionEvent').map((e) => [e.seqNo, e.eventType, e.triggerReason]);
    expect(events.slice(3)).toEqual([
      [3, 'Updated', 'ChargingStateChanged'],
      [4, 'Updated', 'ChargingRateChanged'],
      [5, 'Ended', 'EVCommunicationLost'],
    ]);
  });

  it('a significant change during an outage is journaled then: sent after the reconnection with offline true, in order with the stop', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await cardSession(f);
    for (const client of f.csms.clients) await client.close({ force: true });
    await vi.waitFor(() => expect(f.agent.link.isAccepted).toBe(false), { timeout: 5000, interval: 5 });
    f.agent.chargingLimits.setLocalLimit(1, 8);
    await f.settle();
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(5 * SECOND);
    await f.waitForSent('TransactionEvent', 3);
    expect(f.sent('TransactionEvent').map((e) => [e.seqNo, e.eventType, e.triggerReason, e.offline ?? false])).toEqual([
      [0, 'Started', 'Authorized', false],
      [1, 'Updated', 'ChargingRateChanged', true],
      [2, 'Ended', 'EVCommunicationLost', true],
    ]);
    expect(f.sent('TransactionEvent')[1]).toMatchObject({ meterValue: [{ sampledValue: [{ value: 8, measurand: 'Current.Offered' }] }] });
    await f.waitForSent('NotifyChargingLimit');
  });
});
