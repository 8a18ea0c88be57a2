/**
 * The OCPP 2.0.1 calls this station answers, built once per process and shared by every charger.
 * An action missing here is answered NotImplemented.
 */
import type { Ocpp201Action } from '../../../ocpp201/messages.js';
import type { StationControl } from '../StationControl.js';
import { cancelReservation } from './CancelReservation.js';
import { certificateSigned } from './CertificateSigned.js';
import { deleteCertificate } from './DeleteCertificate.js';
import { getInstalledCertificateIds } from './GetInstalledCertificateIds.js';
import { installCertificate } from './InstallCertificate.js';
import { changeAvailability } from './ChangeAvailability.js';
import { reserveNow } from './ReserveNow.js';
import { clearChargingProfile } from './ClearChargingProfile.js';
import { clearVariableMonitoring } from './ClearVariableMonitoring.js';
import { setVariableMonitoring } from './SetVariableMonitoring.js';
import { getMonitoringReport } from './GetMonitoringReport.js';
import { setMonitoringBase } from './SetMonitoringBase.js';
import { setMonitoringLevel } from './SetMonitoringLevel.js';
import { getChargingProfiles } from './GetChargingProfiles.js';
import { getCompositeSchedule } from './GetCompositeSchedule.js';
import { setChargingProfile } from './SetChargingProfile.js';
import { clearCache } from './ClearCache.js';
import { customerInformation } from './CustomerInformation.js';
import { clearDisplayMessage } from './ClearDisplayMessage.js';
import { costUpdated } from './CostUpdated.js';
import { getDisplayMessages } from './GetDisplayMessages.js';
import { setDisplayMessage } from './SetDisplayMessage.js';
import { dataTransfer } from './DataTransfer.js';
import { getLocalListVersion } from './GetLocalListVersion.js';
import { getLog } from './GetLog.js';
import { updateFirmware } from './UpdateFirmware.js';
import { getTransactionStatus } from './GetTransactionStatus.js';
import { sendLocalList } from './SendLocalList.js';
import { triggerMessage } from './TriggerMessage.js';
import { unlockConnector } from './UnlockConnector.js';
import { getBaseReport } from './GetBaseReport.js';
import { getReport } from './GetReport.js';
import { getVariables } from './GetVariables.js';
import type { Handler201 } from './Handler201.js';
import { requestStartTransaction } from './RequestStartTransaction.js';
import { requestStopTransaction } from './RequestStopTransaction.js';
import { reset } from './Reset.js';
import { setVariables } from './SetVariables.js';
import { setNetworkProfile } from './SetNetworkProfile.js';

export const HANDLERS_201: { readonly [A in Ocpp201Action]?: Handler201<A> } = Object.freeze({
  CancelReservation: cancelReservation,
  CertificateSigned: certificateSigned,
  ChangeAvailability: changeAvailability,
  ClearCache: clearCache,
  ClearChargingProfile: clearChargingProfile,
  ClearDisplayMessage: clearDisplayMessage,
  CostUpdated: costUpdated,
  CustomerInformation: customerInformation,
  ClearVariableMonitoring: clearVariableMonitoring,
  DataTransfer: dataTransfer,
  DeleteCertificate: deleteCertificate,
  GetBaseReport: getBaseReport,
  GetChargingProfiles: getChargingProfiles,
  GetCompositeSchedule: getCompositeSchedule,
  GetDisplayMessages: getDisplayMessages,
  GetInstalledCertificateIds: getInstalledCertificateIds,
  GetLocalListVersion: getLocalListVersion,
  GetMonitoringReport: getMonitoringReport,
  GetLog: getLog,
  GetReport: getReport,
  InstallCertificate: installCertificate,
  GetTransactionStatus: getTransactionStatus,
  GetVariables: getVariables,
  RequestStartTransaction: requestStartTransaction,
  RequestStopTransaction: requestStopTransaction,
  ReserveNow: reserveNow,
  Reset: reset,
  SendLocalList: sendLocalList,
  SetChargingProfile: setChargingProfile,
  SetNetworkProfile: setNetworkProfile,
  SetDisplayMessage: setDisplayMessage,
  SetMonitoringBase: setMonitoringBase,
  SetMonitoringLevel: setMonitoringLevel,
  SetVariableMonitoring: setVariableMonitoring,
  SetVariables: setVariables,
  TriggerMessage: triggerMessage,
  UnlockConnector: unlockConnector,
  UpdateFirmware: updateFirmware,
});

export const HANDLED_ACTIONS_201: readonly Ocpp201Action[] = Object.freeze(Object.keys(HANDLERS_201) as Ocpp201Action[]);

type AnyHandler = (station: StationControl, request: unknown) => unknown;

/** The handler for an action name from the wire, or undefined. */
export function handler201For(action: string): AnyHandler | undefined {
  return Object.hasOwn(HANDLERS_201, action) ? (HANDLERS_201[action as Ocpp201Action] as AnyHandler) : undefined;
}
