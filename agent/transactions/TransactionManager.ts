/**
 * Transactions of one charger: meterStart/meterStop from the connector's meter, periodic and
 * clock-aligned MeterValues (the {@link MeterSampler}), and the journaled StartTransaction /
 * MeterValues / StopTransaction messages, handed to the {@link TransactionSender} for ordered,
 * confirmed delivery.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, ConnectorHardware, MeterReading } from '../../hal/index.js';
import type { IdTokenKind } from '../auth/idToken.js';
import type { StopReason } from '../ocpp16/vocabulary.js';
import type { TransactionEndReason } from './transactionTypes.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { TransactionSender } from './TransactionSender.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import { meterRegisterWh, meterValue } from './meterValues.js';
import { connectorHardware, MeterSampler } from './MeterSampler.js';
import { transactionData } from './stopTransactionData.js';
import { recoverInterrupted, type ResumeDecision } from './powerLossRecovery.js';
import type { ActiveTransaction, TransactionEvent } from './transactionTypes.js';
import type { MessageOrder } from './MessageOrder.js';
import { significantChange } from '../chargingLimits/limitChange.js';
import type { ChargingState, ChargingStateCause } from '../store/TransactionJournal.js';

export type { ActiveTransaction, TransactionEvent } from './transactionTypes.js';

export interface TransactionManagerOptions {
  connectors: readonly ConnectorHardware[];
  clock: Clock;
  log: Logger;
  config: OcppConfiguration;
  sender: TransactionSender;
  link: OcppCaller;
  /** Per-connector causal order: each start and stop takes its ticket when it is asked for. */
  order?: MessageOrder;
  /**
   * What the connector does for the EV now (its machine's chargingState), for the versions that
   * report it during a transaction (TransactionSender.reportsChargingState).
   */
  chargingState?: (connectorId: number) => ChargingState | undefined;
  /**
   * The limit in force on a connector now, A per phase (the charging-limit service's), for the
   * versions that report its changes during a transaction (OCPP 2.0.1 ChargingRateChanged).
   */
  rateLimit?: (connectorId: number) => number | undefined;
  /** Told of each start and stop once it is journaled, whether or not the CSMS is reachable. */
  onEvent?: (event: TransactionEvent) => void;
}

export class TransactionManager {
  // Made on first use: an idle charger has neither (an empty Map is ≈ 200 B, 10,000 times in a fleet).
  private active: Map<number, ActiveTransaction> | undefined;
  /** Each connector's last queued start/stop/recovery; removed when it is the last and has ended. */
  private turns: Map<number, Promise<unknown>> | undefined;
  private readonly sampler: MeterSampler;

  constructor(private readonly o: TransactionManagerOptions) {
    // The manager's own options and itself as the lookup: no extra objects or closures per charger.
    this.sampler = new MeterSampler(o, this);
  }

  /** The running transaction on a connector, if any. */
  get(connectorId: number): ActiveTransaction | undefined {
    return this.active?.get(connectorId);
  }

  /** The CSMS transactionId of the transaction on a connector, once confirmed. */
  transactionIdOn(connectorId: number): number | undefined {
    const tx = this.active?.get(connectorId);
    return tx && this.o.sender.transactionIdOf(tx.localId);
  }

  /** Settles once the StartTransaction in flight is answered and taken in (TransactionSender.startAnswered). */
  startAnswered(): Promise<void> | undefined {
    return this.o.sender.startAnswered();
  }

  /** The connector running the transaction with this CSMS id. */
  connectorOfTransaction(transactionId: number): number | undefined {
    for (const tx of this.active?.values() ?? []) {
      if (this.o.sender.transactionIdOf(tx.localId) === transactionId) return tx.connectorId;
    }
    return undefined;
  }

