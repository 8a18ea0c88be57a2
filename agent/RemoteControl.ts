/**
 * The charge point as the OCPP handlers see it ({@link ChargePointControl}): each CSMS request
 * becomes events for the connector machines, and the answer comes from their state. Work that
 * must follow the answer (a reset, a triggered message) is deferred until the answer is out.
 */
import type { Agent } from './Agent.js';
import type { AcceptStatus, ChargePointControl } from './ocpp/v16/ChargePointControl.js';
import type {
  CancelReservationResponse,
  ChangeAvailabilityResponse,
  DataTransferRequest,
  DataTransferResponse,
  MessageTriggerEnumType,
  RemoteStartTransactionRequest,
  ReserveNowRequest,
  ReserveNowResponse,
  TriggerMessageResponse,
  UnlockConnectorResponse,
} from './ocpp/v16/messages.js';

/** Defers work until the current handler's response has been written to the socket. */
function afterResponse(fn: () => void | Promise<void>): void {
  setImmediate(() => void fn());
}

const STARTABLE = new Set(['Available', 'Preparing', 'Finishing', 'Reserved']);

export class RemoteControl implements ChargePointControl {
  private readonly reservations = new Map<number, number>(); // reservationId -> connectorId

  constructor(private readonly agent: Agent) {}

  get log() {
    return this.agent.log;
  }

  get config() {
    return this.agent.config;
  }

  get connectorCount(): number {
    return this.agent.connectors.length;
  }

  async remoteStart(req: RemoteStartTransactionRequest): Promise<AcceptStatus> {
    const connector =
      req.connectorId !== undefined
        ? this.agent.connector(req.connectorId)
        : (this.agent.connectors.find((c) => c.status === 'Preparing') ?? this.agent.connectors.find((c) => STARTABLE.has(c.status)));
    if (!connector || !STARTABLE.has(connector.status) || this.agent.transactions.get(connector.connectorId)) return 'Rejected';
    const start = () => connector.send({ type: 'AUTHORIZED', idTag: req.idTag, remote: true });
    if (!this.config.getBool('AuthorizeRemoteTxRequests')) {
      start();
      return 'Accepted';
    }
    // Authorize first (after answering), then start only if the idTag is accepted.
    afterResponse(async () => {
      try {
        const { idTagInfo } = await this.agent.link.call('Authorize', { idTag: req.idTag });
        if (idTagInfo.status === 'Accepted') start();
      } catch (err) {
        this.log.warn({ err, idTag: req.idTag }, 'remote start not authorized');
      }
    });
    return 'Accepted';
  }

  remoteStop(transactionId: number): AcceptStatus {
    const connectorId = this.agent.transactions.connectorOfTransaction(transactionId);
    if (connectorId === undefined) return 'Rejected';
    this.agent.connector(connectorId)?.send({ type: 'STOP', reason: 'Remote' });
    return 'Accepted';
  }

  changeAvailability(connectorId: number, operative: boolean): ChangeAvailabilityResponse['status'] {
    const targets = connectorId === 0 ? this.agent.connectors : [this.agent.connector(connectorId)].filter((c) => c !== undefined);
    if (targets.length === 0) return 'Rejected';
    let scheduled = false;
    for (const c of targets) {
      if (!operative && this.agent.transactions.get(c.connectorId)) scheduled = true;
      c.send({ type: 'SET_AVAILABILITY', operative });
    }
    return scheduled ? 'Scheduled' : 'Accepted';
  }

  reset(type: 'Soft' | 'Hard'): AcceptStatus {
    afterResponse(() => this.agent.performReset(type));
    return 'Accepted';
  }

  async unlockConnector(connectorId: number): Promise<UnlockConnectorResponse['status']> {
    const connector = this.agent.connector(connectorId);
    if (!connector) return 'NotSupported';
    if (this.agent.transactions.get(connectorId)) connector.send({ type: 'STOP', reason: 'UnlockCommand' });
    const lock = this.agent.options.hardware.connectors.find((c) => c.connectorId === connectorId)?.lock;
    if (!lock) return 'NotSupported';
    try {
      await lock.unlock();
      return 'Unlocked';
    } catch (err) {
      this.log.warn({ err, connector: connectorId }, 'unlock failed');
      return 'UnlockFailed';
    }
  }

  async clearCache(): Promise<AcceptStatus> {
    this.agent.authCache.clear();
    return 'Accepted';
  }

  trigger(message: MessageTriggerEnumType | 'DiagnosticsStatusNotification', connectorId?: number): TriggerMessageResponse['status'] {
    if (connectorId !== undefined && (connectorId < 0 || connectorId > this.connectorCount)) return 'Rejected';
    const link = this.agent.link;
    switch (message) {
      case 'BootNotification':
        afterResponse(() => link.sendBootNotification());
        return 'Accepted';
      case 'Heartbeat':
        afterResponse(() => link.sendHeartbeat());
        return 'Accepted';
      case 'StatusNotification':
        afterResponse(async () => {
          for (const s of this.agent.statuses()) {
            if (connectorId === undefined || s.connectorId === connectorId) await this.agent.sendStatus(s);
          }
        });
        return 'Accepted';
      case 'MeterValues':
        afterResponse(async () => {
          for (const c of this.agent.connectors) {
            if (connectorId === undefined || connectorId === 0 || c.connectorId === connectorId) await this.agent.transactions.sendTriggered(c.connectorId);
          }
        });
        return 'Accepted';
      case 'DiagnosticsStatusNotification':
        afterResponse(() => link.call('DiagnosticsStatusNotification', { status: 'Idle' }).then(() => undefined, () => undefined));
        return 'Accepted';
      case 'FirmwareStatusNotification':
        afterResponse(() => link.call('FirmwareStatusNotification', { status: 'Idle' }).then(() => undefined, () => undefined));
        return 'Accepted';
      default:
        return 'NotImplemented';
    }
  }

  async dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse> {
    // No vendor extensions yet: say so rather than pretend to understand the payload.
    this.log.info({ vendorId: req.vendorId, messageId: req.messageId }, 'DataTransfer from CSMS');
    return { status: 'UnknownVendorId' };
  }

  reserveNow(req: ReserveNowRequest): ReserveNowResponse['status'] {
    const connector = this.agent.connector(req.connectorId);
    if (!connector) return 'Rejected';
    switch (connector.status) {
      case 'Available':
        break;
      case 'Faulted':
        return 'Faulted';
      case 'Unavailable':
        return 'Unavailable';
      default:
        return 'Occupied';
    }
    connector.send({
      type: 'RESERVE',
      reservationId: req.reservationId,
      idTag: req.idTag,
      expiresAt: Date.parse(req.expiryDate),
      now: this.agent.options.clock.now(),
      ...(req.parentIdTag !== undefined && { parentIdTag: req.parentIdTag }),
    });
    this.reservations.set(req.reservationId, req.connectorId);
    return 'Accepted';
  }

  cancelReservation(reservationId: number): CancelReservationResponse['status'] {
    const connectorId = this.reservations.get(reservationId);
    const connector = connectorId !== undefined ? this.agent.connector(connectorId) : undefined;
    if (!connector || connector.status !== 'Reserved') return 'Rejected';
    this.reservations.delete(reservationId);
    connector.send({ type: 'CANCEL_RESERVATION', reservationId });
    return 'Accepted';
  }
}
