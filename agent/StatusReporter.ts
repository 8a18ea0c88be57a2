/**
 * Status reporting of one charge point: StatusNotification for each connector as its machine
 * changes, and for the charge point itself (connectorId 0), which follows its connectors and
 * carries card-reader faults (ReaderFailure). Reported both as an Agent `status` event and to the
 * CSMS while the link lets it through.
 *
 * It keeps a reference to its Agent rather than callbacks: per-charger cost counts in a fleet.
 */
import type { HalError, HalErrorCode, RfidReader } from '../hal/index.js';
import type { Agent } from './Agent.js';
import type { StatusChange } from './charging/ConnectorController.js';

export class StatusReporter {
  /** `status/errorCode/info` last reported for connectorId 0. */
  private lastChargePointStatus: string | undefined;
  private readonly readerFaults = new Map<RfidReader, HalErrorCode>();

  constructor(private readonly cp: Agent) {}

  /** A connector's status changed: report it, and the charge point when that changes too. */
  connectorChanged(change: StatusChange): void {
    this.cp.log.info({ connector: change.connectorId, status: change.status, errorCode: change.errorCode }, 'status');
    this.cp.emit('status', change);
    void this.send(change);
    // The charge point as a whole (connectorId 0) follows its connectors: report it when that changes.
    this.reportChargePoint();
  }

  /**
   * A reader fault concerns the whole charge point: connectorId 0 reports ReaderFailure
   * (remote starts still work, so the status stays Available).
   */
  readerFault(reader: RfidReader, err: HalError): void {
    this.cp.log.warn({ code: err.code, err }, 'card reader fault: cards cannot be read');
    this.readerFaults.set(reader, err.code);
    this.reportChargePoint();
  }

  readerFaultCleared(reader: RfidReader, code: HalErrorCode): void {
    if (this.readerFaults.get(reader) !== code) return;
    this.cp.log.info({ code }, 'card reader fault cleared');
    this.readerFaults.delete(reader);
    this.reportChargePoint();
  }

  /** Sends a StatusNotification for a connector (0 = charge point), e.g. on TriggerMessage. */
  async send(change: StatusChange): Promise<void> {
    const { link } = this.cp;
    // Offline or Rejected: nothing to send (the current status goes out after the next boot).
    // Pending: the link lets it through only when a TriggerMessage asked for it.
    if (link.state !== 'accepted' && link.state !== 'pending') return;
    try {
      await link.call('StatusNotification', {
        connectorId: change.connectorId,
        status: change.status,
        errorCode: change.errorCode,
        timestamp: new Date(change.timestamp).toISOString(),
        ...(change.info && { info: change.info.slice(0, 50) }),
      });
    } catch (err) {
      this.cp.log.debug({ err, connector: change.connectorId }, 'StatusNotification not delivered');
    }
  }

  /** The charge point's own status (connectorId 0). */
  chargePoint(): StatusChange {
    const all = this.cp.connectors.map((c) => c.status);
    const status = all.length > 0 && all.every((s) => s === 'Unavailable') ? 'Unavailable' : 'Available';
    const [readerFault] = this.readerFaults.values();
    const fault: Pick<StatusChange, 'errorCode' | 'info'> = readerFault !== undefined ? { errorCode: 'ReaderFailure', info: readerFault } : { errorCode: 'NoError' };
    return { connectorId: 0, status, ...fault, timestamp: this.cp.options.clock.now() };
  }

  /** Current status of every connector plus the charge point (connectorId 0). */
  all(): StatusChange[] {
    return [this.chargePoint(), ...this.cp.connectors.map((c) => c.currentStatus())];
  }

  /** Reports the charge point (connectorId 0) when its status or error code changed. */
  private reportChargePoint(): void {
    const chargePoint = this.chargePoint();
    const key = `${chargePoint.status}/${chargePoint.errorCode}/${chargePoint.info ?? ''}`;
    if (key === this.lastChargePointStatus) return;
    this.lastChargePointStatus = key;
    this.cp.emit('status', chargePoint);
    void this.send(chargePoint);
  }
}
