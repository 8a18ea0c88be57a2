/**
 * The meter samples of a charger: periodic ones during each transaction (MeterValueSampleInterval),
 * clock-aligned ones for every connector (ClockAlignedDataInterval), and triggered ones. One meter
 * read per sample serves both the MeterValues (…SampledData / …AlignedData) and the samples kept
 * for StopTransaction (StopTxn…Data). Energy.Active.Import.Interval is the energy since the
 * previous sample of the same kind: the previous periodic sample of the transaction (its start for
 * the first) or the previous aligned sample of the connector (none after a start or a change of
 * ClockAlignedDataInterval: the first aligned sample leaves it out). A triggered sample has no
 * interval.
 *
 * Timers: one sample timer per running transaction and one clock-aligned timer per charger, all on
 * the injected clock's shared queue.
 */
import type { Logger } from 'pino';
import type { Clock, ConnectorHardware, MeterReading, TimerId } from '../../hal/index.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import type { TransactionSender } from './TransactionSender.js';
import { meterValue, type MeterValue, type ReadingContext, type SampleExtras } from './meterValues.js';
import { keepStopSample } from './stopTransactionData.js';
import type { ActiveTransaction } from './transactionTypes.js';

export interface MeterSamplerOptions {
  clock: Clock;
  log: Logger;
  config: OcppConfiguration;
  sender: TransactionSender;
  link: OcppCaller;
  connectors: readonly ConnectorHardware[];
}

const DAY_MS = 86_400_000;

/** Samples outside a transaction kept while the CSMS cannot be reached (QueueAllMessages): about a day of 15-minute samples of two connectors. */
export const MAX_HELD_SAMPLES = 200;

/** The devices of one connector (a connector the charger does not have is a programming error). */
export function connectorHardware(connectors: readonly ConnectorHardware[], connectorId: number): ConnectorHardware {
  const c = connectors.find((x) => x.connectorId === connectorId);
  if (!c) throw new RangeError(`no connector ${connectorId}`);
  return c;
}

/** Where the sampler looks up the transaction running on a connector. */
export interface RunningTransactions {
  get(connectorId: number): ActiveTransaction | undefined;
}

export class MeterSampler {
  private alignedTimer: TimerId | undefined;
  /** Register at each connector's previous aligned sample (made on the first). */
  private alignedWh: Map<number, number> | undefined;
  /** QueueAllMessages: samples outside a transaction taken while offline, oldest first (made on the first). */
  private held: { connectorId: number; value: MeterValue }[] | undefined;

  /** `active`: the transaction running on each connector (the TransactionManager). */
  constructor(
    private readonly o: MeterSamplerOptions,
    private readonly active: RunningTransactions,
  ) {}

  /** What a sample knows beside the reading: the offer, the SoC, the energy since `sinceWh`. */
  extras(connectorId: number, reading: MeterReading, sinceWh: number | undefined): SampleExtras {
    const hw = connectorHardware(this.o.connectors, connectorId);
    return {
      offeredA: hw.pilot.currentOfferA,
      socPercent: hw.vehicle?.socPercent,
      intervalWh: sinceWh === undefined ? undefined : Math.max(0, reading.energyWh - sinceWh),
      temperatureC: hw.temperature?.lastCelsius,
    };
  }

  /** Arms the next periodic sample of a transaction (MeterValueSampleInterval; 0 = none). */
  armPeriodic(tx: ActiveTransaction): void {
    const intervalS = this.o.config.getInt('MeterValueSampleInterval');
    if (intervalS <= 0) return;
    tx.sampleTimer = this.o.clock.setTimeout(() => {
      if (this.active.get(tx.connectorId) !== tx) return;
      void this.samplePeriodic(tx);
      this.armPeriodic(tx);
    }, intervalS * 1000);
  }

  /** Starts the clock-aligned timer (ClockAlignedDataInterval; 0 = off). Call again after a change. */
  startAligned(): void {
    this.alignedWh = undefined; // a new interval: the previous boundary is not one of it
    this.armAligned();
  }

  dispose(): void {
    this.o.clock.clearTimeout(this.alignedTimer);
  }

  /** Sends MeterValues for one connector now (TriggerMessage), context Trigger. */
  async sendTriggered(connectorId: number): Promise<void> {
    const measurands = this.o.config.getList('MeterValuesSampledData');
    if (measurands.length === 0) return;
    const reading = await this.read(connectorId);
    const value = reading && meterValue(reading, measurands, 'Trigger', this.extras(connectorId, reading, undefined));
    if (value) await this.deliver(connectorId, value);
    else if (reading) this.o.log.warn({ connector: connectorId, measurands }, 'triggered MeterValues: none of MeterValuesSampledData can be measured now');
  }