  /**
   * Starts and stops of one connector run one after the other, in call order: a stop issued while
   * its start is still reading the meter (a Modbus meter takes a while) must find the transaction.
   * Each takes its order ticket now, when it is asked for: the statuses that follow wait until its
   * message is with the link (the sender holds the ticket from the journal on), or until the turn
   * ends without one.
   */
  private inTurn<T>(connectorId: number, work: (ticket: number) => Promise<T>): Promise<T> {
    const ticket = this.o.order?.reserve(connectorId) ?? 0;
    const turns = (this.turns ??= new Map());
    const result = (turns.get(connectorId) ?? Promise.resolve()).then(() => work(ticket));
    const done = () => {
      if (!this.o.sender.holds(ticket)) this.o.order?.release(ticket);
      if (turns.get(connectorId) === turn) turns.delete(connectorId);
    };
    const turn = result.then(done, done);
    turns.set(connectorId, turn);
    return result;
  }

  /**
   * `idTokenType`: the kind of `idTag` (agent/auth/idToken.ts), journaled with the start for the link
   * that has kinds. `cablePluggedLast`: the plug-in, not the authorization, completed the start
   * (journaled as its cause). No `idTag`: begun at the plug-in before any authorization (only where
   * the version has such a start point, OCPP 2.0.1: the start is journaled `withoutIdToken`, the
   * transaction's idTag is empty until {@link authorized}).
   */
  start(connectorId: number, idTag: string | undefined, reservationId?: number, idTokenType?: IdTokenKind, cablePluggedLast?: boolean): Promise<ActiveTransaction> {
    const startedAt = this.o.clock.now();
    return this.inTurn(connectorId, (ticket) => this.begin(connectorId, { idTag, idTokenType }, startedAt, reservationId, ticket, cablePluggedLast === true));
  }

  /**
   * `idTag`, `idTokenType`: the identifier that stopped it (a card), if any. A reason of the
   * transaction points (ConnectionTimeout, EnergyTransferEnded) is journaled as `endedBy`, with the
   * shared stop reason Other.
   */
  stop(connectorId: number, reason: TransactionEndReason, idTag?: string, idTokenType?: IdTokenKind): Promise<void> {
    const stoppedAt = this.o.clock.now();
    return this.inTurn(connectorId, (ticket) => this.end(connectorId, stoppedAt, reason, idTag, idTokenType, ticket));
  }

  /**
   * A transaction begun without an identifier (at the plug-in) is authorized by `idTag` now: it is
   * the transaction's from now on (its stop event names it), and where the version reports it an
   * 'update' with cause Authorized and the identifier is journaled (the energy that flows then is
   * a ChargingStateChanged of its own).
   */
  authorized(connectorId: number, idTag: string, idTokenType?: IdTokenKind): void {
    this.authorizationChanged(connectorId, 'Authorized', idTag, idTokenType);
  }

  /** The session's card ended the authorization of a transaction that outlasts it: journaled as an 'update' StopAuthorized. */
  authorizationEnded(connectorId: number, idTag: string, idTokenType?: IdTokenKind): void {
    this.authorizationChanged(connectorId, 'StopAuthorized', idTag, idTokenType);
  }

  private authorizationChanged(connectorId: number, cause: 'Authorized' | 'StopAuthorized', idTag: string, idTokenType: IdTokenKind | undefined): void {
    this.inTurn(connectorId, async () => {
      const tx = this.active?.get(connectorId);
      if (!tx) return;
      this.o.log.info({ connector: connectorId, localId: tx.localId, idTag, cause }, cause === 'Authorized' ? 'transaction authorized' : 'transaction authorization ended');
      if (cause === 'Authorized') {
        tx.idTag = idTag;
        // The session history and telemetry learn whose session it is now (its start named nobody).
        const transactionId = this.o.sender.transactionIdOf(tx.localId);
        this.o.onEvent?.({ event: 'authorized', localId: tx.localId, connectorId, idTag, timestamp: this.o.clock.now(), ...(transactionId !== undefined && { transactionId }) });
      }
      if (!this.o.sender.reportsChargingState) return;
      // The end of an authorization says what the connector does now (energy stopped with it); the
      // energy an authorization lets flow is told by its own ChargingStateChanged.
      const state = cause === 'StopAuthorized' ? this.o.chargingState?.(connectorId) : undefined;
      const changed = state !== undefined && state !== tx.chargingState;
      if (changed) tx.chargingState = state;
      await this.o.sender.enqueue({
        kind: 'update', localId: tx.localId, connectorId, timestamp: new Date(this.o.clock.now()).toISOString(), cause, idTag,
        ...(idTokenType !== undefined && { idTokenType }),
        ...(changed && { chargingState: state }),
      });
    }).catch((err: unknown) => this.o.log.error({ err, connector: connectorId }, 'authorization change not journaled'));
  }

