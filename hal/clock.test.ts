import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { delayOn, OffsetClock, SimulatedClock, SystemClock, TimerQueue } from './clock.js';

describe('TimerQueue', () => {
  it('pops timers in due order, same-time timers in arming order, and skips cancelled ones', () => {
    const q = new TimerQueue();
    const fired: string[] = [];
    q.add(30, () => fired.push('c'));
    q.add(10, () => fired.push('a1'));
    const cancelled = q.add(20, () => fired.push('x'));
    q.add(10, () => fired.push('a2'));
    q.cancel(cancelled);
    expect(q.size).toBe(3);
    expect(q.peekTime()).toBe(10);
    for (let t = q.popDue(100); t; t = q.popDue(100)) t.fn();
    expect(fired).toEqual(['a1', 'a2', 'c']);
    expect(q.size).toBe(0);
  });

  it('does not pop a timer before it is due', () => {
    const q = new TimerQueue();
    q.add(50, () => undefined);
    expect(q.popDue(49)).toBeUndefined();
    expect(q.popDue(50)).toBeDefined();
  });

  it('fires exactly the live timers in (due time, arming order) under any mix of add, cancel and pop', () => {
    // Cancel removes from the middle of the heap: a reference model checks every order it can reach.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), at: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('pop' as const), now: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const q = new TimerQueue();
        const model: { id: number; at: number; seq: number }[] = [];
        const fired: number[] = [];
        const expected: number[] = [];
        let seq = 0;
        const popModel = (now: number) => {
          model.sort((a, b) => a.at - b.at || a.seq - b.seq);
          while (model.length > 0 && model[0]!.at <= now) expected.push(model.shift()!.id);
        };
        for (const o of ops) {
          if (o.kind === 'add') {
            const s = seq++;
            const id = q.add(o.at, () => fired.push(id));
            model.push({ id, at: o.at, seq: s });
          } else if (o.kind === 'cancel') {
            if (model.length === 0) continue;
            const [gone] = model.splice(o.pick % model.length, 1);
            q.cancel(gone!.id);
          } else {
            for (let t = q.popDue(o.now); t; t = q.popDue(o.now)) t.fn();
            popModel(o.now);
          }
          expect(q.size).toBe(model.length);
          expect(q.peekTime()).toBe(model.length ? Math.min(...model.map((m) => m.at)) : undefined);
        }
        for (let t = q.popDue(Infinity); t; t = q.popDue(Infinity)) t.fn();
        popModel(Infinity);
        expect(fired).toEqual(expected);
      }),
    );
  });
});

describe('SimulatedClock', () => {
  it('fires timers when advanced, each seeing its own due time', () => {
    const clock = new SimulatedClock(1000);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 500);
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 100); // armed from inside a timer
    }, 200);
    clock.advance(1000);
    expect(seen).toEqual([1200, 1300, 1500]);
    expect(clock.now()).toBe(2000);
    expect(clock.pendingTimers).toBe(0);
  });

  it('advanceAsync settles between timers and steps', async () => {
    const clock = new SimulatedClock(0);
    const order: string[] = [];
    clock.setTimeout(() => order.push('t@1500'), 1500);
    await clock.advanceAsync(3000, async () => void order.push(`settle@${clock.now()}`), 1000);
    expect(order).toEqual(['settle@0', 'settle@1000', 't@1500', 'settle@1500', 'settle@2000', 'settle@3000']);
  });
});

describe('SystemClock', () => {
  afterEach(() => vi.useRealTimers());

  it('runs every user on one Node timer, in due order', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = new SystemClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(2), 200);
    clock.setTimeout(() => fired.push(1), 100);
    const cancelled = clock.setTimeout(() => fired.push(99), 150);
    clock.clearTimeout(cancelled);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(250);
    expect(fired).toEqual([1, 2]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('handles delays beyond the 2^31-1 ms Node limit without firing early', () => {
    vi.useFakeTimers({ now: 0 });
    const clock = new SystemClock();
    let fired = false;
    const thirtyDays = 30 * 86_400_000; // beyond 2^31-1 ms (24.8 days)
    const armed = vi.spyOn(globalThis, 'setTimeout');
    clock.setTimeout(() => (fired = true), thirtyDays);
    expect(armed.mock.calls.at(-1)![1]).toBeLessThanOrEqual(2 ** 31 - 1);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toBe(false);
    vi.advanceTimersByTime(thirtyDays - (2 ** 31 - 1));
    expect(fired).toBe(true);
  });
});

describe('OffsetClock', () => {
  it('reads the inner time plus the offset setTime gave it; its timers are the inner clock’s durations', () => {
    const inner = new SimulatedClock(1_000_000);
    const clock = new OffsetClock(inner);
    expect(clock.now()).toBe(1_000_000);
    clock.setTime(5_000_000);
    expect(clock.now()).toBe(5_000_000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 1000);
    inner.advance(1000);
    expect(fired).toEqual([5_001_000]);
    clock.setTime(Number.NaN); // an unparsable currentTime changes nothing
    expect(clock.now()).toBe(5_001_000);
  });
});

describe('delayOn', () => {
  class Cancelled extends Error {}

  it('resolves after the delay on the given clock, and rejects with the caller\'s error when aborted first or before', async () => {
    const clock = new SimulatedClock(0);
    const controller = new AbortController();
    let done = false;
    const waiting = delayOn(clock, 5000, controller.signal, () => new Cancelled()).then(() => (done = true));
    clock.advance(4999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await waiting;
    expect(done).toBe(true);

    const aborted = delayOn(clock, 5000, controller.signal, () => new Cancelled());
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(Cancelled);
    await expect(delayOn(clock, 1, controller.signal, () => new Cancelled())).rejects.toBeInstanceOf(Cancelled);
  });
});
