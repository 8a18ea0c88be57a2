/**
 * Monitoring beyond setting monitors, over a strict 2.0.1 CSMS with the virtual clock:
 * GetMonitoringReport (criteria, componentVariable, paging), SetMonitoringBase and the
 * preconfigured over-current monitors, SetMonitoringLevel (the severity filter) with the
 * MonitoringCtrlr variables that show them, and PeriodicClockAligned monitors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDataType, GetMonitoringReportRequest, NotifyMonitoringReportRequest } from '../../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, T0, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';
import { PRECONFIGURED_ID_BASE } from './Monitoring201.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const EVSE1 = { name: 'EVSE', evse: { id: 1 } };
const EVSE2 = { name: 'EVSE', evse: { id: 2 } };
const MONITORING = { name: 'MonitoringCtrlr' };
const events = (f: Agent201Fixture): EventDataType[] => f.sent('NotifyEvent').flatMap((n) => n.eventData);

async function charging(f: Agent201Fixture): Promise<void> {
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap('04A1B2C3D4E5F6');
  await f.advance(5 * SECOND);
  expect(f.agent.connectors[0]!.status).toBe('Charging');
}

/** The report pages of one GetMonitoringReport (its answer Accepted). */
async function report(f: Agent201Fixture, requestId: number, request: Omit<GetMonitoringReportRequest, 'requestId'> = {}): Promise<NotifyMonitoringReportRequest[]> {
  const before = f.csms.count('NotifyMonitoringReport');
  const { status } = await f.call('GetMonitoringReport', { requestId, ...request });
  expect(status).toBe('Accepted');
  await f.settle();
  await f.waitForSent('NotifyMonitoringReport', before + 1);
  for (let i = 0; i < 100 && f.sent('NotifyMonitoringReport').at(-1)?.tbc; i++) await f.settle();
  return f.sent('NotifyMonitoringReport').filter((r) => r.requestId === requestId);
}

const setting = async (f: Agent201Fixture, variable: string): Promise<string | undefined> =>
  (await f.call('GetVariables', { getVariableData: [{ component: MONITORING, variable: { name: variable } }] })).getVariableResult[0]!.attributeValue;

describe('GetMonitoringReport', () => {
  it('reports the monitors asked for by criteria and component/variable, in pages of ItemsPerMessage with seqNo and tbc; EmptyResultSet when none match', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    // 25 custom Delta monitors on EVSE 1 Current, one UpperThreshold on EVSE 2 Power; the two preconfigured over-current monitors.
    const deltas = Array.from({ length: 25 }, (_, i) => ({ type: 'Delta' as const, value: i + 1, severity: 6, component: EVSE1, variable: { name: 'Current' } }));
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [...deltas, { type: 'UpperThreshold', value: 5000, severity: 4, component: EVSE2, variable: { name: 'Power' } }] as never });
    expect(set.every((r) => r.status === 'Accepted')).toBe(true);

    const all = await report(f, 1);
    expect(all.map((p) => [p.seqNo, p.tbc])).toEqual([[0, true], [1, false]]);
    const monitors = all.flatMap((p) => p.monitor ?? []).flatMap((m) => m.variableMonitoring.map((v) => ({ evse: m.component.evse?.id, variable: m.variable.name, ...v })));
    expect(monitors).toHaveLength(28);
    expect(all[0]!.monitor!.flatMap((m) => m.variableMonitoring)).toHaveLength(20);
    expect(monitors.filter((m) => m.type === 'Delta').map((m) => m.value)).toEqual(deltas.map((d) => d.value));
    expect(monitors.filter((m) => m.id > PRECONFIGURED_ID_BASE)).toEqual([
      { evse: 1, variable: 'Current', id: PRECONFIGURED_ID_BASE + 1, type: 'UpperThreshold', value: 32, severity: 3, transaction: true },
      { evse: 2, variable: 'Current', id: PRECONFIGURED_ID_BASE + 2, type: 'UpperThreshold', value: 32, severity: 3, transaction: true },
    ]);

    const thresholdsOfEvse2 = await report(f, 2, { monitoringCriteria: ['ThresholdMonitoring'], componentVariable: [{ component: EVSE2 }] });
    expect(thresholdsOfEvse2).toHaveLength(1);
    expect(thresholdsOfEvse2[0]).toMatchObject({ seqNo: 0, tbc: false });
    expect(thresholdsOfEvse2[0]!.monitor!.map((m) => [m.variable.name, m.variableMonitoring.map((v) => v.type)])).toEqual([['Current', ['UpperThreshold']], ['Power', ['UpperThreshold']]]);

    const powerOnly = await report(f, 3, { componentVariable: [{ component: { name: 'EVSE' }, variable: { name: 'Power' } }] });
    expect(powerOnly[0]!.monitor).toEqual([{ component: EVSE2, variable: { name: 'Power' }, variableMonitoring: [{ id: set[25]!.id, type: 'UpperThreshold', value: 5000, severity: 4, transaction: false }] }]);

    expect((await f.call('GetMonitoringReport', { requestId: 4, monitoringCriteria: ['PeriodicMonitoring'] })).status).toBe('EmptyResultSet');
    expect((await f.call('GetMonitoringReport', { requestId: 5, componentVariable: [{ component: { name: 'OCPPCommCtrlr' } }] })).status).toBe('EmptyResultSet');
  });
});

