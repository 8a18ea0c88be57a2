/**
 * Power-loss recovery: every transaction the journal shows started but not stopped was cut off by
 * a crash or power cut. It is ended with StopTransaction reason PowerLoss and the meter's current
 * register (never below its meterStart), journaled behind its StartTransaction (sent after the
 * next accepted boot if the start never reached the CSMS; never a second start, never a second stop).
 * With a `resume` decision (ResumeTransactionOnPowerLoss) a transaction is first offered to it;
 * when it answers true (it decided the session may go on and the connector machine took it over)
 * the transaction continues under the same localId/transactionId: MeterValues go on, nothing is
 * journaled, and it ends like any other. The meter must answer for that.
 */
import type { Logger } from 'pino';
import type { Clock, MeterReading } from '../../hal/index.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import { meterRegisterWh, meterValue, registerValue, type MeterValue } from './meterValues.js';
import type { InterruptedTransaction, TransactionSender } from './TransactionSender.js';
import type { ActiveTransaction, TransactionEvent } from './transactionTypes.js';
import { transactionData } from './stopTransactionData.js';

/** Resolves true when the interrupted transaction goes on (ResumeTransactionOnPowerLoss). */
export type ResumeDecision = (tx: InterruptedTransaction & { idTag: string }) => Promise<boolean>;

/** What recovery needs of the TransactionManager. */
export interface RecoveryHost {
  clock: Clock;
  log: Logger;
  config: OcppConfiguration;
  sender: TransactionSender;
  onEvent?: (event: TransactionEvent) => void;
  /** Runs `work` in the connector's turn, behind and before its other starts and stops. */
  inTurn: <T>(connectorId: number, work: (ticket: number) => Promise<T>) => Promise<T>;
  /** A fresh reading, or the last good one when the meter does not answer. */
  readMeter: (connectorId: number) => Promise<MeterReading>;
  /** A fresh reading only (a resumed transaction needs a meter that answers). */
  readFreshMeter: (connectorId: number) => Promise<MeterReading>;
  /** Takes a resumed transaction over as running (samples go on). */
  adopt: (tx: ActiveTransaction) => void;
}

/** Ends (or resumes) every interrupted transaction; resolves with the number ended. */
export function recoverInterrupted(host: RecoveryHost, resume?: ResumeDecision): Promise<number> {
  const open = host.sender.openTransactions();
  // Registered synchronously: a new start on the same connector waits behind the recovery stop.
  const ended = open.map((tx) =>
    host.inTurn(tx.connectorId, async (ticket) => {
      if (resume && tx.idTag !== undefined && (await resumeInterrupted(host, { ...tx, idTag: tx.idTag }, resume))) return 0;
      await endInterrupted(host, tx.localId, tx.connectorId, tx.meterStart, tx.timestamp, ticket);
      return 1;
    }),
  );
  return Promise.all(ended).then((n) => n.reduce<number>((a, b) => a + b, 0));
}

async function resumeInterrupted(host: RecoveryHost, tx: InterruptedTransaction & { idTag: string }, resume: ResumeDecision): Promise<boolean> {
  const { localId, connectorId, idTag } = tx;
  let reading: MeterReading;
  try {
    reading = await host.readFreshMeter(connectorId);
    if (!(await resume(tx))) return false;
  } catch (err) {
    host.log.warn({ err, connector: connectorId, localId }, 'power-loss recovery: cannot resume the transaction; stopping it');
    return false;
  }
  const meterStartWh = tx.meterStart ?? meterRegisterWh(reading);
  const startedAt = startedAtOf(tx.timestamp) ?? host.clock.now();
  // The samples for StopTransaction lived in memory; what the journal holds of them is the start register.
  const beginSample = beginFromJournal(host, startedAt, meterStartWh);
  host.adopt({ localId, connectorId, idTag, meterStartWh, startedAt, beginSample, stopData: undefined, lastPeriodicWh: reading.energyWh, sampleTimer: undefined });
  host.log.warn({ connector: connectorId, localId, idTag, meterStart: meterStartWh, meterNow: meterRegisterWh(reading) }, 'transaction interrupted by a power loss: resumed (ResumeTransactionOnPowerLoss)');
  const transactionId = host.sender.transactionIdOf(localId);
  host.onEvent?.({ event: 'started', resumed: true, localId, connectorId, idTag, meterStartWh, timestamp: host.clock.now(), ...(transactionId !== undefined && { transactionId }) });
  return true;
}

/** The Transaction.Begin sample as far as the journal knows it (the start register), when StopTxnSampledData asks for samples. */
function beginFromJournal(host: RecoveryHost, startedAt: number, meterStartWh: number): MeterValue | undefined {
  if (host.config.getList('StopTxnSampledData').length === 0) return undefined;
  return { timestamp: new Date(startedAt).toISOString(), sampledValue: [registerValue(meterStartWh, 'Transaction.Begin')] };
}

function startedAtOf(timestamp: string | undefined): number | undefined {
  const t = timestamp === undefined ? NaN : Date.parse(timestamp);
  return Number.isFinite(t) ? t : undefined;
}

async function endInterrupted(host: RecoveryHost, localId: string, connectorId: number, meterStart: number | undefined, timestamp: string | undefined, ticket: number): Promise<void> {
  let meterNow: number | undefined;
  let reading: MeterReading | undefined;
  try {
    reading = await host.readMeter(connectorId);
    meterNow = meterRegisterWh(reading);
  } catch (err) {
    host.log.warn({ err, connector: connectorId, localId }, 'power-loss recovery: meter did not answer; meterStop = meterStart');
  }
  const meterStop = Math.max(meterStart ?? 0, meterNow ?? meterStart ?? 0);
  const stopData = host.config.getList('StopTxnSampledData');
  // The samples taken during the transaction lived only in memory: the journaled start register
  // and the end sample are still worth sending.
  const end = reading && stopData.length > 0 ? meterValue(reading, stopData, 'Transaction.End') : undefined;
  const begin = meterStart === undefined ? undefined : beginFromJournal(host, startedAtOf(timestamp) ?? host.clock.now(), meterStart);
  const data = transactionData(begin, undefined, end);
  host.log.warn({ connector: connectorId, localId, meterStart, meterStop }, 'transaction interrupted by a power loss: stopping it (PowerLoss)');
  await host.sender.enqueue({
    kind: 'stop',
    localId,
    connectorId,
    payload: {
      meterStop,
      // The moment of the cut is unknown; now is when meterStop was read.
      timestamp: new Date(host.clock.now()).toISOString(),
      reason: 'PowerLoss',
      ...(data && { transactionData: data }),
    },
  }, ticket);
  const transactionId = host.sender.transactionIdOf(localId);
  host.onEvent?.({
    event: 'stopped', localId, connectorId, meterStopWh: meterStop, reason: 'PowerLoss', timestamp: host.clock.now(),
    ...(meterStart !== undefined && { meterStartWh: meterStart }),
    ...(transactionId !== undefined && { transactionId }),
  });
}
