import { describe, expect, it } from 'vitest';
import { BootGate } from './BootGate.js';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('BootGate', () => {
  it('lets at most `limit` through, hands a freed slot to the first waiter, and counts each release once', async () => {
    const gate = new BootGate(2);
    const a = await gate.enter();
    await gate.enter();
    const third = gate.enter();
    const fourth = gate.enter();
    expect(await settled(third)).toBe(false);
    expect(gate.booting).toBe(2);
    a();
    a(); // a second release of the same slot changes nothing
    expect(await settled(third)).toBe(true);
    expect(await settled(fourth)).toBe(false);
    expect(gate.booting).toBe(2);
    (await third)();
    expect(await settled(fourth)).toBe(true);
    expect(gate.booting).toBe(2);
  });

  it('has no limit at 0, lets every waiter through when opened, and refuses a bad limit naming it', async () => {
    const free = new BootGate(0);
    for (let i = 0; i < 5; i++) await free.enter();
    expect(free.booting).toBe(5);
    const gate = new BootGate(1);
    await gate.enter();
    const waiting = [gate.enter(), gate.enter()];
    gate.open();
    expect(await settled(Promise.all(waiting))).toBe(true);
    expect(gate.booting).toBe(3);
    expect(() => new BootGate(-1)).toThrow(/maxBooting .* got -1/);
    expect(() => new BootGate(Number.NaN)).toThrow(/maxBooting/);
  });

  it('hands slots to thousands of waiters in arrival order (across the queue’s compaction)', async () => {
    const gate = new BootGate(1);
    let release = await gate.enter();
    const order: number[] = [];
    const waiters = Array.from({ length: 3000 }, (_, i) => gate.enter().then((r) => (order.push(i), r)));
    for (let i = 0; i < 3000; i++) {
      release();
      release = await waiters[i]!;
    }
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(gate.booting).toBe(1);
    const late = [gate.enter(), gate.enter()];
    gate.open();
    expect(await settled(Promise.all(late))).toBe(true);
    expect(gate.booting).toBe(3);
  });
});
