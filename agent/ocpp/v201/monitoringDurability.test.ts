/**
 * What monitoring keeps, over a strict 2.0.1 CSMS with the virtual clock: NotifyEvents that happen
 * while the CSMS cannot be reached wait (as OfflineQueuingSeverity says) and go out in order after
 * the reconnection; monitors, the monitoring level and the waiting events survive a restart of the
 * Agent with the same data directory (the stores `evse run` opens there).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventDataType } from '../../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';
import { StubCsms } from '../testing/StubCsms.js';
import { FileJournal } from '../../store/FileJournal.js';
import { VariableMonitorStore } from '../../store/VariableMonitorStore.js';
import { MAX_QUEUED, type QueuedNotifyEvent } from './NotifyEvents.js';

const dirs: string[] = [];
afterEach(async () => {
  await cleanupAgents201();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const EVSE1 = { name: 'EVSE', evse: { id: 1 } };
const log = pino({ level: 'silent' });
const eventsAt = (csms: StubCsms): EventDataType[] => csms.calls.filter((c) => c.action === 'NotifyEvent').flatMap((c) => (c.params as { eventData: EventDataType[] }).eventData);

async function charging(f: Agent201Fixture): Promise<void> {
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap('04A1B2C3D4E5F6');
  await f.advance(5 * SECOND);
  expect(f.agent.connectors[0]!.status).toBe('Charging');
}

async function offline(f: Agent201Fixture): Promise<number> {
  const { port } = f.csms;
  await f.csms.close();
  await vi.waitFor(() => expect(f.agent.link.isAccepted).toBe(false), { timeout: 5000, interval: 5 });
  return port;
}

/** The stores of one data directory, opened as `evse run` opens them. */
async function openStores(dir: string): Promise<{ store: VariableMonitorStore; queue: FileJournal<QueuedNotifyEvent> }> {
  return {
    store: await VariableMonitorStore.open(join(dir, 'variable-monitors.json'), log),
    queue: await FileJournal.open<QueuedNotifyEvent>({ file: join(dir, 'notify-events.log'), log, name: 'NotifyEvent queue' }),
  };
}

describe('NotifyEvent delivery', () => {
  it('events while offline wait and go out in order after the reconnection; above OfflineQueuingSeverity they are dropped', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { MeterValueSampleInterval: 60 } });
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ component: { name: 'MonitoringCtrlr' }, variable: { name: 'OfflineQueuingSeverity' }, attributeValue: '5' }] });
    expect(setVariableResult[0]!.attributeStatus).toBe('Accepted');
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [
      { type: 'UpperThreshold', value: 1000, severity: 2, component: EVSE1, variable: { name: 'Power' } },
      { type: 'Periodic', value: 30, severity: 8, component: EVSE1, variable: { name: 'Current' } },
    ] });
    const [threshold, periodic] = set.map((r) => r.id!);
    await charging(f);
    await f.waitForSent('NotifyEvent', 2);
    const online = f.sent('NotifyEvent').length;

    const port = await offline(f);
    f.sim.connectors[0]!.ev.unplug(); // the threshold clears (severity 2: kept)
    await f.advance(5 * SECOND);
    f.sim.connectors[0]!.meter.stopAnswering(); // a hardware problem (severity 1: kept)
    await f.advance(2 * MINUTE, 10 * SECOND); // the periodic reports meanwhile (severity 8): dropped
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(f.sent('NotifyEvent')).toHaveLength(online);

    const back = await StubCsms.start({ port, version: '2.0.1', boot: () => ({ interval: 3600 }) });
    try {
      await f.advance(2 * SECOND);
      await vi.waitFor(() => expect(back.count('NotifyEvent')).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 5 });
      await f.settle();
      const delivered = eventsAt(back);
      expect(delivered.slice(0, 2)).toEqual([
        expect.objectContaining({ variableMonitoringId: threshold, cleared: true, eventNotificationType: 'CustomMonitor' }),
        expect.objectContaining({ techCode: 'PowerMeterFailure', component: { name: 'FiscalMetering', evse: { id: 1 } }, eventNotificationType: 'HardWiredNotification' }),
      ]);
      // In the order they happened, and none of the periodic reports from the outage.
      expect(delivered[0]!.eventId).toBeLessThan(delivered[1]!.eventId);
      expect(Date.parse(delivered[0]!.timestamp)).toBeLessThan(Date.parse(delivered[1]!.timestamp));
      expect(delivered.filter((e) => e.variableMonitoringId === periodic)).toEqual([]);
    } finally {
      await f.close();
      await back.close();
    }
  });

  it('an event the CSMS does not answer in time is sent again (the same eventId) before the events after it', async () => {
    let release: (answer: object) => void = () => undefined;
    const unanswered = new Promise<object>((resolve) => (release = resolve));
    const f = await agent201Fixture({ connectors: 1, csms: { answers: { NotifyEvent: (_params, n) => (n === 1 ? unanswered : {}) } } });
    try {
      // Idle at 0 W: the LowerThreshold trips at the first reading, the Periodic reports right after it.
      const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [
        { type: 'LowerThreshold', value: 1, severity: 2, component: EVSE1, variable: { name: 'Power' } },
        { type: 'Periodic', value: 300, severity: 7, component: EVSE1, variable: { name: 'Current' } },
      ] });
      await f.advance(SECOND);
      await f.waitForSent('NotifyEvent');
      await f.advance(60 * SECOND, 5 * SECOND); // the call's 10 s timeout, then the retry 30 s later
      await f.waitForSent('NotifyEvent', 3);
      const sent = f.sent('NotifyEvent').map((n) => n.eventData[0]!);
      expect(sent.map((e) => [e.variableMonitoringId, e.trigger])).toEqual([[set[0]!.id, 'Alerting'], [set[0]!.id, 'Alerting'], [set[1]!.id, 'Periodic']]);
      expect(sent[1]!.eventId).toBe(sent[0]!.eventId);
      expect(sent[2]!.eventId).toBe(sent[0]!.eventId + 1);
      // Sent again 30 s after the timeout (10 s), not at once.
      expect(Date.parse(f.sent('NotifyEvent')[1]!.generatedAt) - Date.parse(f.sent('NotifyEvent')[0]!.generatedAt)).toBe(40 * SECOND);
    } finally {
      release({});
    }
  });

  it(`a long outage keeps at most ${MAX_QUEUED} events: the least severe (oldest first) make room, a hardware problem stays`, async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const { setMonitoringResult: set } = await f.call('SetVariableMonitoring', { setMonitoringData: [{ type: 'Periodic', value: 1, severity: 9, component: EVSE1, variable: { name: 'Power' } }] });
    const port = await offline(f);
    f.sim.connectors[0]!.meter.stopAnswering();
    await f.advance(20 * SECOND, 5 * SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    f.sim.connectors[0]!.meter.answerAgain();
    await f.advance(MAX_QUEUED * SECOND + 30 * SECOND, 10 * SECOND); // well over MAX_QUEUED periodic reports
    const back = await StubCsms.start({ port, version: '2.0.1', boot: () => ({ interval: 3600 }) });
    try {
      await f.advance(2 * SECOND);
      await vi.waitFor(() => expect(back.count('NotifyEvent')).toBeGreaterThanOrEqual(MAX_QUEUED), { timeout: 10_000, interval: 10 });
      const delivered = eventsAt(back).slice(0, MAX_QUEUED);
      const problems = delivered.filter((e) => e.eventNotificationType === 'HardWiredNotification');
      expect(problems.map((e) => [e.techCode, e.cleared ?? false])).toEqual([['PowerMeterFailure', false], ['PowerMeterFailure', true]]);
      const periodic = delivered.filter((e) => e.variableMonitoringId === set[0]!.id);
      expect(periodic).toHaveLength(MAX_QUEUED - 2);
      // The newest kept, in order; the oldest made room.
      const times = delivered.map((e) => Date.parse(e.timestamp));
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(Date.parse(periodic[0]!.timestamp)).toBeGreaterThan(Date.parse(problems[1]!.timestamp));
    } finally {
      await f.close();
      await back.close();
    }
  });
});

