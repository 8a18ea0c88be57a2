/**
 * Status reporting of one charge point: StatusNotification for each connector as its machine
 * changes, and for the charge point itself (connectorId 0), which follows its connectors and
 * carries card-reader faults (ReaderFailure). Every change is told to the owner at once (the
 * Agent's `status` event); the CSMS hears of it
 *
 * - in causal order ({@link MessageOrder}): never before the StartTransaction or StopTransaction
 *   of the same connector that happened before it, and without waiting for anything else;
 * - only once it has lasted MinimumStatusDuration (a shorter one is not sent);
 * - while the link lets it through; offline only the latest status per connector counts, and
 *   after each accepted boot every connector's current status is reported (again in order);
 * - with QueueAllMessages (OCPP 2.0.1 OCPPCommCtrlr; a vendor key under 1.6) every change while
 *   an accepted registration is lost is kept (up to {@link MAX_HELD} per connector, the oldest
 *   dropped first) and sent, with the time it happened, once the registration is accepted again:
 *   in order with the transaction messages of its connector, before the current statuses.
 */
import type { Logger } from 'pino';
import type { Clock, HalError, HalErrorCode, RfidReader, TimerId } from '../hal/index.js';
import type { StatusChange } from './charging/ConnectorController.js';
import type { ConnectorStatus } from './ocpp16/vocabulary.js';
import type { OcppLinkState } from './ocpp/OcppLinkTypes.js';
import type { OcppCaller } from './ocpp/OcppCaller.js';
import type { OcppConfiguration } from './store/OcppConfiguration.js';
import type { MessageOrder } from './transactions/MessageOrder.js';
import type { TransactionSender } from './transactions/TransactionSender.js';

/** What the reporter reads of a connector. */
export interface ReportedConnector {
  readonly status: ConnectorStatus;
  currentStatus(): StatusChange;
}

export interface StatusReporterOptions {
  link: OcppCaller & { readonly state: OcppLinkState };
  connectors: readonly ReportedConnector[];
  order: MessageOrder;
  /** Takes its tickets back when status changes start being kept (QueueAllMessages). */
  sender?: Pick<TransactionSender, 'suspend'>;
  config: OcppConfiguration;
  clock: Clock;
  log: Logger;
  /** Told of every status change at once (not held back, not ordered): the Agent, as its `status` event. */
  events: { emit(event: 'status', change: StatusChange): unknown };
}

const keyOf = (s: StatusChange) => `${s.status}/${s.errorCode}/${s.info ?? ''}`;

/** Status changes kept per connector while the CSMS cannot be reached (QueueAllMessages). */
export const MAX_HELD = 100;

export class StatusReporter {
  /** `status/errorCode/info` last reported for connectorId 0. */
  private lastChargePointStatus: string | undefined;
  /** Active card-reader faults (made on the first). */
  private readerFaults: Map<RfidReader, HalErrorCode> | undefined;
  /** Statuses held for MinimumStatusDuration, per connectorId (made once that key is above 0). */
  private held: Map<number, TimerId> | undefined;
  /**
   * `status/errorCode/info` last handed to the link per connectorId on this connection, kept once
   * statuses are held back (only then can one that comes out repeat the last one sent).
   */
  private lastSent: Map<number, string> | undefined;
  /**
   * QueueAllMessages: one order ticket per connector (0 … n) taken at the first status change
   * after the accepted registration was lost. While they are out every status change waits in the
   * order behind them (none is handed to a link that would drop it); given back once accepted again.
   */
  private holding: number[] | undefined;
  /** Registration was accepted at least once (reportAll ran): before that there is nothing to keep. */
  private wasAccepted = false;

  constructor(private readonly o: StatusReporterOptions) {}

  /**
   * A status change while the accepted registration is lost: with QueueAllMessages, status
   * changes from now on are kept for the next one ({@link releaseHeld}). The transaction sender
   * takes its tickets back first (TransactionSender.suspend), so a kept status never overtakes a
   * transaction message that happened before it and is sent again. No listener per charger: the
   * change itself is the moment.
   */
  private holdIfOffline(): void {
    if (this.holding || !this.wasAccepted || this.o.link.isAccepted || !this.o.config.getBool('QueueAllMessages')) return;
    this.o.sender?.suspend();
    this.holding = [0, ...this.o.connectors.map((c) => c.currentStatus().connectorId)].map((id) => this.o.order.reserve(id));
  }

  /**
   * Accepted again: the kept changes go to the link in the order they happened, each once the
   * transaction messages of its connector before it are with the link (call before the sender
   * resumes). True when changes were kept: then {@link reportAll} must queue behind them.
   */
  releaseHeld(): boolean {
    const tickets = this.holding;
    if (!tickets) return false;
    this.holding = undefined;
    for (const ticket of tickets) this.o.order.release(ticket);
    return true;
  }

  /** A connector's status changed: report it, and the charge point when that changes too. */
  connectorChanged(change: StatusChange): void {
    this.o.log.info({ connector: change.connectorId, status: change.status, errorCode: change.errorCode }, 'status');
    this.o.events.emit('status', change);
    this.report(change);
    // The charge point as a whole (connectorId 0) follows its connectors: report it when that changes.
    this.reportChargePoint();
  }

  /**
   * A reader fault concerns the whole charge point: connectorId 0 reports ReaderFailure
   * (remote starts still work, so the status stays Available).
   */
  readerFault(reader: RfidReader, err: HalError): void {
    this.o.log.warn({ code: err.code, err }, 'card reader fault: cards cannot be read');
    (this.readerFaults ??= new Map()).set(reader, err.code);
    this.reportChargePoint();
  }

