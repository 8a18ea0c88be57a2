import { describe, expect, it } from 'vitest';
import { OutboundQueue, type OutboundMessage } from './OutboundQueue.js';

const msg = (n: number): OutboundMessage => ({ topic: `t/${n}`, payload: String(n), qos: 1, retain: false, sentOn: 0 });
const drain = (q: OutboundQueue) => {
  const out: string[] = [];
  for (let m = q.shift(); m; m = q.shift()) out.push(m.payload);
  return out;
};

describe('OutboundQueue', () => {
  it('keeps order across growth and wrap-around', () => {
    const q = new OutboundQueue(200);
    for (let i = 0; i < 70; i++) q.push(msg(i));
    expect(q.shift()!.payload).toBe('0');
    for (let i = 70; i < 150; i++) q.push(msg(i));
    expect(drain(q)).toEqual(Array.from({ length: 149 }, (_, i) => String(i + 1)));
    expect(q.dropped).toBe(0);
  });

  it('drops the oldest message when full and counts it', () => {
    const q = new OutboundQueue(3);
    for (let i = 0; i < 5; i++) q.push(msg(i));
    expect(q.size).toBe(3);
    expect(q.dropped).toBe(2);
    expect(drain(q)).toEqual(['2', '3', '4']);
  });

  it('rejects a limit below 1', () => {
    expect(() => new OutboundQueue(0)).toThrow(RangeError);
  });
});