  private async begin(connectorId: number, { idTag, idTokenType }: { idTag: string | undefined; idTokenType: IdTokenKind | undefined }, startedAt: number, reservationId: number | undefined, ticket: number, cablePluggedLast: boolean): Promise<ActiveTransaction> {
    // Begun without an identifier only where the version has such a start point (OCPP 2.0.1): never a 1.6 StartTransaction without an idTag.
    if (idTag === undefined && !this.o.sender.reportsChargingState) throw new Error('a transaction without an idTag cannot be started on this OCPP version');
    const reading = await this.readMeter(connectorId);
    const tx: ActiveTransaction = {
      localId: randomUUID(),
      connectorId,
      idTag: idTag ?? '',
      meterStartWh: meterRegisterWh(reading),
      startedAt,
      beginSample: meterValue(reading, this.o.config.getList('StopTxnSampledData'), 'Transaction.Begin', this.sampler.extras(connectorId, reading, undefined)),
      stopData: undefined,
      lastPeriodicWh: reading.energyWh,
      sampleTimer: undefined,
    };
    (this.active ??= new Map()).set(connectorId, tx);
    // Read now, after the meter: a change meanwhile is in it (chargingStateChanged compares with it).
    const chargingState = this.o.sender.reportsChargingState ? this.o.chargingState?.(connectorId) : undefined;
    if (chargingState !== undefined) tx.chargingState = chargingState;
    const rateA = this.o.sender.reportsChargingState ? this.o.rateLimit?.(connectorId) : undefined;
    if (rateA !== undefined) tx.rateA = rateA;
    this.o.log.info({ connector: connectorId, localId: tx.localId, idTag, meterStart: tx.meterStartWh }, 'transaction started');
    try {
        await this.o.sender.enqueue({
        kind: 'start',
        localId: tx.localId,
        connectorId,
        payload: {
          connectorId,
          idTag: tx.idTag,
          meterStart: tx.meterStartWh,
          timestamp: new Date(tx.startedAt).toISOString(),
          ...(reservationId !== undefined && { reservationId }),
          ...(idTokenType !== undefined && { idTokenType }),
        },
        ...(chargingState !== undefined && { chargingState }),
        ...(cablePluggedLast && this.o.sender.reportsChargingState && { cause: 'CablePluggedIn' as const }),
        ...(idTag === undefined && { withoutIdToken: true as const }),
      }, ticket);
    } catch (err) {
      // Not journaled, so it never existed: a later stop must not journal a StopTransaction for it.
      if (this.active?.get(connectorId) === tx) this.active.delete(connectorId);
      throw err;
    }
    this.sampler.armPeriodic(tx);
    const transactionId = this.o.sender.transactionIdOf(tx.localId);
    this.o.onEvent?.({
      event: 'started', localId: tx.localId, connectorId, idTag: tx.idTag, meterStartWh: tx.meterStartWh, timestamp: startedAt,
      ...(reservationId !== undefined && { reservationId }),
      ...(transactionId !== undefined && { transactionId }),
    });
    return tx;
  }