  readerFaultCleared(reader: RfidReader, code: HalErrorCode): void {
    if (this.readerFaults?.get(reader) !== code) return;
    this.o.log.info({ code }, 'card reader fault cleared');
    this.readerFaults?.delete(reader);
    this.reportChargePoint();
  }

  /**
   * Sends a StatusNotification now (TriggerMessage), behind the transaction messages of its
   * connector that are not yet with the link. Resolves once it is answered or failed.
   */
  send(change: StatusChange): Promise<void> {
    return new Promise((resolve) => this.o.order.after(change.connectorId, this.o.order.mark(), () => void this.deliver(change, true).then(resolve)));
  }

  /**
   * After an accepted registration (a boot, or under 2.0.1 a new connection): the current status
   * of the charge point and of every connector, each behind the transaction messages of its
   * connector that go out (again) on this connection. Replaces what still waited from before,
   * unless that was kept on purpose (`afterHeld`: {@link releaseHeld} released it; then after it).
   */
  reportAll(afterHeld = false): void {
    this.wasAccepted = true;
    this.lastSent?.clear();
    const mark = this.o.order.mark();
    // What still waits from the outage goes first when it was kept (QueueAllMessages), else it is replaced.
    for (const change of this.all()) this.o.order.after(change.connectorId, mark, () => void this.deliver(change, true), !afterHeld);
  }

  /** The charge point's own status (connectorId 0). */
  chargePoint(): StatusChange {
    const status = this.chargePointStatus();
    const readerFault = this.firstReaderFault();
    return readerFault !== undefined
      ? { connectorId: 0, status, errorCode: 'ReaderFailure', info: readerFault, timestamp: this.o.clock.now() }
      : { connectorId: 0, status, errorCode: 'NoError', timestamp: this.o.clock.now() };
  }

  /** Unavailable when every connector is (none: Available). Runs on each connector change: no arrays. */
  private chargePointStatus(): 'Available' | 'Unavailable' {
    const { connectors } = this.o;
    if (connectors.length === 0) return 'Available';
    for (const c of connectors) if (c.status !== 'Unavailable') return 'Available';
    return 'Unavailable';
  }

  private firstReaderFault(): HalErrorCode | undefined {
    if (this.readerFaults) for (const code of this.readerFaults.values()) return code;
    return undefined;
  }

  /** Current status of every connector plus the charge point (connectorId 0). */
  all(): StatusChange[] {
    return [this.chargePoint(), ...this.o.connectors.map((c) => c.currentStatus())];
  }

  /** Cancels held statuses and what waits for the link (the charger stops). */
  dispose(): void {
    if (this.held) for (const timer of this.held.values()) this.o.clock.clearTimeout(timer);
    this.held = undefined;
  }

  /** Reports the charge point (connectorId 0) when its status or error code changed. */
  private reportChargePoint(): void {
    const readerFault = this.firstReaderFault();
    const key = `${this.chargePointStatus()}/${readerFault === undefined ? 'NoError' : `ReaderFailure/${readerFault}`}`;
    if (key === this.lastChargePointStatus) return;
    this.lastChargePointStatus = key;
    const chargePoint = this.chargePoint();
    this.o.events.emit('status', chargePoint);
    this.report(chargePoint);
  }

  /**
   * Takes the change's place in the order now (it follows what happened before it), then holds
   * it for MinimumStatusDuration: a newer change of the same connector in that time replaces it.
   */
  private report(change: StatusChange): void {
    this.holdIfOffline();
    const mark = this.o.order.mark();
    const { connectorId } = change;
    const holdMs = this.o.config.getInt('MinimumStatusDuration') * 1000;
    const previous = this.held?.get(connectorId);
    if (previous !== undefined) {
      this.o.clock.clearTimeout(previous);
      this.held!.delete(connectorId);
    }
    // Offline only the latest counts, unless every change is kept (then at most MAX_HELD).
    const queue = () => this.o.order.after(connectorId, mark, () => void this.deliver(change, false), !this.holding && !this.o.link.isAccepted, this.holding && MAX_HELD);
    if (holdMs <= 0) return queue();
    this.lastSent ??= new Map();
    (this.held ??= new Map()).set(
      connectorId,
      this.o.clock.setTimeout(() => {
        this.held?.delete(connectorId);
        queue();
      }, holdMs),
    );
  }

  /** Hands the notification to the link; `force` sends it even when it repeats the last one sent. */
  private async deliver(change: StatusChange, force: boolean): Promise<void> {
    const { link } = this.o;
    // Offline or Rejected: nothing to send (the current status goes out after the next boot).
    // Pending: the link lets it through only when a TriggerMessage asked for it.
    if (link.state !== 'accepted' && link.state !== 'pending') return;
    if (this.lastSent) {
      const key = keyOf(change);
      // A status held back that ended where the last one sent was (Charging → SuspendedEV for a
      // moment → Charging) is no news.
      if (!force && this.lastSent.get(change.connectorId) === key) return;
      this.lastSent.set(change.connectorId, key);
    }
    try {
      await link.call('StatusNotification', {
        connectorId: change.connectorId,
        status: change.status,
        errorCode: change.errorCode,
        timestamp: new Date(change.timestamp).toISOString(),
        ...(change.info && { info: change.info.slice(0, 50) }),
      });
    } catch (err) {
      this.o.log.debug({ err, connector: change.connectorId }, 'StatusNotification not delivered');
    }
  }
}