describe('SetMonitoringBase', () => {
  it('HardWiredOnly removes the custom and preconfigured monitors, All brings the preconfigured ones back; a preconfigured monitor cannot be cleared', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await setting(f, 'ActiveMonitoringBase')).toBe('All');
    expect((await f.call('ClearVariableMonitoring', { id: [PRECONFIGURED_ID_BASE + 1] })).clearMonitoringResult[0]).toMatchObject({ status: 'Rejected' });
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [{ type: 'UpperThreshold', value: 1000, severity: 4, component: EVSE1, variable: { name: 'Power' } }] });

    expect((await f.call('SetMonitoringBase', { monitoringBase: 'HardWiredOnly' })).status).toBe('Accepted');
    expect(await setting(f, 'ActiveMonitoringBase')).toBe('HardWiredOnly');
    expect((await f.call('GetMonitoringReport', { requestId: 1 })).status).toBe('EmptyResultSet');
    await charging(f);
    await f.advance(5 * SECOND);
    expect(f.csms.count('NotifyEvent')).toBe(0); // the custom monitor is gone

    expect((await f.call('SetMonitoringBase', { monitoringBase: 'All' })).status).toBe('Accepted');
    expect(await setting(f, 'ActiveMonitoringBase')).toBe('All');
    const back = await report(f, 2);
    expect(back.flatMap((p) => p.monitor ?? []).flatMap((m) => m.variableMonitoring.map((v) => v.id))).toEqual([PRECONFIGURED_ID_BASE + 1]);
    expect((await f.call('ClearVariableMonitoring', { id: [set[0]!.id!] })).clearMonitoringResult[0]).toMatchObject({ status: 'NotFound' });
  });

  it('the preconfigured over-current monitor: an EV drawing more than the hardware maximum during a transaction trips it, and it clears', async () => {
    // It checks the readings the station takes anyway: here the sampled meter values every 5 s.
    const f = await agent201Fixture({ connectors: 1, ocpp: { MeterValueSampleInterval: 5 } });
    const ev = f.sim.connectors[0]!.ev;
    ev.setModel({ batteryKWh: 60, maxCurrentA: 40, phases: 3 });
    ev.ignorePwm(); // draws its own 40 A whatever the 32 A the charger offers
    await charging(f);
    await f.advance(5 * SECOND);
    await f.waitForSent('NotifyEvent');
    const tripped = events(f).find((e) => e.eventNotificationType === 'PreconfiguredMonitor');
    expect(tripped).toMatchObject({ trigger: 'Alerting', variableMonitoringId: PRECONFIGURED_ID_BASE + 1, component: EVSE1, variable: { name: 'Current' }, actualValue: '40', transactionId: expect.any(String) });
    ev.ignorePwm(false);
    await f.call('SetChargingProfile', { evseId: 0, chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] }] } });
    await f.advance(10 * SECOND);
    expect(events(f).filter((e) => e.eventNotificationType === 'PreconfiguredMonitor').at(-1)).toMatchObject({ cleared: true, actualValue: '20' });
  });
});

describe('SetMonitoringLevel', () => {
  it('only events with a severity number up to the level are reported; ActiveMonitoringLevel shows it; a level beyond 9 is Rejected', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await setting(f, 'ActiveMonitoringLevel')).toBe('9');
    expect((await f.call('SetMonitoringLevel', { severity: 3 })).status).toBe('Accepted');
    expect((await f.call('SetMonitoringLevel', { severity: 10 })).status).toBe('Rejected');
    expect(await setting(f, 'ActiveMonitoringLevel')).toBe('3');
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [
      { type: 'UpperThreshold', value: 1000, severity: 4, component: EVSE1, variable: { name: 'Power' } },
      { type: 'UpperThreshold', value: 2000, severity: 2, component: EVSE1, variable: { name: 'Power' } },
      { type: 'Periodic', value: 1, severity: 9, component: EVSE1, variable: { name: 'Current' } },
    ] });
    await charging(f);
    await f.waitForSent('NotifyEvent');
    await f.advance(3 * SECOND);
    expect(events(f).map((e) => e.variableMonitoringId)).toEqual([set[1]!.id]);
  });
});

describe('PeriodicClockAligned', () => {
  it('reports at each multiple of its interval from midnight, not from when it was set', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await f.advance(7 * SECOND);
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [{ type: 'PeriodicClockAligned', value: 60, severity: 7, component: EVSE1, variable: { name: 'Current' } }] });
    expect(set[0]!.status).toBe('Accepted');
    await f.advance(130 * SECOND, 5 * SECOND);
    expect(events(f).map((e) => [e.trigger, e.timestamp, e.actualValue])).toEqual([
      ['Periodic', new Date(T0 + 60 * SECOND).toISOString(), '0'],
      ['Periodic', new Date(T0 + 120 * SECOND).toISOString(), '0'],
    ]);
  });
});
