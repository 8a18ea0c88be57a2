import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import type { CardEvent } from '../index.js';
import { SimRfidReader } from './SimRfidReader.js';

function reader(garbageFaultThreshold?: number) {
  const clock = new SimulatedClock();
  const r = new SimRfidReader({ id: 'rfid:0', clock, ...(garbageFaultThreshold && { garbageFaultThreshold }) });
  const cards: CardEvent[] = [];
  r.on('card', (c) => cards.push(c));
  return { clock, reader: r, cards };
}

describe('SimRfidReader', () => {
  it('reports uids as upper-case hex without separators, with technology and clock time', () => {
    const { clock, reader: r, cards } = reader();
    clock.advance(1234);
    r.tap('04:a2:b3:c4', 'EM4100');
    expect(cards).toEqual([{ uid: '04A2B3C4', technology: 'EM4100', timestamp: clock.now() }]);
  });

  it('refuses a uid that is not whole bytes of hex', () => {
    const { reader: r } = reader();
    expect(() => r.tap('XYZ')).toThrow(RangeError);
    expect(() => r.tap('ABC')).toThrow(RangeError);
    expect(() => r.tap('')).toThrow(RangeError);
  });

  it('counts garbage frames and honours its fault threshold', () => {
    const { reader: r } = reader(5);
    const faults: string[] = [];
    r.on('fault', (e) => faults.push(e.code));
    for (let i = 0; i < 4; i++) r.sendGarbage(new Uint8Array([1, 2]));
    expect(faults).toEqual([]);
    r.sendGarbage();
    expect(faults).toEqual(['RFID_FAULT']);
    expect(r.garbageFrames).toBe(5);
  });

  it('a different card laid on the reader replaces the held one and is a new event', () => {
    const { reader: r, cards } = reader();
    r.hold('AA01');
    r.hold('BB02');
    r.hold('BB02');
    expect(cards.map((c) => c.uid)).toEqual(['AA01', 'BB02']);
    expect(r.heldCard).toBe('BB02');
  });

  it('rejects a threshold below one', () => {
    expect(() => new SimRfidReader({ id: 'r', clock: new SimulatedClock(), garbageFaultThreshold: 0 })).toThrow(/garbageFaultThreshold/);
  });
});