describe('across a restart with the same data directory', () => {
  it('custom monitors, the monitoring level and the events not yet delivered are kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-monitoring-'));
    dirs.push(dir);
    let stores = await openStores(dir);
    const first = await agent201Fixture({ connectors: 1, ocpp: { AllowOfflineTxForUnknownId: true }, agent: () => ({ monitoring: stores }) });
    const { setMonitoringResult: set } = await first.call('SetVariableMonitoring', { setMonitoringData: [
      { type: 'UpperThreshold', value: 1000, severity: 2, component: EVSE1, variable: { name: 'Power' } },
      { type: 'Delta', value: 5, severity: 6, transaction: true, component: EVSE1, variable: { name: 'Current' } },
    ] });
    const ids = set.map((r) => r.id!);
    expect((await first.call('SetMonitoringLevel', { severity: 6 })).status).toBe('Accepted');
    await offline(first);
    await charging(first); // the threshold trips while nobody listens
    await first.advance(3 * SECOND);
    await first.close(); // stopped while offline: the event waits on disk
    await stores.queue.close();

    stores = await openStores(dir);
    const second = await agent201Fixture({ connectors: 1, agent: () => ({ monitoring: stores }) });
    try {
      await vi.waitFor(() => expect(second.csms.count('NotifyEvent')).toBe(1), { timeout: 5000, interval: 5 });
      expect(second.sent('NotifyEvent')[0]!.eventData[0]).toMatchObject({ variableMonitoringId: ids[0], trigger: 'Alerting', eventNotificationType: 'CustomMonitor' });
      const level = await second.call('GetVariables', { getVariableData: [{ component: { name: 'MonitoringCtrlr' }, variable: { name: 'ActiveMonitoringLevel' } }] });
      expect(level.getVariableResult[0]!.attributeValue).toBe('6');
      expect((await second.call('GetMonitoringReport', { requestId: 1, monitoringCriteria: ['DeltaMonitoring'] })).status).toBe('Accepted');
      await second.waitForSent('NotifyMonitoringReport');
      expect(second.sent('NotifyMonitoringReport')[0]!.monitor).toEqual([
        { component: EVSE1, variable: { name: 'Current' }, variableMonitoring: [{ id: ids[1], type: 'Delta', value: 5, severity: 6, transaction: true }] },
      ]);
      // The kept threshold still watches; a new monitor gets an id of its own.
      await charging(second);
      await vi.waitFor(() => expect(second.csms.count('NotifyEvent')).toBe(2), { timeout: 5000, interval: 5 });
      expect(second.sent('NotifyEvent')[1]!.eventData[0]).toMatchObject({ variableMonitoringId: ids[0], trigger: 'Alerting' });
      const { setMonitoringResult: again } = await second.call('SetVariableMonitoring', { setMonitoringData: [{ type: 'LowerThreshold', value: 10, severity: 5, component: EVSE1, variable: { name: 'Power' } }] });
      expect(again[0]!.status).toBe('Accepted');
      expect(ids).not.toContain(again[0]!.id);
    } finally {
      await second.close();
      await stores.queue.close();
    }
  });
});
