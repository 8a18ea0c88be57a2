/**
 * DeviceDataCtrlr.BytesPerMessage over a strict 2.0.1 CSMS: the limits the station states, a
 * request of ItemsPerMessage entries at the schema's maximum field lengths within them, a larger
 * request answered CallError FormatViolation (B06.FR.17, B08.FR.18; SetVariables alike, none of it
 * applied), and NotifyReport pages within BytesPerMessage[GetReport].
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agent201Fixture, cleanupAgents201 } from '../../../test/support/agent201Fixture.js';
import type { GetVariableDataType, ReportDataType, SetVariableDataType } from '../../ocpp201/messages.js';
import { BYTES_PER_MESSAGE, ITEMS_PER_REQUEST, payloadBytes } from './deviceModelVariables.js';
import { reportPages } from './Ocpp201Station.js';

afterEach(cleanupAgents201);

const DATA = { name: 'DeviceDataCtrlr' };
const x = (n: number) => 'x'.repeat(n);
/** A componentVariable with every field at its schema maximum (names and instances 50 characters). */
const widest = { component: { name: x(50), instance: x(50), evse: { id: 999_999_999, connectorId: 999_999_999 } }, variable: { name: x(50), instance: x(50) } };
/** Vendor data any entry may carry (the schema leaves customData open): what makes a request large. */
const padding = (bytes: number) => ({ customData: { vendorId: 'org.example', pad: x(bytes) } });

describe('DeviceDataCtrlr.BytesPerMessage', () => {
  it('states the three limits, read-only and constant', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const got = await f.call('GetVariables', { getVariableData: (['GetReport', 'GetVariables', 'SetVariables'] as const).map((instance) => ({ component: DATA, variable: { name: 'BytesPerMessage', instance } })) as [GetVariableDataType] });
    expect(got.getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
      ['Accepted', String(BYTES_PER_MESSAGE.GetReport)],
      ['Accepted', String(BYTES_PER_MESSAGE.GetVariables)],
      ['Accepted', String(BYTES_PER_MESSAGE.SetVariables)],
    ]);
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ component: DATA, variable: { name: 'BytesPerMessage', instance: 'GetVariables' }, attributeValue: '1000000' }] });
    expect(setVariableResult[0]).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } });
  });

  it('GetVariables: the widest request of ItemsPerMessage entries is answered; a larger one is CallError FormatViolation', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const widestRequest = { getVariableData: Array.from({ length: ITEMS_PER_REQUEST }, () => ({ ...widest, attributeType: 'MaxSet' as const })) as [GetVariableDataType] };
    expect(payloadBytes(widestRequest)).toBeLessThanOrEqual(BYTES_PER_MESSAGE.GetVariables);
    const answered = await f.call('GetVariables', widestRequest);
    expect(answered.getVariableResult).toHaveLength(ITEMS_PER_REQUEST);
    expect(answered.getVariableResult[0]!.attributeStatus).toBe('UnknownComponent');

    const heartbeat = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    const large = { getVariableData: Array.from({ length: 10 }, () => ({ ...heartbeat, ...padding(BYTES_PER_MESSAGE.GetVariables / 10) })) as unknown as [GetVariableDataType] };
    expect(payloadBytes(large)).toBeGreaterThan(BYTES_PER_MESSAGE.GetVariables);
    await expect(f.call('GetVariables', large)).rejects.toMatchObject({ rpcErrorCode: 'FormatViolation' });
    // Just within the limit: answered.
    const pad = BYTES_PER_MESSAGE.GetVariables - payloadBytes({ getVariableData: [{ ...heartbeat, ...padding(0) }] });
    const within = { getVariableData: [{ ...heartbeat, ...padding(pad) }] as unknown as [GetVariableDataType] };
    expect(payloadBytes(within)).toBe(BYTES_PER_MESSAGE.GetVariables);
    expect((await f.call('GetVariables', within)).getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '3600' });
  });

  it('SetVariables: the widest request is answered; a larger one is CallError FormatViolation and nothing of it is applied', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const widestRequest = { setVariableData: Array.from({ length: ITEMS_PER_REQUEST }, () => ({ ...widest, attributeType: 'MaxSet' as const, attributeValue: x(1000) })) as [SetVariableDataType] };
    expect(payloadBytes(widestRequest)).toBeLessThanOrEqual(BYTES_PER_MESSAGE.SetVariables);
    expect((await f.call('SetVariables', widestRequest)).setVariableResult).toHaveLength(ITEMS_PER_REQUEST);

    const heartbeat = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '120' };
    const large = { setVariableData: [heartbeat, { ...heartbeat, attributeValue: '60', ...padding(BYTES_PER_MESSAGE.SetVariables) }] as unknown as [SetVariableDataType] };
    await expect(f.call('SetVariables', large)).rejects.toMatchObject({ rpcErrorCode: 'FormatViolation' });
    expect(f.config.getInt('HeartbeatInterval')).toBe(3600);
  });

  it('GetReport: the widest componentVariable list is taken; a larger request is CallError FormatViolation, no report follows', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    const widestRequest = { requestId: 1, componentCriteria: ['Active', 'Available', 'Enabled', 'Problem'] as const, componentVariable: Array.from({ length: 20 }, () => widest) as [typeof widest] };
    expect(payloadBytes(widestRequest)).toBeLessThanOrEqual(BYTES_PER_MESSAGE.GetReport);
    expect(await f.call('GetReport', { ...widestRequest, componentCriteria: [...widestRequest.componentCriteria] })).toEqual({ status: 'EmptyResultSet' });

    const large = { requestId: 2, componentVariable: [{ component: { name: 'OCPPCommCtrlr', ...padding(BYTES_PER_MESSAGE.GetReport) } }] as const };
    await expect(f.call('GetReport', { requestId: large.requestId, componentVariable: [...large.componentVariable] })).rejects.toMatchObject({ rpcErrorCode: 'FormatViolation' });
    await f.advance(0);
    expect(f.sent('NotifyReport')).toEqual([]);
  });

  it('every NotifyReport page of a full inventory stays within BytesPerMessage[GetReport]', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    expect(await f.call('GetBaseReport', { requestId: 9, reportBase: 'FullInventory' })).toEqual({ status: 'Accepted' });
    await vi.waitFor(() => expect(f.sent('NotifyReport').at(-1)?.tbc).toBe(false), { timeout: 5000, interval: 5 });
    const pages = f.sent('NotifyReport');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(payloadBytes(page)).toBeLessThanOrEqual(BYTES_PER_MESSAGE.GetReport);
  });
});

