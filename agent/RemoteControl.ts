/**
 * The charge point as the OCPP 1.6 handlers see it ({@link ChargePointControl}): each CSMS request
 * becomes a call on the session service or an event for the connector machines, and the answer
 * comes from their state. Work that must follow the answer (a reset, a triggered message) is
 * deferred until the answer is out.
 *
 * It is created before the OCPP link (which answers through it) and given what it works on once
 * the charge point has built those ({@link RemoteControl.attach}): no handler runs before the link starts.
 */
import type { Logger } from 'pino';
import type { ConnectorHardware } from '../hal/index.js';
import type { AuthorizationCache } from './auth/AuthorizationCache.js';
import type { IdTokenKind } from './auth/idToken.js';
import type { LocalListUpdate } from './auth/LocalAuthList.js';
import type { LocalAuthList } from './auth/LocalAuthList.js';
import type { StatusChange } from './charging/ConnectorController.js';
import type { OcppCaller } from './ocpp/OcppCaller.js';
import type { AcceptStatus, CertificateControl, ChargePointControl } from './ocpp/v16/ChargePointControl.js';
import type {
  CancelReservationResponse,
  ChangeAvailabilityResponse,
  DataTransferRequest,
  DataTransferResponse,
  MessageTriggerEnumType,
  RemoteStartTransactionRequest,
  ReserveNowRequest,
  ReserveNowResponse,
  SendLocalListResponse,
  TriggerMessageResponse,
  UnlockConnectorResponse,
} from './ocpp16/messages.js';
import type { OcppConfiguration } from './store/OcppConfiguration.js';
import { firmwareStatusMessage } from './ocpp/v16/firmwareStatusMessage.js';
import type { SessionService } from './sessions/SessionService.js';
import { customerData, type Customer, type DriverUsageRecords } from './sessions/customerData.js';
import type { ChargingLimits } from './chargingLimits/ChargingLimits.js';
import type { ChargingProfile } from './chargingLimits/chargingProfile.js';
import type { FirmwareService } from './firmware/FirmwareService.js';
import type { DiagnosticsService } from './diagnostics/DiagnosticsService.js';

/** Defers work until the current handler's response has been written to the socket. */
function afterResponse(fn: () => void | Promise<void>): void {
  setImmediate(() => void fn());
}

/** What RemoteControl works on, built by the charge point after the link. */
export interface RemoteControlParts {
  sessions: SessionService;
  /** The connectors' devices (UnlockConnector needs the relay and the lock). */
  hardware: readonly ConnectorHardware[];
  transactions: { sendTriggered(connectorId: number): Promise<void>; get(connectorId: number): { idTag: string; startedAt: number } | undefined };
  link: OcppCaller & { sendBootNotification(): Promise<void>; sendHeartbeat(): Promise<void> };
  /** Current statuses (connectorId 0 first) and sending one (TriggerMessage StatusNotification). */
  statuses: { all(): StatusChange[]; send(change: StatusChange): Promise<void> };
  authCache: AuthorizationCache;
  localAuthList: LocalAuthList;
  /** Charging profiles and limits (SmartCharging). */
  limits: ChargingLimits;
  /** Ends the transactions and restarts (after the Reset answer is out). */
  reset(type: 'Soft' | 'Hard'): Promise<void>;
  /** Answers a DataTransfer from the CSMS (the registered vendor handlers). */
  dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse>;
  /** Firmware updates (absent: not supported). */
  firmware?: FirmwareService | undefined;
  /** Log uploads: GetDiagnostics, GetLog of the diagnostics and the security log (absent: not supported). */
  diagnostics?: DiagnosticsService | undefined;
  /** Usage records naming drivers by a hash (CustomerInformation finds and erases them), where kept. */
  usageRecords?: DriverUsageRecords | undefined;
  /** Certificate management (agent/security/CertificateService.ts), if the charger has it. */
  certificates?: CertificateControl;
}

export class RemoteControl implements ChargePointControl {
  private parts: RemoteControlParts | undefined;

