import { EventEmitter, errorMonitor, once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { compactListeners } from './compactListeners.js';

const tableOf = (e: EventEmitter) => (e as unknown as { _events: object })._events;

describe('compactListeners', () => {
  it('relies on Node keeping an emitter’s listeners in `_events` (fails here, not in a fleet, if that changes)', () => {
    const e = new EventEmitter();
    const f = () => undefined;
    e.on('a', f);
    expect(Object.getPrototypeOf(tableOf(e))).toBeNull();
    expect((tableOf(e) as Record<string, unknown>).a).toBe(f);
  });

  it('keeps every listener, and on, once, off, emit, error, listenerCount and eventNames work on the compact table', async () => {
    const e = new EventEmitter();
    const seen: string[] = [];
    e.on('a', (x: string) => seen.push(`a1 ${x}`));
    e.on('a', (x: string) => seen.push(`a2 ${x}`));
    const b = (x: string) => seen.push(`b ${x}`);
    e.on('b', b);
    const before = tableOf(e);
    compactListeners(e);
    expect(tableOf(e)).not.toBe(before);
    compactListeners(e); // idempotent
    expect(e.eventNames()).toEqual(['a', 'b']);
    expect(e.listenerCount('a')).toBe(2);
    // Nothing inherited: an event named like an Object.prototype member has no listener.
    expect(e.listenerCount('toString')).toBe(0);
    expect(e.emit('constructor')).toBe(false);
    e.emit('a', 'x');
    e.emit('b', 'y');
    e.once('c', (x: string) => seen.push(`c ${x}`));
    e.emit('c', 'z');
    e.emit('c', 'again');
    e.off('b', b);
    e.emit('b', 'gone');
    expect(seen).toEqual(['a1 x', 'a2 x', 'b y', 'c z']);
    expect(e.eventNames()).toEqual(['a']);
    // 'error' without a listener still throws; with an errorMonitor it is seen first.
    const monitored: unknown[] = [];
    e.on(errorMonitor, (err: unknown) => monitored.push(err));
    expect(() => e.emit('error', new Error('boom'))).toThrow('boom');
    expect(monitored).toHaveLength(1);
    const waiting = once(e, 'd');
    e.emit('d', 1);
    expect(await waiting).toEqual([1]);
    e.removeAllListeners();
    expect(e.eventNames()).toEqual([]);
  });

  it('takes an emitter without listeners, and leaves anything that is not an emitter alone', () => {
    const e = new EventEmitter();
    compactListeners(e);
    e.on('a', () => undefined);
    expect(e.listenerCount('a')).toBe(1);
    const plain = { x: 1 };
    compactListeners(plain);
    compactListeners(undefined);
    expect(plain).toEqual({ x: 1 });
  });

  it('three or more listeners of an event stay in order, once and off work, and the max-listeners warning is not given again', () => {
    const e = new EventEmitter();
    e.setMaxListeners(2);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const seen: number[] = [];
      const third = () => seen.push(3);
      e.on('x', () => seen.push(1));
      e.once('x', () => seen.push(2));
      e.on('x', third);
      compactListeners(e);
      e.on('x', () => seen.push(4));
      e.emit('x');
      e.off('x', third);
      e.emit('x');
      expect(seen).toEqual([1, 2, 3, 4, 1, 4]);
      expect(e.listenerCount('x')).toBe(2);
      return new Promise<void>((resolve) => setImmediate(() => {
        expect(warnings.filter((w) => w === 'MaxListenersExceededWarning')).toHaveLength(1);
        resolve();
      }));
    } finally {
      setImmediate(() => process.off('warning', onWarning));
    }
  });
});