describe('reportPages', () => {
  /** A report entry of about `bytes` bytes (a value of 2500 characters at most, as ReportingValueSize allows). */
  const entry = (i: number, value: string): ReportDataType => ({
    component: { name: 'TariffCostCtrlr' },
    variable: { name: 'TariffFallbackMessage', instance: String(i) },
    variableAttribute: [{ type: 'Actual', value, mutability: 'ReadWrite', persistent: true, constant: false }],
    variableCharacteristics: { dataType: 'string', supportsMonitoring: false },
  });
  const generatedAt = '2026-01-01T00:00:00.000Z';

  it('splits by bytes when entries are large, by ItemsPerMessage when they are small, each page within the limit', () => {
    const large = Array.from({ length: 30 }, (_, i) => entry(i, x(2500)));
    const byBytes = reportPages(5, generatedAt, large, 20);
    expect(byBytes.flat()).toEqual(large);
    expect(byBytes.length).toBeGreaterThan(2);
    byBytes.forEach((page, seqNo) => expect(payloadBytes({ requestId: 5, generatedAt, seqNo, tbc: seqNo < byBytes.length - 1, reportData: page })).toBeLessThanOrEqual(BYTES_PER_MESSAGE.GetReport));
    // Full pages: one more entry would not have fitted.
    const first = byBytes[0]!;
    expect(payloadBytes({ requestId: 5, generatedAt, seqNo: 0, tbc: true, reportData: [...first, large[first.length]!] })).toBeGreaterThan(BYTES_PER_MESSAGE.GetReport);

    const small = Array.from({ length: 45 }, (_, i) => entry(i, 'x'));
    expect(reportPages(5, generatedAt, small, 20).map((p) => p.length)).toEqual([20, 20, 5]);
  });

  it('an entry larger than the limit by itself is a page of its own', () => {
    const huge = entry(0, x(BYTES_PER_MESSAGE.GetReport));
    expect(reportPages(1, generatedAt, [entry(1, 'a'), huge, entry(2, 'b')], 20)).toEqual([[entry(1, 'a')], [huge], [entry(2, 'b')]]);
  });
});
