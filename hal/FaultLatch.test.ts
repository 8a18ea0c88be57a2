import { describe, expect, it } from 'vitest';
import type { HalError, HalErrorCode } from './errors.js';
import { FaultLatch } from './FaultLatch.js';

function latch() {
  const events: string[] = [];
  const l = new FaultLatch('dev:1', (e: HalError) => events.push(`fault:${e.code}`), (c: HalErrorCode) => events.push(`cleared:${c}`));
  return { latch: l, events };
}

describe('FaultLatch', () => {
  it('emits a fault once per code until it clears, and returns an error every time', () => {
    const { latch: l, events } = latch();
    const a = l.raise('METER_TIMEOUT', 'first');
    const b = l.raise('METER_TIMEOUT', 'second');
    expect([a.code, b.code, a.device]).toEqual(['METER_TIMEOUT', 'METER_TIMEOUT', 'dev:1']);
    l.clear('METER_TIMEOUT');
    l.clear('METER_TIMEOUT');
    l.raise('METER_TIMEOUT');
    expect(events).toEqual(['fault:METER_TIMEOUT', 'cleared:METER_TIMEOUT', 'fault:METER_TIMEOUT']);
  });

  it('keeps a non-recoverable fault latched', () => {
    const { latch: l, events } = latch();
    l.raise('RELAY_WELDED');
    l.clear('RELAY_WELDED');
    expect(l.active.has('RELAY_WELDED')).toBe(true);
    expect(l.first()).toBe('RELAY_WELDED');
    expect(events).toEqual(['fault:RELAY_WELDED']);
  });
});