  /**
   * The connector's status changed: where the version reports it (OCPP 2.0.1), a change of its
   * running transaction's charging state is journaled (after the start, in turn with its other
   * messages), with why: the EV unplugged (EVCommunicationLost, Idle), plugged in again
   * (CablePluggedIn), anything else ChargingStateChanged.
   */
  chargingStateChanged(connectorId: number): void {
    if (!this.o.chargingState || !this.o.sender.reportsChargingState || !this.active?.has(connectorId)) return;
    this.inTurn(connectorId, async () => {
      const tx = this.active?.get(connectorId);
      const state = this.o.chargingState!(connectorId);
      if (!tx || state === undefined || state === tx.chargingState) return;
      const cause: ChargingStateCause = state === 'Idle' ? 'EVCommunicationLost' : tx.chargingState === 'Idle' ? 'CablePluggedIn' : 'ChargingStateChanged';
      tx.chargingState = state;
      await this.o.sender.enqueue({ kind: 'update', localId: tx.localId, connectorId, timestamp: new Date(this.o.clock.now()).toISOString(), chargingState: state, cause });
    }).catch((err: unknown) => this.o.log.error({ err, connector: connectorId }, 'charging state change not journaled'));
  }

  /**
   * The limit in force on a connector changed (the charging-limit service's `limit` event): where
   * the version reports it (OCPP 2.0.1), a change of more than LimitChangeSignificance against the
   * limit last reported for its running transaction (at its start, or the last such change) is
   * journaled as an 'update' with cause ChargingRateChanged, in turn with its other messages, so it
   * is numbered when journaled and delivered in order. Smaller changes add up until they are
   * significant; a change back to the reported value is none.
   */
  chargingRateChanged(connectorId: number, amps: number): void {
    const running = this.active?.get(connectorId);
    if (!this.o.sender.reportsChargingState || !running) return;
    // Most limit events change nothing worth telling: no turn (and no order ticket) for them. Only
    // when no turn is pending, as one may still move the reference.
    if (!this.turns?.has(connectorId) && running.rateA !== undefined && !this.significantRateChange(running.rateA, amps)) return;
    this.inTurn(connectorId, async () => {
      const tx = this.active?.get(connectorId);
      if (!tx) return;
      const before = tx.rateA;
      if (before === undefined) {
        tx.rateA = amps;
        return;
      }
      if (!this.significantRateChange(before, amps)) return;
      tx.rateA = amps;
      this.o.log.info({ connector: connectorId, localId: tx.localId, fromA: before, toA: amps }, 'charging rate changed');
      await this.o.sender.enqueue({ kind: 'update', localId: tx.localId, connectorId, timestamp: new Date(this.o.clock.now()).toISOString(), cause: 'ChargingRateChanged', limitA: amps });
    }).catch((err: unknown) => this.o.log.error({ err, connector: connectorId }, 'charging rate change not journaled'));
  }

  /** Whether a limit going from `fromA` to `toA` is worth a ChargingRateChanged (SmartChargingCtrlr.LimitChangeSignificance). */
  private significantRateChange(fromA: number, toA: number): boolean {
    return significantChange(fromA, toA, Number(this.o.config.getString('LimitChangeSignificance')));
  }

