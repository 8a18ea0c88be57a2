import { describe, expect, it } from 'vitest';
import { formatMessage } from './formatMessage.js';
import type { TrafficRecord } from './TrafficLog.js';

const T = Date.UTC(2025, 0, 1, 12, 0, 3);
const base = { seq: 1, t: T, chargePointId: 'CP001', messageId: 'm1', raw: '' } as const;

describe('formatMessage', () => {
  it('renders a call from a charge point compactly, with the idTag shortened', () => {
    const record: TrafficRecord = {
      ...base,
      direction: 'in',
      kind: 'call',
      action: 'StartTransaction',
      payload: { connectorId: 1, idTag: '04A1B2C3D4', meterStart: 0 },
    };
    expect(formatMessage(record, { utc: true })).toBe('12:00:03 CP001 → StartTransaction {connectorId:1, idTag:"04A1…", meterStart:0}');
  });

  it('renders a result and a CallError sent by the CSMS', () => {
    const result: TrafficRecord = { ...base, direction: 'out', kind: 'result', action: 'StartTransaction', payload: { transactionId: 7, idTagInfo: { status: 'Accepted', parentIdTag: 'PARENT-1' } } };
    expect(formatMessage(result, { utc: true })).toBe('12:00:03 CP001 ← StartTransaction ✓ {transactionId:7, idTagInfo:{status:"Accepted", parentIdTag:"PARE…"}}');
    const error: TrafficRecord = { ...base, direction: 'out', kind: 'error', action: 'Heartbeat', payload: { errorCode: 'FormationViolation', errorDescription: 'bad', errorDetails: {} } };
    expect(formatMessage(error, { utc: true })).toBe('12:00:03 CP001 ← Heartbeat ✗ FormationViolation "bad"');
  });

  it('renders malformed frames and answers to unknown calls', () => {
    const malformed: TrafficRecord = { ...base, direction: 'in', kind: 'malformed', action: undefined, payload: '[2,', raw: '[2,', messageId: undefined };
    expect(formatMessage(malformed, { utc: true })).toBe('12:00:03 CP001 → malformed frame "[2,"');
    const orphan: TrafficRecord = { ...base, direction: 'in', kind: 'result', action: undefined, payload: {} };
    expect(formatMessage(orphan, { utc: true })).toBe('12:00:03 CP001 → ? ✓ {}');
  });

  it('cuts long lines', () => {
    const record: TrafficRecord = { ...base, direction: 'in', kind: 'call', action: 'DataTransfer', payload: { vendorId: 'v', data: 'x'.repeat(500) } };
    const line = formatMessage(record, { utc: true, maxLength: 60 });
    expect(line).toHaveLength(60);
    expect(line.endsWith('…')).toBe(true);
  });
});
