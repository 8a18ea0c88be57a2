/**
 * How the contract suites watch a device under test: which faults it reported, and whether a
 * command's promise has settled yet (a promise cannot be asked, so its outcome is recorded).
 */
import { isHalError, type HalError, type HalErrorCode } from '../errors.js';
import type { ContractHarness } from './ContractHarness.js';

/** The fault events of any HAL device. */
export interface FaultSource {
  on(event: 'fault', listener: (error: HalError) => void): unknown;
  on(event: 'faultCleared', listener: (code: HalErrorCode) => void): unknown;
}

export interface FaultLog {
  /** Codes of `fault` events, in order. */
  readonly raised: HalErrorCode[];
  /** The `fault` events themselves. */
  readonly errors: HalError[];
  /** Codes of `faultCleared` events, in order. */
  readonly cleared: HalErrorCode[];
  /** `fault:CODE` / `cleared:CODE` entries in the order they happened. */
  readonly sequence: string[];
}

export function watchFaults(device: FaultSource): FaultLog {
  const log: FaultLog = { raised: [], errors: [], cleared: [], sequence: [] };
  device.on('fault', (error) => {
    log.raised.push(error.code);
    log.errors.push(error);
    log.sequence.push(`fault:${error.code}`);
  });
  device.on('faultCleared', (code) => {
    log.cleared.push(code);
    log.sequence.push(`cleared:${code}`);
  });
  return log;
}

export interface Outcome<T> {
  readonly settled: boolean;
  readonly resolved: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
}

/** Records how `promise` settles (and marks its rejection handled). */
export function outcomeOf<T>(promise: Promise<T>): Outcome<T> {
  const outcome = { settled: false, resolved: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => Object.assign(outcome, { settled: true, resolved: true, value }),
    (error: unknown) => Object.assign(outcome, { settled: true, error }),
  );
  return outcome;
}

/** Advances the harness in tenths of `withinMs` until `outcome` settles or `withinMs` has passed. */
export async function settleWithin(h: ContractHarness, outcome: Outcome<unknown>, withinMs: number): Promise<void> {
  await h.advance(0);
  const step = Math.max(1, Math.ceil(withinMs / 10));
  for (let spent = 0; !outcome.settled && spent < withinMs; spent += step) await h.advance(step);
}

/** The HalError code a settled outcome was rejected with, or a description of what happened instead. */
export function rejectionCode(outcome: Outcome<unknown>): HalErrorCode | string {
  if (!outcome.settled) return 'still pending';
  if (outcome.resolved) return 'resolved';
  return isHalError(outcome.error) ? outcome.error.code : `not a HalError: ${String(outcome.error)}`;
}
