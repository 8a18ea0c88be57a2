import { describe, expect, it } from 'vitest';
import { matchesPartial } from './matchesPartial.js';
import { TrafficLog, WaitTimeoutError, parseFrame } from './TrafficLog.js';

describe('parseFrame', () => {
  it('classifies OCPP-J calls, results and errors', () => {
    expect(parseFrame('[2,"a","Heartbeat",{}]')).toEqual({ kind: 'call', action: 'Heartbeat', payload: {}, messageId: 'a' });
    expect(parseFrame('[3,"a",{"currentTime":"x"}]')).toEqual({ kind: 'result', action: undefined, payload: { currentTime: 'x' }, messageId: 'a' });
    expect(parseFrame('[4,"a","GenericError","oops",{}]')).toEqual({
      kind: 'error',
      action: undefined,
      payload: { errorCode: 'GenericError', errorDescription: 'oops', errorDetails: {} },
      messageId: 'a',
    });
  });

  it('calls everything else malformed, keeping a readable message id', () => {
    expect(parseFrame('not json')).toMatchObject({ kind: 'malformed', payload: 'not json', messageId: undefined });
    expect(parseFrame('{"a":1}')).toMatchObject({ kind: 'malformed', messageId: undefined });
    expect(parseFrame('[7,"m","X",{}]')).toMatchObject({ kind: 'malformed', messageId: 'm' });
    expect(parseFrame('[2,"m",{}]')).toMatchObject({ kind: 'malformed', messageId: 'm' });
    expect(parseFrame('[2,5,"Heartbeat",{}]')).toMatchObject({ kind: 'malformed', messageId: undefined });
  });
});

describe('TrafficLog', () => {
  it('ties a result to the call it answers, per charge point and direction', () => {
    const log = new TrafficLog();
    log.append(1, 'A', 'in', '[2,"m","Heartbeat",{}]');
    const other = log.append(2, 'B', 'out', '[3,"m",{}]');
    expect(other.record.action).toBeUndefined();
    const { record, answers } = log.append(3, 'A', 'out', '[3,"m",{"currentTime":"x"}]');
    expect(record.action).toBe('Heartbeat');
    expect(answers?.seq).toBe(1);
    expect(log.append(4, 'A', 'out', '[3,"m",{}]').answers).toBeUndefined();
  });

  it('waits for a future record, or only records after a mark', async () => {
    const log = new TrafficLog();
    log.append(1, 'A', 'in', '[2,"1","Heartbeat",{}]');
    await expect(log.waitFor((r) => r.action === 'Heartbeat')).resolves.toMatchObject({ seq: 1 });
    const next = log.waitFor((r) => r.action === 'Heartbeat', { since: log.mark(), timeoutMs: 1000 });
    log.append(2, 'A', 'in', '[2,"2","Heartbeat",{}]');
    await expect(next).resolves.toMatchObject({ seq: 2 });
  });

  it('matches call payloads partially', async () => {
    const log = new TrafficLog();
    log.append(1, 'A', 'in', '[2,"1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]');
    log.append(2, 'A', 'in', '[2,"2","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Charging"}]');
    await expect(log.waitForCall('A', 'StatusNotification', { status: 'Charging' })).resolves.toMatchObject({ seq: 2 });
    await expect(log.waitForCall('B', 'StatusNotification', undefined, { timeoutMs: 20 })).rejects.toBeInstanceOf(WaitTimeoutError);
  });

  it('says so when nothing was recorded', async () => {
    await expect(new TrafficLog().waitFor(() => true, { timeoutMs: 10, description: 'anything' })).rejects.toThrow(
      'timed out after 10 ms waiting for anything\nno messages were recorded',
    );
  });

  it('keeps only the newest records beyond its limit', () => {
    const log = new TrafficLog(2);
    for (let i = 1; i <= 3; i++) log.append(i, 'A', 'in', `[2,"${i}","Heartbeat",{}]`);
    expect(log.list().map((r) => r.seq)).toEqual([2, 3]);
    expect(log.mark()).toBe(3);
  });

  it('drops old records in chunks: at least its limit, at most 10 % more, newest last', () => {
    const log = new TrafficLog(100);
    const sizes = new Set<number>();
    for (let i = 1; i <= 1000; i++) {
      log.append(i, 'A', 'in', `[2,"${i}","Heartbeat",{}]`);
      if (i >= 100) sizes.add(log.list().length);
    }
    expect(Math.min(...sizes)).toBe(100);
    expect(Math.max(...sizes)).toBe(109);
    const seqs = log.list().map((r) => r.seq);
    expect(seqs.at(-1)).toBe(1000);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => 1001 - seqs.length + k));
  });
});

describe('matchesPartial', () => {
  it('matches subsets of objects, arrays element-wise, primitives exactly', () => {
    expect(matchesPartial({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } })).toBe(true);
    expect(matchesPartial({ a: 1 }, { a: 2 })).toBe(false);
    expect(matchesPartial({ a: [1, { x: 1, y: 2 }] }, { a: [1, { x: 1 }] })).toBe(true);
    expect(matchesPartial({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(matchesPartial('1', 1)).toBe(false);
    expect(matchesPartial(null, {})).toBe(false);
  });
});
