/**
 * The OCPP 2.0.1 device model over a real socket to a strict 2.0.1 CSMS: GetVariables and
 * SetVariables with their per-variable statuses, values shared with the 1.6 keys (a change in one
 * vocabulary is the other's value and changes behaviour), and GetBaseReport in NotifyReport pages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201 } from '../../../test/support/agent201Fixture.js';
import type { NotifyReportRequest, ReportDataType } from '../../ocpp201/messages.js';
import { VARIABLES } from './deviceModelVariables.js';

afterEach(cleanupAgents201);

const SECOND = 1000;

describe('GetVariables', () => {
  it('answers each variable with its own status, in request order', async () => {
    const f = await agent201Fixture();
    const { getVariableResult } = await f.call('GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'NoSuchCtrlr' }, variable: { name: 'Enabled' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchVariable' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'MaxSet' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageAttempts', instance: 'TransactionEvent' } },
        { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'EVSE', evse: { id: 3 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'Connector', evse: { id: 1, connectorId: 2 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } },
        { component: { name: 'TxCtrlr' }, variable: { name: 'TxStartPoint' } },
        { component: { name: 'TxCtrlr' }, variable: { name: 'TxStopPoint' } },
      ],
    });
    expect(getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
      ['Accepted', '3600'], // the interval of the Accepted boot
      ['UnknownComponent', undefined],
      ['UnknownVariable', undefined],
      ['NotSupportedAttributeType', undefined],
      ['Accepted', '3'],
      ['Accepted', 'Available'],
      ['UnknownComponent', undefined],
      ['Accepted', 'Available'],
      ['UnknownComponent', undefined],
      ['Accepted', 'AGENT-201'],
      ['Accepted', 'PowerPathClosed'],
      ['Accepted', 'EVConnected,Authorized'],
    ]);
    expect(getVariableResult[3]).toMatchObject({ attributeType: 'MaxSet', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } });
  });

  it('takes at most DeviceDataCtrlr.ItemsPerMessage[GetVariables] entries (SetVariables likewise): more are refused as a whole, none applied', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const limits = await f.call('GetVariables', {
      getVariableData: [
        { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetVariables' } },
        { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'SetVariables' } },
      ],
    });
    const [maxGet, maxSet] = limits.getVariableResult.map((r) => Number(r.attributeValue));
    const heartbeat = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    expect((await f.call('GetVariables', { getVariableData: Array.from({ length: maxGet! }, () => heartbeat) as [typeof heartbeat] })).getVariableResult).toHaveLength(maxGet!);
    await expect(f.call('GetVariables', { getVariableData: Array.from({ length: maxGet! + 1 }, () => heartbeat) as [typeof heartbeat] })).rejects.toMatchObject({ rpcErrorCode: 'OccurrenceConstraintViolation' });
    const set = Array.from({ length: maxSet! + 1 }, (_, i) => ({ ...heartbeat, attributeValue: String(60 + i) }));
    await expect(f.call('SetVariables', { setVariableData: set as [(typeof set)[number]] })).rejects.toMatchObject({ rpcErrorCode: 'OccurrenceConstraintViolation' });
    expect(f.config.getInt('HeartbeatInterval')).toBe(3600);
  });

  it('reads what a connector is doing now', async () => {
    const f = await agent201Fixture();
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(SECOND);
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [{ component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'AvailabilityState' } }] });
    expect(getVariableResult[0]!.attributeValue).toBe('Occupied');
  });
});

describe('EVSE.Current and EVSE.Power MinSet', () => {
  it('is the least limit at which the EVSE still offers power (the pilot\'s 6 A): readable, reported constant, not settable', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const current = { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Current' } };
    const power = { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } };
    const phases = f.sim.hardware.connectors[0]!.meter.phases;
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [{ ...current, attributeType: 'MinSet' }, { ...power, attributeType: 'MinSet' }, { ...current, attributeType: 'Target' }] });
    expect(getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([['Accepted', '6'], ['Accepted', String(6 * 230 * phases)], ['Accepted', '0']]); // Target: nothing offered while idle
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ ...current, attributeType: 'MinSet', attributeValue: '8' }] });
    expect(setVariableResult[0]).toMatchObject({ attributeStatus: 'Rejected', attributeType: 'MinSet', attributeStatusInfo: { reasonCode: 'ReadOnly' } });
    await f.call('GetReport', { requestId: 5, componentVariable: [current] });
    await f.waitForSent('NotifyReport');
    expect(f.sent('NotifyReport')[0]!.reportData![0]!.variableAttribute).toEqual([
      expect.objectContaining({ type: 'Actual', mutability: 'ReadOnly' }),
      { type: 'Target', value: '0', mutability: 'ReadOnly', persistent: false, constant: false },
      { type: 'MinSet', value: '6', mutability: 'ReadOnly', persistent: true, constant: true },
      { type: 'MaxSet', value: String(f.sim.hardware.connectors[0]!.pilot.maxCurrentA), mutability: 'ReadOnly', persistent: false, constant: false },
    ]);
  });
});

describe('EVSE.Current and EVSE.Power Target', () => {
  it('is the current the pilot offers the vehicle now: 0 idle, the limit in force while charging, lower after a charging limit, not settable', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const current = { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Current' }, attributeType: 'Target' as const };
    const power = { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'Target' as const };
    const phases = f.sim.hardware.connectors[0]!.meter.phases;
    const target = async (): Promise<(string | undefined)[]> => (await f.call('GetVariables', { getVariableData: [current, power] })).getVariableResult.map((r) => r.attributeValue);
    expect(await target()).toEqual(['0', '0']);

    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    const offered = f.sim.hardware.connectors[0]!.pilot.currentOfferA;
    expect(offered).toBeGreaterThanOrEqual(6);
    expect(await target()).toEqual([String(offered), String(Math.round(offered * 230 * phases))]);

    // A charging limit lowers the offer, and the Target with it.
    await f.call('SetChargingProfile', {
      evseId: 1,
      chargingProfile: { id: 7, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: [{ id: 1, startSchedule: new Date(f.clock.now()).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] },
    });
    await f.advance(2000);
    expect(f.sim.hardware.connectors[0]!.pilot.currentOfferA).toBe(10);
    expect(await target()).toEqual(['10', String(Math.round(10 * 230 * phases))]);
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ ...current, attributeValue: '16' }] });
    expect(setVariableResult[0]).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } });
  });
});

describe('SetVariables', () => {
  it('changes the stored configuration the 1.6 keys read, and the behaviour follows (Accepted means honoured)', async () => {
    const f = await agent201Fixture();
    const { setVariableResult } = await f.call('SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '60' },
        { component: { name: 'AuthCacheCtrlr' }, variable: { name: 'Enabled' }, attributeValue: 'false' },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedMeasurands' }, attributeValue: 'Energy.Active.Import.Register,Current.Import' },
      ],
    });
    expect(setVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'Accepted', 'Accepted']);
    expect(f.config.getInt('HeartbeatInterval')).toBe(60);
    expect(f.config.getBool('AuthorizationCacheEnabled')).toBe(false);
    expect(f.config.getList('MeterValuesSampledData')).toEqual(['Energy.Active.Import.Register', 'Current.Import']);
    // What follows from a key changes with it: TxStopPoint says whether unplugging ends a transaction.
    await f.call('SetVariables', { setVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'StopTxOnEVSideDisconnect' }, attributeValue: 'false' }] });
    const stop = await f.call('GetVariables', { getVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'TxStopPoint' } }] });
    expect(stop.getVariableResult[0]!.attributeValue).toBe('Authorized');
    // The heartbeat runs on the new interval at once.
    await f.advance(60 * SECOND);
    await f.waitForSent('Heartbeat');
    // GetVariables reads back what was set.
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [{ component: { name: 'AuthCacheCtrlr' }, variable: { name: 'Enabled' } }] });
    expect(getVariableResult[0]!.attributeValue).toBe('false');
  });

  it('rejects read-only variables and values the variable does not take, and leaves them as they were', async () => {
    const f = await agent201Fixture();
    const { setVariableResult } = await f.call('SetVariables', {
      setVariableData: [
        { component: { name: 'ChargingStation' }, variable: { name: 'Model' }, attributeValue: 'other' },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedMeasurands' }, attributeValue: 'Energy.Active.Import.Register,Bogus' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '-5' },
        { component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' }, attributeValue: '5' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '60', attributeType: 'Target' },
        { component: { name: 'TxCtrlr' }, variable: { name: 'NoSuchVariable' }, attributeValue: '1' },
        { component: { name: 'TxCtrlr' }, variable: { name: 'TxStartPoint' }, attributeValue: 'DataSigned' },
      ],
    });
    expect(setVariableResult.map((r) => r.attributeStatus)).toEqual(['Rejected', 'Rejected', 'Rejected', 'Rejected', 'NotSupportedAttributeType', 'UnknownVariable', 'Rejected']);
    expect(setVariableResult[0]!.attributeStatusInfo?.reasonCode).toBe('ReadOnly');
    expect(f.config.getInt('HeartbeatInterval')).toBe(3600);
    expect(f.config.getList('MeterValuesSampledData')).toEqual(['Energy.Active.Import.Register']);
  });

  it('TxCtrlr.TxStopPoint takes the stop points this station can honour (no parking bay sensor), as StopTxOnEVSideDisconnect, and the EV leaving then does not end the transaction', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const stopPoint = { component: { name: 'TxCtrlr' }, variable: { name: 'TxStopPoint' } };
    const { setVariableResult } = await f.call('SetVariables', {
      setVariableData: [
        { ...stopPoint, attributeValue: 'ParkingBayOccupancy,EVConnected' },
        { ...stopPoint, attributeValue: 'Authorized' },
      ],
    });
    expect(setVariableResult.map((r) => [r.attributeStatus, r.attributeStatusInfo?.reasonCode])).toEqual([['Rejected', 'UnsupportedParam'], ['Accepted', undefined]]);
    expect(f.config.getBool('StopTransactionOnEVSideDisconnect')).toBe(false);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    expect(f.agent.transactions.get(1)).toBeDefined(); // only an authorization ends it now
    expect((await f.call('SetVariables', { setVariableData: [{ ...stopPoint, attributeValue: 'Authorized,EVConnected' }] })).setVariableResult[0]!.attributeStatus).toBe('Accepted');
    expect(f.config.getBool('StopTransactionOnEVSideDisconnect')).toBe(true);
    expect((await f.call('GetVariables', { getVariableData: [stopPoint] })).getVariableResult[0]!.attributeValue).toBe('EVConnected,Authorized');
  });

  it('applies entries in order: the last value for a variable is the one kept', async () => {
    const f = await agent201Fixture();
    await f.call('SetVariables', {
      setVariableData: [
        { component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' }, attributeValue: '30' },
        { component: { name: 'TxCtrlr' }, variable: { name: 'EVConnectionTimeOut' }, attributeValue: '90' },
      ],
    });
    expect(f.config.getInt('ConnectionTimeOut')).toBe(90);
  });
});

describe('GetBaseReport', () => {
  const reports = (f: { sent(a: 'NotifyReport'): NotifyReportRequest[] }, requestId: number) => f.sent('NotifyReport').filter((r) => r.requestId === requestId);
  // BasicAuthPassword exists only with the connection security service, which this station lacks.
  // Nor certificate management (SecurityCtrlr.CertificateEntries, MaxCertificateChainSize).
  const perStation = VARIABLES.filter((v) => v.scope === 'station' && !v.onlyWhenOwned && !v.present).length;
  // Nor temperature sensors (TemperatureSensor.Temperature).
  const perEvse = VARIABLES.filter((v) => v.scope !== 'station' && !v.present).length;

  it('FullInventory: every variable of the station and of each EVSE, in pages of ItemsPerMessage with seqNo and tbc', async () => {
    const f = await agent201Fixture();
    expect(await f.call('GetBaseReport', { requestId: 7, reportBase: 'FullInventory' })).toEqual({ status: 'Accepted' });
    const total = perStation + 2 * perEvse;
    const pages = Math.ceil(total / 20);
    await f.waitForSent('NotifyReport', pages);
    const sent = reports(f, 7);
    expect(sent.map((r) => r.seqNo)).toEqual(Array.from({ length: pages }, (_, i) => i));
    expect(sent.map((r) => r.tbc)).toEqual(Array.from({ length: pages }, (_, i) => i < pages - 1));
    expect(sent.every((r) => (r.reportData?.length ?? 0) <= 20)).toBe(true);
    const data = sent.flatMap((r) => r.reportData ?? []);
    expect(data).toHaveLength(total);
    expect(data).toContainEqual({
      component: { name: 'OCPPCommCtrlr' },
      variable: { name: 'HeartbeatInterval' },
      variableAttribute: [{ type: 'Actual', value: '3600', mutability: 'ReadWrite', persistent: true, constant: false }],
      variableCharacteristics: { dataType: 'integer', unit: 's', minLimit: 0, maxLimit: 2_147_483, supportsMonitoring: false },
    });
    expect(data).toContainEqual(expect.objectContaining({ component: { name: 'Connector', evse: { id: 2, connectorId: 1 } }, variable: { name: 'AvailabilityState' } }));
  });

  it('ConfigurationInventory holds only what the CSMS may set; SummaryInventory the availability of station, EVSEs and connectors', async () => {
    const f = await agent201Fixture();
    await f.call('GetBaseReport', { requestId: 1, reportBase: 'ConfigurationInventory' });
    await f.call('GetBaseReport', { requestId: 2, reportBase: 'SummaryInventory' });
    await f.waitForSent('NotifyReport', 3);
    const configuration = reports(f, 1).flatMap((r) => r.reportData ?? []);
    expect(configuration.length).toBeGreaterThan(10);
    expect(configuration.every((d) => d.variableAttribute[0].mutability === 'ReadWrite')).toBe(true);
    const summary = reports(f, 2).flatMap((r) => r.reportData ?? []);
    expect(summary.map((d) => `${d.component.name}${d.component.evse ? `/${d.component.evse.id}` : ''}=${d.variableAttribute[0].value}`)).toEqual([
      'ChargingStation=Available', 'EVSE/1=Available', 'EVSE/2=Available', 'Connector/1=Available', 'Connector/2=Available',
    ]);
  });

  it('is answered while registration is Pending, with its report sent before the station is accepted', async () => {
    const f = await agent201Fixture({ boot: false, csms: { boot: (n) => (n === 1 ? { status: 'Pending', interval: 600 } : { interval: 3600 }) } });
    await f.waitForSent('BootNotification');
    await f.advance(0);
    expect(f.agent.link.state).toBe('pending');
    expect(await f.call('GetBaseReport', { requestId: 3, reportBase: 'SummaryInventory' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('NotifyReport');
    expect(reports(f, 3)[0]).toMatchObject({ seqNo: 0, tbc: false });
    expect(f.csms.count('StatusNotification')).toBe(0);
  });
});

describe('GetReport', () => {
  const reportOf = (f: { sent(a: 'NotifyReport'): NotifyReportRequest[] }, requestId: number) => f.sent('NotifyReport').filter((r) => r.requestId === requestId);
  const names = (data: readonly ReportDataType[]) =>
    data.map((d) => `${d.component.name}${d.component.evse ? `/${d.component.evse.id}` : ''}.${d.variable.name}${d.variable.instance ? `[${d.variable.instance}]` : ''}`);

  it('componentVariable: a variable, every variable of one EVSE, a variable of a component on every EVSE; paged like a base report', async () => {
    const f = await agent201Fixture();
    expect(await f.call('GetReport', {
      requestId: 21,
      componentVariable: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'EVSE', evse: { id: 2 } } },
        { component: { name: 'Connector' }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageAttempts' } }, // every instance
      ],
    })).toEqual({ status: 'Accepted' });
    await f.waitForSent('NotifyReport');
    const pages = reportOf(f, 21);
    expect(pages.map((p) => [p.seqNo, p.tbc])).toEqual([[0, false]]);
    const perEvse = VARIABLES.filter((v) => v.component === 'EVSE').map((v) => `EVSE/2.${v.variable}`);
    expect(names(pages[0]!.reportData!).sort()).toEqual([
      'OCPPCommCtrlr.HeartbeatInterval', 'OCPPCommCtrlr.MessageAttempts[TransactionEvent]', ...perEvse, 'Connector/1.AvailabilityState', 'Connector/2.AvailabilityState',
    ].sort());
    // Each entry as in a base report: every attribute with its mutability, persistence and constancy.
    expect(pages[0]!.reportData).toContainEqual(expect.objectContaining({
      component: { name: 'EVSE', evse: { id: 2 } },
      variable: { name: 'Current' },
      variableAttribute: expect.arrayContaining([expect.objectContaining({ type: 'Actual', mutability: 'ReadOnly' }), expect.objectContaining({ type: 'MaxSet', mutability: 'ReadOnly' })]),
    }));
  });

  it('componentCriteria Problem: EmptyResultSet while nothing is wrong, then the faulted EVSE and its connector (not the other EVSE)', async () => {
    const f = await agent201Fixture();
    expect(await f.call('GetReport', { requestId: 22, componentCriteria: ['Problem'] })).toEqual({ status: 'EmptyResultSet' });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.connectors[0]!.ev.injectPilotError('E');
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(await f.call('GetReport', { requestId: 23, componentCriteria: ['Problem'], componentVariable: [{ component: { name: 'EVSE' } }, { component: { name: 'Connector' } }] })).toEqual({ status: 'Accepted' });
    await f.waitForSent('NotifyReport');
    const data = reportOf(f, 23).flatMap((p) => p.reportData ?? []);
    expect(new Set(data.map((d) => `${d.component.name}/${d.component.evse?.id}`))).toEqual(new Set(['EVSE/1', 'Connector/1']));
    expect(data.find((d) => d.component.name === 'EVSE' && d.variable.name === 'Problem')!.variableAttribute[0].value).toBe('true');
  });

  it('componentCriteria Enabled / Available: by the component\'s own variable when it has one, else it counts as enabled and available', async () => {
    const f = await agent201Fixture();
    const ask = async (requestId: number, criterion: 'Enabled' | 'Available') => f.call('GetReport', {
      requestId,
      componentCriteria: [criterion],
      componentVariable: [{ component: { name: 'AuthCacheCtrlr' } }, { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    expect(await ask(31, 'Enabled')).toEqual({ status: 'Accepted' });
    await f.call('SetVariables', { setVariableData: [{ component: { name: 'AuthCacheCtrlr' }, variable: { name: 'Enabled' }, attributeValue: 'false' }] });
    expect(await ask(32, 'Enabled')).toEqual({ status: 'Accepted' });
    expect(await ask(33, 'Available')).toEqual({ status: 'Accepted' });
    await f.waitForSent('NotifyReport', 3);
    const reported = (id: number) => names(reportOf(f, id).flatMap((p) => p.reportData ?? []));
    const cache = ['AuthCacheCtrlr.Enabled', 'AuthCacheCtrlr.LifeTime', 'AuthCacheCtrlr.Policy', 'AuthCacheCtrlr.Storage'];
    expect(reported(31)).toEqual(['OCPPCommCtrlr.HeartbeatInterval', ...cache]);
    expect(reported(32)).toEqual(['OCPPCommCtrlr.HeartbeatInterval']); // the cache is disabled now
    expect(reported(33)).toEqual(['OCPPCommCtrlr.HeartbeatInterval', ...cache]);
  });

  it('takes at most ItemsPerMessage[GetReport] componentVariable entries', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const heartbeat = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    await expect(f.call('GetReport', { requestId: 50, componentVariable: Array.from({ length: 21 }, () => heartbeat) as [typeof heartbeat] })).rejects.toMatchObject({ rpcErrorCode: 'OccurrenceConstraintViolation' });
    expect(await f.call('GetReport', { requestId: 51, componentVariable: Array.from({ length: 20 }, () => heartbeat) as [typeof heartbeat] })).toEqual({ status: 'Accepted' });
    await f.waitForSent('NotifyReport');
    expect(f.sent('NotifyReport').map((r) => r.requestId)).toEqual([51]);
  });

  it('nothing that matches: EmptyResultSet and no NotifyReport', async () => {
    const f = await agent201Fixture();
    const none = [
      { component: { name: 'NoSuchCtrlr' } },
      { component: { name: 'EVSE', evse: { id: 3 } } },
      { component: { name: 'Connector', evse: { id: 1, connectorId: 2 } } },
      { component: { name: 'OCPPCommCtrlr', instance: 'x' } },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchVariable' } },
    ] as const;
    for (const [i, cv] of none.entries()) expect(await f.call('GetReport', { requestId: 40 + i, componentVariable: [cv] })).toEqual({ status: 'EmptyResultSet' });
    await f.advance(SECOND);
    expect(f.csms.count('NotifyReport')).toBe(0);
  });
});

describe('RebootRequired', () => {
  it('ClockCtrlr.TimeZone: stored and persisted, answered RebootRequired, in force only after the Agent starts again with the same data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-devmodel-'));
    try {
      const configFile = join(dir, 'ocpp-config.json');
      const zone = { component: { name: 'ClockCtrlr' }, variable: { name: 'TimeZone' } };
      const first = await agent201Fixture({ configFile });
      expect((await first.call('GetVariables', { getVariableData: [zone] })).getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: 'UTC' });
      const { setVariableResult } = await first.call('SetVariables', {
        setVariableData: [
          { ...zone, attributeValue: 'Asia/Tokyo' },
          { ...zone, attributeValue: 'Mars/Olympus_Mons' },
        ],
      });
      expect(setVariableResult.map((r) => [r.attributeStatus, r.attributeStatusInfo?.reasonCode])).toEqual([['RebootRequired', undefined], ['Rejected', 'InvalidValue']]);
      // Stored (what the next start uses), but this run keeps the zone it started with.
      expect((await first.call('GetVariables', { getVariableData: [zone] })).getVariableResult[0]!.attributeValue).toBe('Asia/Tokyo');
      expect(first.agent.timeZone).toBeUndefined();
      await first.config.flush();
      await first.close();

      const second = await agent201Fixture({ configFile });
      expect(second.agent.timeZone).toBe('Asia/Tokyo');
      expect((await second.call('GetVariables', { getVariableData: [zone] })).getVariableResult[0]!.attributeValue).toBe('Asia/Tokyo');
      await second.call('GetBaseReport', { requestId: 9, reportBase: 'ConfigurationInventory' });
      await second.waitForSent('NotifyReport', 2);
      expect(second.sent('NotifyReport').flatMap((r) => r.reportData ?? [])).toContainEqual(expect.objectContaining({
        component: { name: 'ClockCtrlr' },
        variable: { name: 'TimeZone' },
        variableAttribute: [{ type: 'Actual', value: 'Asia/Tokyo', mutability: 'ReadWrite', persistent: true, constant: false }],
      }));
    } finally {
      await cleanupAgents201();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
