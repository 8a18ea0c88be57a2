import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import type { RelayState } from '../index.js';
import { outcomeOf, rejectionCode } from '../contract/observers.js';
import { SimRelay } from './SimRelay.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function relay(options: { actuationDelayMs?: number; deadlineMs?: number } = {}) {
  const clock = new SimulatedClock();
  const r = new SimRelay({ id: 'relay:1', clock, ...options });
  const states: RelayState[] = [];
  r.on('state', (s) => states.push(s));
  return { clock, relay: r, states };
}

describe('SimRelay', () => {
  it('confirms at once by default, without the clock moving', async () => {
    const { clock, relay: r } = relay();
    await r.close();
    expect(r.state).toBe('closed');
    expect(clock.pendingTimers).toBe(0);
  });

  it('with an actuation delay, confirms only when the clock reaches it', async () => {
    const { clock, relay: r, states } = relay({ actuationDelayMs: 30 });
    const closing = outcomeOf(r.close());
    clock.advance(29);
    await flush();
    expect(closing.settled).toBe(false);
    expect(r.state).toBe('open');
    clock.advance(1);
    await flush();
    expect(closing.resolved).toBe(true);
    expect(states).toEqual(['closed']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('arms its deadline when called, so a synchronous clock.advance() sees it', async () => {
    const { clock, relay: r } = relay({ deadlineMs: 100 });
    r.stick();
    const closing = outcomeOf(r.close());
    clock.advance(100);
    await flush();
    expect(rejectionCode(closing)).toBe('RELAY_STUCK');
  });

  it('runs commands in order: open() issued during a close waits for it', async () => {
    const { clock, relay: r, states } = relay({ actuationDelayMs: 30 });
    const closing = outcomeOf(r.close());
    const opening = outcomeOf(r.open());
    clock.advance(30);
    await flush();
    expect(closing.resolved).toBe(true);
    expect(opening.settled).toBe(false);
    clock.advance(30);
    await flush();
    expect(opening.resolved).toBe(true);
    expect(states).toEqual(['closed', 'open']);
  });

  it('is stuck when it moves slower than its deadline', async () => {
    const { clock, relay: r } = relay({ actuationDelayMs: 150, deadlineMs: 100 });
    const closing = outcomeOf(r.close());
    clock.advance(200);
    await flush();
    expect(rejectionCode(closing)).toBe('RELAY_STUCK');
    expect(r.state).toBe('open');
    expect(clock.pendingTimers).toBe(0);
  });

  it('welded while open: the next close succeeds, and then it will not open', async () => {
    const { clock, relay: r } = relay();
    r.weld();
    await r.close();
    const opening = outcomeOf(r.open());
    clock.advance(r.deadlineMs);
    await flush();
    expect(rejectionCode(opening)).toBe('RELAY_WELDED');
    expect(r.state).toBe('closed');
  });

  it('after repair of a weld, open() works but close() stays refused (RELAY_WELDED latched)', async () => {
    const { clock, relay: r } = relay();
    await r.close();
    r.weld();
    const opening = r.open().catch(() => undefined);
    clock.advance(r.deadlineMs);
    await opening;
    r.repair();
    await r.open();
    expect(r.state).toBe('open');
    await expect(r.close()).rejects.toMatchObject({ code: 'RELAY_WELDED' });
  });

  it('release() cancels the deadline timer of a pending command', async () => {
    const { clock, relay: r } = relay();
    r.stick();
    const closing = outcomeOf(r.close());
    await r.release();
    await flush();
    expect(rejectionCode(closing)).toBe('DEVICE_CLOSED');
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects nonsensical timing options', () => {
    const clock = new SimulatedClock();
    expect(() => new SimRelay({ id: 'r', clock, deadlineMs: 0 })).toThrow(/deadlineMs/);
    expect(() => new SimRelay({ id: 'r', clock, actuationDelayMs: -1 })).toThrow(/actuationDelayMs/);
  });
});
