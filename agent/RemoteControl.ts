/**
 * The charge point as the OCPP handlers see it ({@link ChargePointControl}): each CSMS request
 * becomes events for the connector machines, and the answer comes from their state. Work that
 * must follow the answer (a reset, a triggered message) is deferred until the answer is out.
 */
import type { Agent } from './Agent.js';
import type { ConnectorController } from './charging/ConnectorController.js';
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
  SendLocalListRequest,
  SendLocalListResponse,
  TriggerMessageResponse,
  UnlockConnectorResponse,
} from './ocpp/v16/messages.js';

/** Defers work until the current handler's response has been written to the socket. */
function afterResponse(fn: () => void | Promise<void>): void {
  setImmediate(() => void fn());
}

const STARTABLE = new Set(['Available', 'Preparing', 'Finishing', 'Reserved']);

export class RemoteControl implements ChargePointControl {
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
    // A reserved connector starts only for the reserving idTag (OCPP 1.6 §3.11).
    const usable = (c: ConnectorController) =>
      STARTABLE.has(c.status) && !c.hasTransaction && (c.status !== 'Reserved' || c.isReservedFor({ idTag: req.idTag }));
    const candidates = this.agent.connectors.filter(usable);
    const connector =
      req.connectorId !== undefined
        ? candidates.find((c) => c.connectorId === req.connectorId)
        : (candidates.find((c) => c.status === 'Reserved') ?? candidates.find((c) => c.status === 'Preparing') ?? candidates[0]);
    if (!connector || !this.agent.acceptsSessions) return 'Rejected';
    // A session that could not be journaled must not start (disk full or read-only).
    if (!(await this.agent.checkJournal())) return 'Rejected';
    const start = (parentIdTag?: string) =>
      connector.send({ type: 'AUTHORIZED', idTag: req.idTag, remote: true, ...(parentIdTag !== undefined && { parentIdTag }) });
    if (!this.config.getBool('AuthorizeRemoteTxRequests')) {
      start();
      return 'Accepted';
    }
    // Authorize first (after answering), as if the idTag had been presented here (§5.11): the
    // same local authorization rules and cache as a card, and its parentIdTag for the session.
    afterResponse(async () => {
      const result = await this.agent.authorize(req.idTag);
      if (result.status === 'Accepted' && this.agent.acceptsSessions) start(result.parentIdTag);
      else this.log.info({ idTag: req.idTag, status: result.status }, 'remote start not authorized');
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
      if (!operative && c.hasTransaction) scheduled = true;
      c.send({ type: 'SET_AVAILABILITY', operative });
      void this.agent.availability.set(c.connectorId, operative);
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
    if (connector.hasTransaction) connector.send({ type: 'STOP', reason: 'UnlockCommand' });
    const hardware = this.agent.options.hardware.connectors.find((c) => c.connectorId === connectorId);
    const lock = hardware?.lock;
    if (!hardware || !lock) return 'NotSupported';
    try {
      // Never release the plug under load: wait until the contactor is confirmed open (a welded
      // one rejects, and the connector stays locked).
      await hardware.relay.open();
      await lock.unlock();
      return 'Unlocked';
    } catch (err) {
      this.log.warn({ err, connector: connectorId }, 'unlock failed');
      return 'UnlockFailed';
    }
  }

  async clearCache(): Promise<AcceptStatus> {
    // Answered once the emptied cache is on disk, so a power cut right after cannot bring it back.
    this.agent.authCache.clear();
    await this.agent.authCache.flush();
    return 'Accepted';
  }

  sendLocalList(req: SendLocalListRequest): Promise<SendLocalListResponse['status']> {
    return this.agent.localAuthList.update(req, {
      maxEntries: this.config.getInt('LocalAuthListMaxLength'),
      maxPerRequest: this.config.getInt('SendLocalListMaxLength'),
    });
  }

  localListVersion(): number {
    return this.agent.localAuthList.version;
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

  dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse> {
    return this.agent.vendors.answer(req, this.log);
  }

  reserveNow(req: ReserveNowRequest): ReserveNowResponse['status'] {
    const connector = this.agent.connector(req.connectorId);
    // An expiry already past would reserve nothing: refuse it rather than Accept and ignore it.
    if (!connector || !(Date.parse(req.expiryDate) > this.agent.options.clock.now())) return 'Rejected';
    // OCPP 1.6 §5.13: a ReserveNow with the id of the reservation held replaces it.
    const replaces = connector.status === 'Reserved' && connector.reservationId === req.reservationId;
    switch (replaces ? 'Available' : connector.status) {
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
    return 'Accepted';
  }

  cancelReservation(reservationId: number): CancelReservationResponse['status'] {
    // Asked of the machines, which drop a reservation when it expires or is used.
    const connector = this.agent.connectors.find((c) => c.reservationId === reservationId);
    if (!connector) return 'Rejected';
    connector.send({ type: 'CANCEL_RESERVATION', reservationId });
    return 'Accepted';
  }
}
