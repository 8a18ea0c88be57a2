import { describe, expect, it } from 'vitest';
import { STOP_DATA_CAP, keepStopSample, transactionData, type StopData } from './stopTransactionData.js';

const sample = (n: number) => ({ timestamp: new Date(n * 1000).toISOString(), sampledValue: [{ value: String(n) }] });

describe('StopTransaction.transactionData', () => {
  it('keeps every sample up to the cap, then thins out evenly over the whole transaction', () => {
    let d: StopData | undefined;
    for (let i = 0; i < STOP_DATA_CAP; i++) d = keepStopSample(d, sample(i));
    expect(d!.kept.map((v) => Number(v.sampledValue[0]!.value))).toEqual(Array.from({ length: STOP_DATA_CAP }, (_, i) => i));
    for (let i = STOP_DATA_CAP; i < 10 * STOP_DATA_CAP; i++) d = keepStopSample(d, sample(i));
    const kept = d!.kept.map((v) => Number(v.sampledValue[0]!.value));
    expect(kept.length).toBeLessThanOrEqual(STOP_DATA_CAP);
    expect(kept.length).toBeGreaterThan(STOP_DATA_CAP / 2);
    expect(kept[0]).toBe(0);
    // Evenly spaced, and reaching into the last stretch of the transaction.
    const gaps = new Set(kept.slice(1).map((v, i) => v - kept[i]!));
    expect(gaps.size).toBe(1);
    expect(kept.at(-1)!).toBeGreaterThan(10 * STOP_DATA_CAP - 2 * [...gaps][0]! - 1);
  });

  it('begin, kept samples and end in order; nothing at all gives no transactionData', () => {
    const d = keepStopSample(undefined, sample(2));
    expect(transactionData(sample(1), d, sample(3))?.map((v) => v.sampledValue[0]!.value)).toEqual(['1', '2', '3']);
    expect(transactionData(undefined, undefined, undefined)).toBeUndefined();
  });
});
