import { describe, expect, it } from 'vitest';
import { MessageOrder } from './MessageOrder.js';

describe('MessageOrder', () => {
  it('runs a job at once when nothing of its connector is out', () => {
    const order = new MessageOrder();
    order.reserve(2);
    const ran: string[] = [];
    order.after(1, order.mark(), () => ran.push('c1'));
    expect(ran).toEqual(['c1']);
  });

  it('holds a job until every ticket of its connector up to its mark is back, then runs the queue in order', () => {
    const order = new MessageOrder();
    const start = order.reserve(1);
    const ran: string[] = [];
    order.after(1, order.mark(), () => ran.push('first'));
    const stop = order.reserve(1);
    order.after(1, order.mark(), () => ran.push('second'));
    order.release(stop); // out of order: the start is still out
    expect(ran).toEqual([]);
    order.release(start);
    expect(ran).toEqual(['first', 'second']);
    order.release(start); // idempotent
    expect(ran).toEqual(['first', 'second']);
  });

  it('does not hold a job for tickets taken after its mark', () => {
    const order = new MessageOrder();
    const mark = order.mark();
    order.reserve(1);
    const ran: string[] = [];
    order.after(1, mark, () => ran.push('status'));
    expect(ran).toEqual(['status']);
  });

  it('a job behind a waiting job waits too (the queue keeps its order)', () => {
    const order = new MessageOrder();
    const t = order.reserve(1);
    const ran: string[] = [];
    order.after(1, order.mark(), () => ran.push('a'));
    order.after(1, 0, () => ran.push('b'));
    expect(ran).toEqual([]);
    order.release(t);
    expect(ran).toEqual(['a', 'b']);
  });

  it('replace drops what still waits for the connector (offline, only the latest status counts)', () => {
    const order = new MessageOrder();
    const t = order.reserve(1);
    const ran: string[] = [];
    order.after(1, order.mark(), () => ran.push('Finishing'));
    order.after(1, order.mark(), () => ran.push('Available'), true);
    order.release(t);
    expect(ran).toEqual(['Available']);
  });

  it('max keeps at most that many waiting, the oldest dropped first (statuses kept through an outage)', () => {
    const order = new MessageOrder();
    const t = order.reserve(1);
    const ran: number[] = [];
    for (let i = 1; i <= 5; i++) order.after(1, order.mark(), () => ran.push(i), false, 3);
    order.release(t);
    expect(ran).toEqual([3, 4, 5]);
  });
});