  private armAligned(): void {
    this.o.clock.clearTimeout(this.alignedTimer);
    this.alignedTimer = undefined;
    const intervalMs = this.o.config.getInt('ClockAlignedDataInterval') * 1000;
    if (intervalMs <= 0) return;
    const now = this.o.clock.now();
    const midnight = now - (now % DAY_MS);
    // Aligned to midnight UTC every day, also when the interval does not divide the day.
    const next = Math.min(midnight + DAY_MS, midnight + Math.ceil((now - midnight + 1) / intervalMs) * intervalMs);
    this.alignedTimer = this.o.clock.setTimeout(() => {
      void this.sampleAligned();
      this.armAligned();
    }, next - now);
  }

  private async samplePeriodic(tx: ActiveTransaction): Promise<void> {
    const sampled = this.o.config.getList('MeterValuesSampledData');
    const kept = this.o.config.getList('StopTxnSampledData');
    if (sampled.length === 0 && kept.length === 0) return;
    const reading = await this.read(tx.connectorId);
    if (!reading || this.active.get(tx.connectorId) !== tx) return;
    const extras = this.extras(tx.connectorId, reading, tx.lastPeriodicWh);
    tx.lastPeriodicWh = reading.energyWh;
    this.keep(tx, reading, kept, 'Sample.Periodic', extras);
    const value = meterValue(reading, sampled, 'Sample.Periodic', extras);
    if (value) await this.deliver(tx.connectorId, value);
  }

  private async sampleAligned(): Promise<void> {
    const sampled = this.o.config.getList('MeterValuesAlignedData');
    const kept = this.o.config.getList('StopTxnAlignedData');
    if (sampled.length === 0 && kept.length === 0) return;
    for (const { connectorId } of this.o.connectors) {
      const tx = this.active.get(connectorId);
      if (sampled.length === 0 && !tx) continue;
      const reading = await this.read(connectorId);
      if (!reading) continue;
      const extras = this.extras(connectorId, reading, this.alignedWh?.get(connectorId));
      (this.alignedWh ??= new Map()).set(connectorId, reading.energyWh);
      if (tx && this.active.get(connectorId) === tx) this.keep(tx, reading, kept, 'Sample.Clock', extras);
      const value = meterValue(reading, sampled, 'Sample.Clock', extras);
      if (value) await this.deliver(connectorId, value);
    }
  }

  private keep(tx: ActiveTransaction, reading: MeterReading, measurands: readonly string[], context: ReadingContext, extras: SampleExtras): void {
    const value = measurands.length > 0 ? meterValue(reading, measurands, context, extras) : undefined;
    if (value) tx.stopData = keepStopSample(tx.stopData, value);
  }

  private async read(connectorId: number): Promise<MeterReading | undefined> {
    try {
      return await connectorHardware(this.o.connectors, connectorId).meter.read();
    } catch (err) {
      this.o.log.warn({ err, connector: connectorId }, 'meter sample skipped: meter did not answer');
      return undefined;
    }
  }

  /**
   * The accepted registration is back: the samples outside a transaction kept meanwhile
   * (QueueAllMessages) go out, oldest first, each with the time it was taken.
   */
  sendHeld(): void {
    const held = this.held;
    this.held = undefined;
    for (const { connectorId, value } of held ?? []) {
      void this.o.link.call('MeterValues', { connectorId, meterValue: [value] }).catch((err: unknown) => {
        this.o.log.warn({ err, connector: connectorId }, 'kept MeterValues not delivered');
      });
    }
  }

  /**
   * Transaction samples go through the journal; samples outside a transaction are best effort:
   * dropped while the CSMS cannot be reached, unless QueueAllMessages keeps them (at most
   * MAX_HELD_SAMPLES, the oldest dropped first; in memory).
   */
  private async deliver(connectorId: number, value: MeterValue): Promise<void> {
    const tx = this.active.get(connectorId);
    if (tx) {
      // Called from timers (`void`): a journal that cannot be written must not become an unhandled rejection.
      await this.o.sender.enqueue({ kind: 'meter', localId: tx.localId, connectorId, payload: { connectorId, meterValue: [value] } }).catch((err: unknown) => {
        this.o.log.error({ err, connector: connectorId, localId: tx.localId }, 'transaction MeterValues could not be journaled: sample lost');
      });
    } else if (this.o.link.isAccepted) {
      await this.o.link.call('MeterValues', { connectorId, meterValue: [value] }).catch((err: unknown) => {
        this.o.log.warn({ err, connector: connectorId }, 'MeterValues not delivered');
      });
    } else if (this.o.config.getBool('QueueAllMessages')) {
      const held = (this.held ??= []);
      if (held.length >= MAX_HELD_SAMPLES) held.shift();
      held.push({ connectorId, value });
    }
  }
}