  constructor(
    readonly log: Logger,
    readonly config: OcppConfiguration,
  ) {}

  attach(parts: RemoteControlParts): void {
    this.parts = parts;
  }

  private get p(): RemoteControlParts {
    if (!this.parts) throw new Error('RemoteControl used before attach()');
    return this.parts;
  }

  get firmware(): FirmwareService | undefined {
    return this.parts?.firmware;
  }

  get diagnostics(): DiagnosticsService | undefined {
    return this.parts?.diagnostics;
  }

  get certificates(): CertificateControl | undefined {
    return this.parts?.certificates;
  }

  get connectorCount(): number {
    return this.p.sessions.connectors.length;
  }

  get chargingLimits(): ChargingLimits {
    return this.p.limits;
  }

  /** `req.idTokenType`: the kind of the CSMS's identifier (OCPP 2.0.1 RequestStartTransaction; 1.6 has none). */
  async remoteStart(req: RemoteStartTransactionRequest & { idTokenType?: IdTokenKind }, txProfile?: ChargingProfile): Promise<AcceptStatus> {
    const { limits } = this.p;
    if (txProfile) {
      const problem = limits.problemOf({ ...txProfile, connectorId: req.connectorId ?? 1 });
      if (problem) {
        this.log.info({ idTag: req.idTag, profileId: txProfile.id, problem }, `remote start rejected: its charging profile is not acceptable: ${problem}`);
        return 'Rejected';
      }
    }
    // The TxProfile binds on the connector chosen, before the session is authorized there.
    const prepare = txProfile && ((connectorId: number) => {
      const answer = limits.setSessionProfile(connectorId, txProfile);
      if (!answer.accepted) this.log.warn({ connector: connectorId, profileId: txProfile.id, reason: answer.reason }, 'the remote start\'s charging profile could not be installed');
    });
    const admission = await this.p.sessions.admit({ origin: 'csms', idTag: req.idTag, ...(req.idTokenType !== undefined && { idTokenType: req.idTokenType }), ...(req.connectorId !== undefined && { connectorId: req.connectorId }), ...(prepare && { prepare }) });
    if (!admission.ok) {
      this.log.info({ idTag: req.idTag, connector: req.connectorId, reason: admission.reason }, `remote start rejected: ${admission.message}`);
      return 'Rejected';
    }
    if (!admission.authorizes) return (await admission.proceed()).ok ? 'Accepted' : 'Rejected';
    // AuthorizeRemoteTxRequests: authorize after answering (§5.11), as if the idTag had been presented here.
    afterResponse(async () => {
      const started = await admission.proceed();
      if (!started.ok) this.log.info({ idTag: req.idTag, reason: started.reason }, `remote start not carried out: ${started.message}`);
    });
    return 'Accepted';
  }

  remoteStop(transactionId: number): AcceptStatus {
    return this.p.sessions.stopTransaction(transactionId, 'Remote').ok ? 'Accepted' : 'Rejected';
  }

  startAnswered(): Promise<void> | undefined {
    return this.p.sessions.startAnswered();
  }

  changeAvailability(connectorId: number, operative: boolean): ChangeAvailabilityResponse['status'] {
    return this.p.sessions.changeAvailability(connectorId, operative).status;
  }

  reset(type: 'Soft' | 'Hard'): AcceptStatus {
    const parts = this.p; // called as its method: the parts may be one shared prototype's (Agent)
    afterResponse(() => parts.reset(type));
    return 'Accepted';
  }

  async unlockConnector(connectorId: number): Promise<UnlockConnectorResponse['status']> {
    const hardware = this.p.hardware.find((c) => c.connectorId === connectorId);
    const lock = hardware?.lock;
    // Without a lock there is nothing to release: the session goes on.
    if (!hardware || !lock) return 'NotSupported';
    this.p.sessions.stopOn(connectorId, 'UnlockCommand');
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
    this.p.authCache.clear();
    await this.p.authCache.flush();
    return 'Accepted';
  }

