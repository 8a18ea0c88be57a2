/**
 * Device model attributes and variable monitoring over OCPP 2.0.1 against a strict 2.0.1 CSMS:
 * EVSE.Power / EVSE.Current with Actual (the meter) and MaxSet (the limit in force), and custom
 * monitors on them (SetVariableMonitoring / ClearVariableMonitoring) reported by NotifyEvent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDataType } from '../../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const EVSE1 = { name: 'EVSE', evse: { id: 1 } };
const events = (f: Agent201Fixture): EventDataType[] => f.sent('NotifyEvent').flatMap((n) => n.eventData);

async function charging(f: Agent201Fixture): Promise<void> {
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap('04A1B2C3D4E5F6');
  await f.advance(5 * SECOND);
  expect(f.agent.connectors[0]!.status).toBe('Charging');
}

describe('EVSE.Power and EVSE.Current', () => {
  it('Actual is what the meter measures, MaxSet the limit in force, Target the offer of the pilot (read-only)', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await f.call('SetChargingProfile', { evseId: 0, chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] } });
    await charging(f);
    const { getVariableResult: got } = await f.call('GetVariables', { getVariableData: [
      { component: EVSE1, variable: { name: 'Current' }, attributeType: 'MaxSet' },
      { component: EVSE1, variable: { name: 'Current' } },
      { component: EVSE1, variable: { name: 'Power' }, attributeType: 'MaxSet' },
      { component: EVSE1, variable: { name: 'Power' }, attributeType: 'Target' },
    ] });
    expect(got[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '10' });
    expect(Number(got[1]!.attributeValue)).toBeGreaterThan(5);
    expect(Number(got[1]!.attributeValue)).toBeLessThanOrEqual(10);
    expect(got[2]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: String(Math.round(10 * 230 * f.sim.connectors[0]!.meter.phases)) });
    expect(got[3]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: String(Math.round(10 * 230 * f.sim.connectors[0]!.meter.phases)) }); // the 10 A offered
    const { setVariableResult: set } = await f.call('SetVariables', { setVariableData: [{ component: EVSE1, variable: { name: 'Power' }, attributeType: 'MaxSet', attributeValue: '1000' }] });
    expect(set[0]).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } });
  });
});

describe('SetVariableMonitoring / ClearVariableMonitoring', () => {
  it('an UpperThreshold on EVSE.Power: Alerting when charging goes above it, cleared when it ends; cleared monitors stay quiet', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [
      { type: 'UpperThreshold', value: 1000, severity: 4, component: EVSE1, variable: { name: 'Power' } },
      { type: 'PeriodicClockAligned', value: 3600, severity: 8, component: EVSE1, variable: { name: 'Power' } },
      { type: 'UpperThreshold', value: 1, severity: 4, component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      { type: 'UpperThreshold', value: 1, severity: 4, component: { name: 'EVSE', evse: { id: 3 } }, variable: { name: 'Power' } },
      { id: 77, type: 'Delta', value: 1, severity: 4, component: EVSE1, variable: { name: 'Current' } },
      { type: 'UpperThreshold', value: 1000, severity: 2, component: EVSE1, variable: { name: 'Power' } },
    ] });
    expect(set.map((r) => r.status)).toEqual(['Accepted', 'Accepted', 'Rejected', 'UnknownComponent', 'Rejected', 'Duplicate']);
    const id = set[0]!.id!;
    await f.advance(3 * SECOND);
    expect(f.csms.count('NotifyEvent')).toBe(0); // idle: 0 W

    await charging(f);
    await f.waitForSent('NotifyEvent');
    const [tripped] = events(f);
    expect(tripped).toMatchObject({ trigger: 'Alerting', variableMonitoringId: id, eventNotificationType: 'CustomMonitor', component: EVSE1, variable: { name: 'Power' }, transactionId: expect.any(String) });
    expect(Number(tripped!.actualValue)).toBeGreaterThan(1000);
    expect(tripped!.cleared).toBeUndefined();
    await f.advance(5 * SECOND);
    expect(f.csms.count('NotifyEvent')).toBe(1); // once, not at every reading

    f.sim.connectors[0]!.ev.unplug();
    await f.advance(3 * SECOND);
    await f.waitForSent('NotifyEvent', 2);
    expect(events(f)[1]).toMatchObject({ trigger: 'Alerting', variableMonitoringId: id, cleared: true, actualValue: '0' });

    expect((await f.call('ClearVariableMonitoring', { id: [id, 999] })).clearMonitoringResult).toEqual([{ id, status: 'Accepted' }, { id: 999, status: 'NotFound' }]);
    await charging(f);
    await f.advance(5 * SECOND);
    expect(f.csms.count('NotifyEvent')).toBe(2);
  });

  it('Periodic reports the value every period; a transaction-only Delta watches only during the transaction', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [
      { type: 'Periodic', value: 10, severity: 7, component: EVSE1, variable: { name: 'Current' } },
      { type: 'Delta', value: 3, severity: 7, transaction: true, component: EVSE1, variable: { name: 'Current' } },
    ] });
    expect(set.map((r) => r.status)).toEqual(['Accepted', 'Accepted']);
    await f.advance(25 * SECOND, SECOND);
    const periodic = events(f).filter((e) => e.trigger === 'Periodic');
    expect(periodic.map((e) => e.actualValue)).toEqual(['0', '0', '0']);
    expect(events(f).filter((e) => e.trigger === 'Delta')).toEqual([]);
    await charging(f);
    await f.advance(3 * SECOND, SECOND);
    // It counts from the current the transaction began with (16 A, steady).
    expect(events(f).filter((e) => e.trigger === 'Delta')).toEqual([]);
    await f.call('SetChargingProfile', { evseId: 0, chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] } });
    await f.advance(5 * SECOND, SECOND);
    const delta = events(f).filter((e) => e.trigger === 'Delta');
    expect(delta).toHaveLength(1);
    expect(delta[0]).toMatchObject({ variableMonitoringId: set[1]!.id, variable: { name: 'Current' }, actualValue: '10', eventNotificationType: 'CustomMonitor' });
  });
});
