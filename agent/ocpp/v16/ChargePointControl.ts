/**
 * What an OCPP 1.6 handler may ask of the charge point. A handler turns a CSMS request into calls
 * on this port and answers from their results; it never touches devices or the socket itself.
 * The Agent implements it; handler tests use a recording fake of it.
 */
import type { Customer } from '../../sessions/customerData.js';
import type { Logger } from 'pino';
import type { IdTokenKind } from '../../auth/idToken.js';
import type { LocalListUpdate } from '../../auth/LocalAuthList.js';
import type { OcppConfiguration } from '../../store/OcppConfiguration.js';
import type { ChargingLimits } from '../../chargingLimits/ChargingLimits.js';
import type { ChargingProfile } from '../../chargingLimits/chargingProfile.js';
import type { FirmwareRequest, FirmwareRequestAnswer } from '../../firmware/firmwareTypes.js';
import type { UploadAnswer, UploadRequest } from '../../diagnostics/diagnosticsTypes.js';
import type {
  ChangeAvailabilityResponse,
  DataTransferRequest,
  DataTransferResponse,
  MessageTriggerEnumType,
  RemoteStartTransactionRequest,
  RemoteStartTransactionResponse,
  RemoteStopTransactionResponse,
  ReserveNowRequest,
  ReserveNowResponse,
  CancelReservationResponse,
  ResetResponse,
  TriggerMessageResponse,
  UnlockConnectorResponse,
  ClearCacheResponse,
  SendLocalListResponse,
  CertificateHashDataType,
  CertificateSignedResponse,
  CertificateUseEnumType,
  DeleteCertificateResponse,
  InstallCertificateResponse,
} from '../../ocpp16/messages.js';

export type AcceptStatus = 'Accepted' | 'Rejected';

/** The requestedMessage values of (core) TriggerMessage. */
export type TriggerableMessage = Exclude<MessageTriggerEnumType, 'LogStatusNotification' | 'SignChargePointCertificate'> | 'DiagnosticsStatusNotification';

/** Certificate management (Security Whitepaper): the service behind it is agent/security/CertificateService.ts. */
export interface CertificateControl {
  install(type: CertificateUseEnumType, certificate: string): Promise<InstallCertificateResponse['status']>;
  remove(id: CertificateHashDataType): Promise<DeleteCertificateResponse['status']>;
  installedIds(type: CertificateUseEnumType): CertificateHashDataType[];
  /** CertificateSigned: checks and stores the chain (used from the next connection). */
  certificateSigned(chain: string): Promise<CertificateSignedResponse['status']>;
  /** ExtendedTriggerMessage(SignChargePointCertificate): SignCertificate follows the answer. */
  requestSigning(): 'Accepted' | 'Rejected';
}

export interface ChargePointControl {
  readonly log: Logger;
  /** OCPP configuration keys (persisted). */
  readonly config: OcppConfiguration;
  /** Number of connectors (connectorId 1..n). */
  readonly connectorCount: number;

  /**
   * RemoteStartTransaction: authorizes (per AuthorizeRemoteTxRequests) and starts on a connector;
   * `txProfile` (translated from its chargingProfile) becomes the TxProfile of that session.
   */
  /** `req.idTokenType`: the kind of the CSMS's identifier (2.0.1 RequestStartTransaction; 1.6 has none). */
  remoteStart(req: RemoteStartTransactionRequest & { idTokenType?: IdTokenKind }, txProfile?: ChargingProfile): Promise<RemoteStartTransactionResponse['status']>;
  /** SmartCharging: the charging-limit service (profiles, composite schedules). Absent: NotSupported. */
  readonly chargingLimits?: Pick<ChargingLimits, 'setProfile' | 'clearProfiles' | 'composite' | 'problemOf' | 'profiles' | 'limitOf' | 'localLimit'>;
  /** RemoteStopTransaction: Accepted when a transaction with this id runs here. */
  remoteStop(transactionId: number): RemoteStopTransactionResponse['status'];
  /**
   * Settles once a StartTransaction answer that has arrived is taken in, so that its transactionId
   * is known; undefined when no StartTransaction is in flight.
   */
  startAnswered?(): Promise<void> | undefined;
  /** ChangeAvailability (connectorId 0 = whole charger). Scheduled while a transaction runs. */
  changeAvailability(connectorId: number, operative: boolean): ChangeAvailabilityResponse['status'];
  /** Reset: answers first, then stops transactions (SoftReset/HardReset) and restarts. */
  reset(type: 'Soft' | 'Hard'): ResetResponse['status'];
  /** UnlockConnector: stops a transaction on it (UnlockCommand) and releases the lock; NotSupported without a lock (the transaction goes on). */
  unlockConnector(connectorId: number): Promise<UnlockConnectorResponse['status']>;
  /** ClearCache: clears the authorization cache. */
  clearCache(): Promise<ClearCacheResponse['status']>;
  /**
   * What the charger keeps of one driver, a line each (none: nothing); with `clear`, what may be
   * erased is erased first (agent/sessions/customerData.ts; OCPP 2.0.1 CustomerInformation).
   */
  customerData?(who: Customer, clear: boolean): Promise<string[]>;
  /**
   * TriggerMessage: Accepted/Rejected/NotImplemented; the triggered message is sent *after* the
   * response has gone out.
   */
  trigger(message: TriggerableMessage | MessageTriggerEnumType, connectorId?: number): TriggerMessageResponse['status'];
  /** DataTransfer from the CSMS. */
  dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse>;
  /** ReserveNow / CancelReservation (Reservation profile). */
  /** `req.idTokenType`: the kind of the reservation's idToken (2.0.1 ReserveNow; 1.6 has none). */
  reserveNow(req: ReserveNowRequest & { idTokenType?: IdTokenKind }): ReserveNowResponse['status'];
  cancelReservation(reservationId: number): CancelReservationResponse['status'];
  /**
   * SendLocalList (LocalAuthListManagement profile): applies the update to the Local Authorization
   * List once the handler has checked LocalAuthListEnabled; resolves when the new list is durable.
   * Optional: a charge point without a list answers NotSupported.
   */
  /** 1.6's SendLocalList, or 2.0.1's in the shared words (kinds, its statuses: auth/LocalAuthList.ts). */
  sendLocalList?(req: LocalListUpdate): Promise<SendLocalListResponse['status']>;
  /** GetLocalListVersion: the installed list version (0: the list is empty). Optional, as above. */
  localListVersion?(): number;
  /** UpdateFirmware / SignedUpdateFirmware: the firmware service (agent/firmware). Optional: without it, not supported. */
  readonly firmware?: { request(req: FirmwareRequest): Promise<FirmwareRequestAnswer> };
  /** GetDiagnostics / GetLog (DiagnosticsLog and SecurityLog): log uploads (agent/diagnostics). Optional: without it, not supported. */
  readonly diagnostics?: { request(req: UploadRequest): Promise<UploadAnswer> };
  /** Certificate management; absent: the certificate messages are answered NotSupported. */
  readonly certificates?: CertificateControl;
}
