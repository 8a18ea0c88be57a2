import { describe, expect, it } from 'vitest';
import { mergeStops, type StopReport } from './FleetStop.js';
import { describeStop } from './formatReport.js';

const done: StopReport = { transactions: 120, leftOpen: 0, chargers: 150, chargersCutShort: 0, ms: 2400 };
const cut: StopReport = { transactions: 300, leftOpen: 180, chargers: 300, chargersCutShort: 170, cutShort: 'deadline', ms: 25_000 };

describe('the stop in the report', () => {
  it('says what it ended, and what it left open when cut short', () => {
    expect(describeStop(done)).toBe('stop in 2.4 s: 120 transactions ended, every StopTransaction answered; 150 chargers closed');
    expect(describeStop({ ...done, transactions: 0 })).toBe('stop in 2.4 s: no transaction to end; 150 chargers closed');
    expect(describeStop(cut)).toBe(
      'stop cut short by its deadline (--stop-timeout) after 25.0 s: 180 of 300 transactions left open at the CSMS (no StopTransaction answered); 170 of 300 chargers not through their turn',
    );
    expect(describeStop({ ...cut, cutShort: 'interrupted' })).toMatch(/^stop cut short by a second signal after 25\.0 s: 180 of 300 transactions left open/);
  });

  it('merges the stops of threads and shards: counts add up, the longest time, a cut counts', () => {
    expect(mergeStops([undefined, undefined])).toBeUndefined();
    expect(mergeStops([done, undefined, cut])).toEqual({ transactions: 420, leftOpen: 180, chargers: 450, chargersCutShort: 170, cutShort: 'deadline', ms: 25_000 });
    expect(mergeStops([done, done])).toEqual({ transactions: 240, leftOpen: 0, chargers: 300, chargersCutShort: 0, ms: 2400 });
  });
});