  /** SendLocalList in the shared words (1.6's request, or 2.0.1's with kinds: auth/LocalAuthList.ts). */
  sendLocalList(req: LocalListUpdate): Promise<SendLocalListResponse['status']> {
    return this.p.localAuthList.update(req, {
      maxEntries: this.config.getInt('LocalAuthListMaxLength'),
      maxPerRequest: this.config.getInt('SendLocalListMaxLength'),
    });
  }

  localListVersion(): number {
    return this.p.localAuthList.version;
  }

  customerData(who: Customer, clear: boolean): Promise<string[]> {
    const { authCache, localAuthList, sessions, transactions, usageRecords } = this.p;
    return customerData({ authCache, localAuthList, connectors: sessions.connectors, transactionOn: (id) => transactions.get(id), usage: usageRecords }, who, clear);
  }

  trigger(message: MessageTriggerEnumType | 'DiagnosticsStatusNotification', connectorId?: number): TriggerMessageResponse['status'] {
    if (connectorId !== undefined && (connectorId < 0 || connectorId > this.connectorCount)) return 'Rejected';
    const { link, statuses, transactions, sessions } = this.p;
    switch (message) {
      case 'BootNotification':
        afterResponse(() => link.sendBootNotification());
        return 'Accepted';
      case 'Heartbeat':
        afterResponse(() => link.sendHeartbeat());
        return 'Accepted';
      case 'StatusNotification':
        afterResponse(async () => {
          for (const s of statuses.all()) {
            if (connectorId === undefined || s.connectorId === connectorId) await statuses.send(s);
          }
        });
        return 'Accepted';
      case 'MeterValues':
        afterResponse(async () => {
          for (const c of sessions.connectors) {
            if (connectorId === undefined || connectorId === 0 || c.connectorId === connectorId) await transactions.sendTriggered(c.connectorId);
          }
        });
        return 'Accepted';
      case 'DiagnosticsStatusNotification': {
        const status = this.p.diagnostics?.status ?? 'Idle';
        afterResponse(() => link.call('DiagnosticsStatusNotification', { status }).then(() => undefined, () => undefined));
        return 'Accepted';
      }
      case 'LogStatusNotification': {
        // Whitepaper ExtendedTriggerMessage: the GetLog upload under way, else Idle.
        const payload = this.p.diagnostics?.logStatus ?? { status: 'Idle' as const };
        afterResponse(() => link.call('LogStatusNotification', payload).then(() => undefined, () => undefined));
        return 'Accepted';
      }
      case 'FirmwareStatusNotification': {
        // The status of a plain UpdateFirmware under way (a signed one is reported by its own message), else Idle.
        const message = firmwareStatusMessage({ status: this.p.firmware?.status(false) ?? 'Idle', signed: false });
        const status = message?.action === 'FirmwareStatusNotification' ? message.payload.status : 'Idle';
        afterResponse(() => link.call('FirmwareStatusNotification', { status }).then(() => undefined, () => undefined));
        return 'Accepted';
      }
      default:
        return 'NotImplemented';
    }
  }

  dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse> {
    return this.p.dataTransfer(req);
  }

  /** `req.idTokenType`, `req.parentIdTagType`: the kinds of the reservation's idToken and groupIdToken (2.0.1 ReserveNow; 1.6 has none). */
  reserveNow(req: ReserveNowRequest & { idTokenType?: IdTokenKind; parentIdTagType?: IdTokenKind }): ReserveNowResponse['status'] {
    const { reservationId, connectorId, idTag, idTokenType, parentIdTag, parentIdTagType } = req;
    return this.p.sessions.reserve({
      reservationId, connectorId, idTag, expiresAt: Date.parse(req.expiryDate),
      ...(idTokenType !== undefined && { idTokenType }), ...(parentIdTag !== undefined && { parentIdTag }), ...(parentIdTagType !== undefined && { parentIdTagType }),
    });
  }

  cancelReservation(reservationId: number): CancelReservationResponse['status'] {
    return this.p.sessions.cancelReservation(reservationId);
  }
}
