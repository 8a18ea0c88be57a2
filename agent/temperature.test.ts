/**
 * The EVSE's temperature (HAL TemperatureSensor, here the simulated twin) as both OCPP versions
 * tell it, against the strict CSMS of each version on 127.0.0.1: OCPP 2.0.1 as the device model's
 * TemperatureSensor.Temperature (Actual, reported, monitorable: NotifyEvent from a threshold
 * monitor), OCPP 1.6 as the Temperature measurand of MeterValues (location Body, unit Celsius).
 * Without sensors neither is offered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventDataType } from './ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../test/support/agent201Fixture.js';
import { agentFixture, cleanupAgents, startSession } from '../test/support/agentFixture.js';

afterEach(cleanupAgents201);
afterEach(cleanupAgents);

const SECOND = 1000;
const SENSOR1 = { name: 'TemperatureSensor', evse: { id: 1 } };
const TEMPERATURE = { name: 'Temperature' };
const events = (f: Agent201Fixture): EventDataType[] => f.sent('NotifyEvent').flatMap((n) => n.eventData);

async function actual(f: Agent201Fixture): Promise<unknown> {
  const { getVariableResult } = await f.call('GetVariables', { getVariableData: [{ component: SENSOR1, variable: TEMPERATURE }] });
  return getVariableResult[0];
}

describe('OCPP 2.0.1: TemperatureSensor.Temperature', () => {
  it('Actual is the sensor’s last reading, reported with its unit and as monitorable; unknown while the sensor has no value', async () => {
    const f = await agent201Fixture({ connectors: 2, temperatureC: 24.5 });
    expect(await actual(f)).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '24.5' });
    f.sim.connectors[0]!.temperature!.set(48.3);
    expect(await actual(f)).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '48.3' });
    f.sim.connectors[0]!.temperature!.disconnect();
    expect(await actual(f)).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '' });

    await f.call('GetBaseReport', { requestId: 7, reportBase: 'FullInventory' });
    await f.waitForSent('NotifyReport');
    await f.advance(SECOND);
    const reported = f.sent('NotifyReport').flatMap((r) => r.reportData ?? []).filter((d) => d.component.name === 'TemperatureSensor');
    expect(reported.map((d) => d.component.evse?.id).sort()).toEqual([1, 2]);
    expect(reported[0]).toMatchObject({ variable: TEMPERATURE, variableAttribute: [{ mutability: 'ReadOnly' }], variableCharacteristics: { unit: 'Celsius', dataType: 'decimal', supportsMonitoring: true } });
  });

  it('an UpperThreshold monitor: Alerting when the EVSE gets hotter, cleared once it cools; a sensor without a value sends nothing', async () => {
    const f = await agent201Fixture({ connectors: 1, temperatureC: 30 });
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [
      { type: 'UpperThreshold', value: 60, severity: 2, component: SENSOR1, variable: TEMPERATURE },
      { type: 'UpperThreshold', value: 60, severity: 2, component: { name: 'TemperatureSensor', evse: { id: 2 } }, variable: TEMPERATURE },
    ] });
    expect(set.map((r) => r.status)).toEqual(['Accepted', 'UnknownComponent']);
    const sensor = f.sim.connectors[0]!.temperature!;
    await f.advance(3 * SECOND);
    expect(events(f)).toEqual([]);
    sensor.set(65.2);
    await f.advance(2 * SECOND);
    await f.waitForSent('NotifyEvent');
    expect(events(f)).toEqual([
      expect.objectContaining({ trigger: 'Alerting', actualValue: '65.2', component: SENSOR1, variable: TEMPERATURE, variableMonitoringId: set[0]!.id, eventNotificationType: 'CustomMonitor' }),
    ]);
    sensor.disconnect();
    await f.advance(5 * SECOND);
    expect(events(f)).toHaveLength(1);
    sensor.set(41);
    sensor.reconnect();
    await f.advance(2 * SECOND);
    await f.waitForSent('NotifyEvent', 2);
    expect(events(f)[1]).toMatchObject({ trigger: 'Alerting', cleared: true, actualValue: '41', component: SENSOR1 });
  });

  it('without sensors there is no TemperatureSensor to read or watch; and 2.0.1 has no Temperature measurand', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await actual(f)).toMatchObject({ attributeStatus: 'UnknownComponent' });
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [{ type: 'UpperThreshold', value: 60, severity: 2, component: SENSOR1, variable: TEMPERATURE }] });
    expect(set[0]!.status).toBe('UnknownComponent');
    const hot = await agent201Fixture({ connectors: 1, temperatureC: 30 });
    const { setVariableResult } = await hot.call('SetVariables', { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedMeasurands' }, attributeValue: 'Energy.Active.Import.Register,Temperature' }] });
    expect(setVariableResult[0]!.attributeStatus).toBe('Rejected');
  });
});

describe('thermal derating (default: from 60 °C, no power from 80 °C)', () => {
  it('a warm EVSE offers less, a hot one nothing until it has cooled down; the transaction goes on throughout', async () => {
    const f = await agentFixture({ charger: { temperatureC: 30 }, ocpp: { MeterValueSampleInterval: 0 } });
    const sensor = f.sim.connectors[0]!.temperature!;
    const offer = () => f.sim.connectors[0]!.pilot.currentOfferA;
    await startSession(f, '04A1B2C3D4E5F6');
    expect(f.agent.chargingLimits.limitOf(1)).toMatchObject({ amps: 32, source: 'hardware' });
    sensor.set(70); // 32 A − 26 A × (70 − 60) / 20
    await f.advance(SECOND);
    expect(f.agent.chargingLimits.limitOf(1)).toMatchObject({ amps: 19, source: 'temperature', sources: { temperature: 19, hardware: 32 } });
    expect(offer()).toBe(19);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    sensor.set(81);
    await f.advance(5 * SECOND);
    expect(offer()).toBe(0);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEVSE');
    expect(f.sent('StatusNotification').at(-1)).toMatchObject({ connectorId: 1, status: 'SuspendedEVSE', info: 'temperature limit 0 A' });
    sensor.set(77); // above the cut-off less the 5 °C cool-down: still nothing
    await f.advance(5 * SECOND);
    expect(offer()).toBe(0);
    sensor.disconnect(); // no value: the derating stays as it was
    await f.advance(5 * SECOND);
    expect(offer()).toBe(0);
    sensor.set(74);
    sensor.reconnect();
    await f.advance(5 * SECOND);
    expect(offer()).toBe(13); // 32 − 26 × 14 / 20 = 13.8, whole amps down
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    sensor.set(40);
    await f.advance(SECOND);
    expect(f.agent.chargingLimits.limitOf(1)).toMatchObject({ amps: 32, source: 'hardware' });
    expect(f.sent('StopTransaction')).toEqual([]);
  });

  it('OCPP 2.0.1: the derated offer is a ChargingRateChanged of the transaction and the EVSE.Current MaxSet', async () => {
    const f = await agent201Fixture({ connectors: 1, temperatureC: 30 });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(SECOND);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(5 * SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.connectors[0]!.temperature!.set(75);
    await f.advance(2 * SECOND);
    await f.waitForSent('TransactionEvent', 2);
    const changed = f.sent('TransactionEvent').filter((e) => e.triggerReason === 'ChargingRateChanged');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.meterValue?.flatMap((m) => m.sampledValue)).toContainEqual(expect.objectContaining({ measurand: 'Current.Offered', value: 12 }));
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Current' }, attributeType: 'MaxSet' }] });
    expect(getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '12' });
  });

  it('off (thermalDerating: false): the temperature limits nothing', async () => {
    const f = await agentFixture({ charger: { temperatureC: 30 }, agent: { thermalDerating: false } });
    await startSession(f, '04A1B2C3D4E5F6');
    f.sim.connectors[0]!.temperature!.set(90);
    await f.advance(SECOND);
    expect(f.agent.chargingLimits.limitOf(1)).toMatchObject({ amps: 32, source: 'hardware' });
  });
});

describe('OCPP 1.6: the Temperature measurand', () => {
  it('MeterValues of a transaction carry the EVSE temperature (location Body, unit Celsius)', async () => {
    const f = await agentFixture({ charger: { temperatureC: 37.5 }, ocpp: { MeterValueSampleInterval: 60 } });
    expect(await f.csms.call('AGENT-T1', 'ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Energy.Active.Import.Register,Temperature' })).toEqual({ status: 'Accepted' });
    await startSession(f, '04A1B2C3D4E5F6');
    f.sim.connectors[0]!.temperature!.set(52);
    await f.advance(2 * 60 * SECOND, 10 * SECOND);
    const values = f.sent('MeterValues').flatMap((m) => m.meterValue.flatMap((v) => v.sampledValue)).filter((v) => v.measurand === 'Temperature');
    expect(values.length).toBeGreaterThan(0);
    expect(values.at(-1)).toEqual({ value: '52.0', context: 'Sample.Periodic', measurand: 'Temperature', location: 'Body', unit: 'Celsius' });
  });

  it('a charger without temperature sensors refuses the measurand', async () => {
    const f = await agentFixture();
    expect(await f.csms.call('AGENT-T1', 'ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Energy.Active.Import.Register,Temperature' })).toEqual({ status: 'Rejected' });
  });
});