  private async end(connectorId: number, stoppedAt: number, endReason: TransactionEndReason, idTag: string | undefined, idTokenType: IdTokenKind | undefined, ticket: number): Promise<void> {
    const tx = this.active?.get(connectorId);
    if (!tx) return;
    this.active!.delete(connectorId);
    const pointEnd = endReason === 'ConnectionTimeout' || endReason === 'EnergyTransferEnded' ? endReason : undefined;
    const reason: StopReason = pointEnd ? 'Other' : (endReason as StopReason);
    this.o.clock.clearTimeout(tx.sampleTimer);
    const reading = await this.readMeter(connectorId);
    const meterStop = Math.max(tx.meterStartWh, meterRegisterWh(reading));
    const stopData = this.o.config.getList('StopTxnSampledData');
    const end = stopData.length > 0 ? meterValue(reading, stopData, 'Transaction.End', this.sampler.extras(connectorId, reading, tx.lastPeriodicWh)) : undefined;
    // Begin and periodic samples are sent even if StopTxnSampledData was emptied meanwhile: they were asked for.
    const data = transactionData(tx.beginSample, tx.stopData, end);
    this.o.log.info({ connector: connectorId, localId: tx.localId, reason, meterStop }, 'transaction stopped');
    await this.o.sender.enqueue({
      kind: 'stop',
      localId: tx.localId,
      connectorId,
      payload: {
        meterStop,
        // The stop time, also when the meter did not answer and `reading` is an older one.
        timestamp: new Date(stoppedAt).toISOString(),
        reason,
        ...(idTag !== undefined && { idTag }),
        ...(idTag !== undefined && idTokenType !== undefined && { idTokenType }),
        ...(data && { transactionData: data }),
      },
      ...(pointEnd !== undefined && { endedBy: pointEnd }),
      // The EV stopped drawing: what it does now (OCPP 2.0.1 TC_E_22: SuspendedEV).
      ...(pointEnd === 'EnergyTransferEnded' && { chargingState: 'SuspendedEV' as const }),
    }, ticket);
    const transactionId = this.o.sender.transactionIdOf(tx.localId);
    this.o.onEvent?.({
      event: 'stopped', localId: tx.localId, connectorId, startIdTag: tx.idTag, meterStartWh: tx.meterStartWh, meterStopWh: meterStop, reason, timestamp: stoppedAt,
      ...(idTag !== undefined && { idTag }),
      ...(transactionId !== undefined && { transactionId }),
    });
  }

  /**
   * Power-loss recovery ({@link recoverInterrupted}), called once at start before any connector
   * can begin a transaction. Returns the number of transactions ended (not resumed).
   */
  recover(resume?: ResumeDecision): Promise<number> {
    return recoverInterrupted(
      {
        clock: this.o.clock,
        log: this.o.log,
        config: this.o.config,
        sender: this.o.sender,
        // Called through the options (a hook may be a prototype method that reads `this`).
        onEvent: (event) => this.o.onEvent?.(event),
        inTurn: (connectorId, work) => this.inTurn(connectorId, work),
        readMeter: (connectorId) => this.readMeter(connectorId),
        readFreshMeter: (connectorId) => connectorHardware(this.o.connectors, connectorId).meter.read(),
        adopt: (tx) => {
          (this.active ??= new Map()).set(tx.connectorId, tx);
          this.sampler.armPeriodic(tx);
        },
      },
      resume,
    );
  }

  /** Resolves once every start, stop and recovery issued so far has been journaled (or failed). */
  async settled(): Promise<void> {
    await Promise.all(this.turns?.values() ?? []);
  }

  /** Starts the clock-aligned timer (ClockAlignedDataInterval; 0 = off). Call again after a change. */
  startAligned(): void {
    this.sampler.startAligned();
  }

  /** Accepted again: the samples outside a transaction kept while offline (QueueAllMessages) go out. */
  sendHeldSamples(): void {
    this.sampler.sendHeld();
  }

  /** Cancels every timer (the transactions themselves stay journaled). */
  dispose(): void {
    this.sampler.dispose();
    for (const tx of this.active?.values() ?? []) this.o.clock.clearTimeout(tx.sampleTimer);
  }

  /** Sends MeterValues for one connector now (TriggerMessage), context Trigger. */
  sendTriggered(connectorId: number): Promise<void> {
    return this.sampler.sendTriggered(connectorId);
  }

  /** A fresh reading, or the last good one when the meter does not answer (the fault is reported separately). */
  private async readMeter(connectorId: number): Promise<MeterReading> {
    const meter = connectorHardware(this.o.connectors, connectorId).meter;
    try {
      return await meter.read();
    } catch (err) {
      const last = meter.lastReading;
      this.o.log.warn({ err, connector: connectorId, fallback: last?.energyWh }, 'meter read failed; using the last good reading');
      if (last) return last;
      throw err;
    }
  }
}

