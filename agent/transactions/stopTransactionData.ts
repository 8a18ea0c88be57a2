/**
 * StopTransaction.transactionData of one transaction: the Transaction.Begin sample, the samples
 * taken during it (StopTxnSampledData at every MeterValueSampleInterval, context Sample.Periodic;
 * StopTxnAlignedData at every ClockAlignedDataInterval, context Sample.Clock), and the
 * Transaction.End sample.
 *
 * Bounded: at most {@link STOP_DATA_CAP} samples between begin and end. When that is reached every
 * other kept sample is dropped and from then on only every other one is kept (the stride doubles),
 * so a transaction of any length keeps samples spread evenly over all of it, not only its first
 * or last hours. They live in memory with the transaction: after a restart the recovered
 * StopTransaction carries the begin (the register journaled as meterStart) and end samples only.
 */
import type { MeterValue } from './meterValues.js';

/** Samples kept between Transaction.Begin and Transaction.End (≈ 100 kB of JSON at worst). */
export const STOP_DATA_CAP = 96;

export interface StopData {
  kept: MeterValue[];
  /** Keep one sample in `stride`. */
  stride: number;
  /** Samples offered so far. */
  offered: number;
}

/** Offers a sample taken during the transaction; returns the (possibly new) record. */
export function keepStopSample(data: StopData | undefined, value: MeterValue): StopData {
  const d = data ?? { kept: [], stride: 1, offered: 0 };
  if (d.offered++ % d.stride !== 0) return d;
  if (d.kept.length >= STOP_DATA_CAP) {
    // Kept samples are offers 0, s, 2s, …: keeping the even ones leaves 0, 2s, 4s, … — stride 2s.
    d.kept = d.kept.filter((_, i) => i % 2 === 0);
    d.stride *= 2;
    if ((d.offered - 1) % d.stride !== 0) return d;
  }
  d.kept.push(value);
  return d;
}

/** transactionData for StopTransaction, or undefined when there is nothing to send. */
export function transactionData(begin: MeterValue | undefined, data: StopData | undefined, end: MeterValue | undefined): MeterValue[] | undefined {
  const all = [...(begin ? [begin] : []), ...(data?.kept ?? []), ...(end ? [end] : [])];
  return all.length > 0 ? all : undefined;
}
