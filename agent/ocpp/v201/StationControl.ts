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
  ReportBaseEnumType,
  ResetEnumType,
  ResetStatusEnumType,
} from '../../ocpp201/messages.js';
import type { DeviceModel } from './DeviceModel.js';

export interface StationControl {
  readonly log: Logger;
  readonly deviceModel: DeviceModel;
  /** EVSEs 1..n, one connector each. */
  readonly evseCount: number;
  /** GetBaseReport: Accepted (or EmptyResultSet); the NotifyReport pages follow the answer. */
  baseReport(requestId: number, base: ReportBaseEnumType): GenericDeviceModelStatusEnumType;
  /** Reset of the whole station: Immediate ends transactions now, OnIdle once none runs (Scheduled). */
  reset(type: ResetEnumType): ResetStatusEnumType;
  /** RequestStartTransaction on an EVSE of ours (or any): Accepted when the session service admits it. */
  remoteStart(request: RequestStartTransactionRequest): Promise<RequestStartStopStatusEnumType>;
  /** RequestStopTransaction: Accepted when a transaction with this id runs here. */
  remoteStop(transactionId: string): RequestStartStopStatusEnumType;
  /** ChangeAvailability of the station (evseId 0) or one EVSE; Scheduled while a transaction runs there. */
  changeAvailability(evseId: number, operative: boolean): ChangeAvailabilityStatusEnumType;
}
