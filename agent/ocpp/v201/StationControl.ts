/**
 * What an OCPP 2.0.1 handler may ask of the charging station — the 2.0.1 counterpart of
 * v16/ChargePointControl.ts. A handler turns a CSMS request into calls on this port and answers
 * from their results; it never touches devices, machines or the socket. Ocpp201Station implements
 * it over the shared services; handler tests may use a fake.
 */
import type { Logger } from 'pino';
import type {
  ChangeAvailabilityStatusEnumType,
  GenericDeviceModelStatusEnumType,
  RequestStartStopStatusEnumType,
  RequestStartTransactionRequest,
  DataTransferRequest,
  DataTransferResponse,
  GetReportRequest,
  GetTransactionStatusResponse,
  MessageTriggerEnumType,
  SendLocalListRequest,
  SendLocalListStatusEnumType,
  TriggerMessageStatusEnumType,
  UnlockStatusEnumType,
  ReportBaseEnumType,
  ResetEnumType,
  ResetStatusEnumType,
  GetMonitoringReportRequest,
  CustomerInformationRequest,
  CustomerInformationStatusEnumType,
} from '../../ocpp201/messages.js';
import type { DeviceModel } from './DeviceModel.js';
import type { Refusal } from '../ConnectionProfiles.js';
import type { CsmsProfile } from '../NetworkProfiles.js';
import type { CertificateControl } from '../v16/ChargePointControl.js';
import type { FirmwareRequest, FirmwareRequestAnswer } from '../../firmware/firmwareTypes.js';
import type { UploadAnswer, UploadRequest } from '../../diagnostics/diagnosticsTypes.js';
import type { SmartCharging201 } from './SmartCharging201.js';
import type { Reservations201 } from './Reservations201.js';
import type { Monitoring201 } from './Monitoring201.js';
import type { DisplayMessagePort, TariffCostPort } from '../DriverPorts.js';
import type { MessageInfoType } from '../../ocpp201/messages.js';

export interface StationControl {
  readonly log: Logger;
  readonly deviceModel: DeviceModel;
  /** EVSEs 1..n, one connector each. */
  readonly evseCount: number;
  /** Smart charging over the charging-limit service; absent: its calls are Rejected / Unknown / NoProfiles. */
  readonly smartCharging?: SmartCharging201;
  /** Certificate management (agent/security/CertificateService.ts); absent: its calls are answered NotSupported. */
  readonly certificates?: CertificateControl;
  /** SetNetworkProfile into the connection profiles (agent/ocpp/ConnectionProfiles.ts): undefined when stored, else why not. Absent: Rejected. */
  readonly networkProfiles?: { propose(slot: number, profile: CsmsProfile): Promise<Refusal | undefined> };
  /** UpdateFirmware (agent/firmware); absent: Rejected. */
  readonly firmware?: { request(req: FirmwareRequest): Promise<FirmwareRequestAnswer> };
  /** GetLog (agent/diagnostics); absent: Rejected. */
  readonly diagnostics?: { request(req: UploadRequest): Promise<UploadAnswer> };
  /** SetVariableMonitoring / ClearVariableMonitoring / SetMonitoringBase / SetMonitoringLevel: monitors on the measured variables. */
  readonly monitoring: Pick<Monitoring201, 'set' | 'clear' | 'setBase' | 'setLevel'>;
  /** GetMonitoringReport: Accepted (or EmptyResultSet); the NotifyMonitoringReport pages follow the answer. */
  monitoringReport(request: GetMonitoringReportRequest): GenericDeviceModelStatusEnumType;
  /** ReserveNow / CancelReservation over the session service's reservations. */
  readonly reservations: Pick<Reservations201, 'reserve' | 'cancel'>;
  /** Set/Get/ClearDisplayMessage: the display service's operator messages; absent without a display. */
  readonly displayMessages?: DisplayMessagePort;
  /** CostUpdated: the tariff and cost service; absent without one. */
  readonly tariffCost?: TariffCostPort;
  /** The station's time now, RFC 3339. */
  now(): string;
  /** GetDisplayMessages: the messages found go out in NotifyDisplayMessages pages after the answer. */
  reportDisplayMessages(requestId: number, messages: readonly MessageInfoType[]): void;
  /** GetBaseReport: Accepted (or EmptyResultSet); the NotifyReport pages follow the answer. */
  baseReport(requestId: number, base: ReportBaseEnumType): GenericDeviceModelStatusEnumType;
  /** GetReport: Accepted (or EmptyResultSet when nothing matches); the NotifyReport pages follow the answer. */
  getReport(request: GetReportRequest): GenericDeviceModelStatusEnumType;
  /** Reset of the whole station: Immediate ends transactions now, OnIdle once none runs (Scheduled). */
  reset(type: ResetEnumType): ResetStatusEnumType;
  /** Reset of one EVSE of ours: Immediate ends its transaction now, OnIdle once it has ended (Scheduled); others untouched. */
  resetEvse(type: ResetEnumType, evseId: number): ResetStatusEnumType;
  /** RequestStartTransaction on an EVSE of ours (or any): Accepted when the session service admits it. */
  remoteStart(request: RequestStartTransactionRequest): Promise<RequestStartStopStatusEnumType>;
  /** RequestStopTransaction: Accepted when a transaction with this id runs here. */
  remoteStop(transactionId: string): Promise<RequestStartStopStatusEnumType>;
  /** TriggerMessage: Accepted/Rejected/NotImplemented; the message goes out after the answer. */
  trigger(message: MessageTriggerEnumType, evseId?: number): TriggerMessageStatusEnumType;
  /** UnlockConnector of an EVSE's connector: never under a running transaction (OngoingAuthorizedTransaction). */
  unlock(evseId: number): Promise<UnlockStatusEnumType>;
  /** ClearCache: Rejected while the cache is disabled. */
  clearCache(): Promise<'Accepted' | 'Rejected'>;
  /** CustomerInformation: Accepted, Rejected or Invalid; the erasing (clear) and the NotifyCustomerInformation pages follow the answer. */
  customerInformation(request: CustomerInformationRequest): CustomerInformationStatusEnumType;
  /** GetLocalListVersion (0: no list). */
  localListVersion(): number;
  /** SendLocalList into the shared Local Authorization List. */
  sendLocalList(request: SendLocalListRequest): Promise<SendLocalListStatusEnumType>;
  /** DataTransfer from the CSMS: the registered vendor handlers. */
  dataTransfer(request: DataTransferRequest): Promise<DataTransferResponse>;
  /** GetTransactionStatus: messages still queued (of that transaction, or any), and whether it still runs. */
  transactionStatus(transactionId?: string): GetTransactionStatusResponse;
  /** ChangeAvailability of the station (evseId 0) or one EVSE; Scheduled while a transaction runs there. */
  changeAvailability(evseId: number, operative: boolean): ChangeAvailabilityStatusEnumType;
}
