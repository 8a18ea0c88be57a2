/**
 * The table of CSMS calls this charge point answers, built once per process and shared by every
 * link (no per-charger closures per action). An action missing here is answered NotImplemented.
 */
import type { ChargePointControl } from '../ChargePointControl.js';
import type { Ocpp16Action } from '../../../ocpp16/messages.js';
import { cancelReservation } from './CancelReservation.js';
import { certificateSigned } from './CertificateSigned.js';
import { deleteCertificate } from './DeleteCertificate.js';
import { extendedTriggerMessage } from './ExtendedTriggerMessage.js';
import { getInstalledCertificateIds } from './GetInstalledCertificateIds.js';
import { installCertificate } from './InstallCertificate.js';
import { changeAvailability } from './ChangeAvailability.js';
import { changeConfiguration } from './ChangeConfiguration.js';
import { clearCache } from './ClearCache.js';
import { clearChargingProfile } from './ClearChargingProfile.js';
import { dataTransfer } from './DataTransfer.js';
import { getCompositeSchedule } from './GetCompositeSchedule.js';
import { getConfiguration } from './GetConfiguration.js';
import { getDiagnostics } from './GetDiagnostics.js';
import { getLocalListVersion } from './GetLocalListVersion.js';
import { getLog } from './GetLog.js';
import type { Handler } from './Handler.js';
import { remoteStartTransaction } from './RemoteStartTransaction.js';
import { remoteStopTransaction } from './RemoteStopTransaction.js';
import { reserveNow } from './ReserveNow.js';
import { reset } from './Reset.js';
import { sendLocalList } from './SendLocalList.js';
import { setChargingProfile } from './SetChargingProfile.js';
import { signedUpdateFirmware } from './SignedUpdateFirmware.js';
import { triggerMessage } from './TriggerMessage.js';
import { unlockConnector } from './UnlockConnector.js';
import { updateFirmware } from './UpdateFirmware.js';

export type HandlerTable = { readonly [A in Ocpp16Action]?: Handler<A> };

export const HANDLERS: HandlerTable = Object.freeze({
  CancelReservation: cancelReservation,
  CertificateSigned: certificateSigned,
  DeleteCertificate: deleteCertificate,
  ExtendedTriggerMessage: extendedTriggerMessage,
  GetInstalledCertificateIds: getInstalledCertificateIds,
  InstallCertificate: installCertificate,
  ChangeAvailability: changeAvailability,
  ChangeConfiguration: changeConfiguration,
  ClearCache: clearCache,
  ClearChargingProfile: clearChargingProfile,
  DataTransfer: dataTransfer,
  GetCompositeSchedule: getCompositeSchedule,
  GetConfiguration: getConfiguration,
  GetDiagnostics: getDiagnostics,
  GetLocalListVersion: getLocalListVersion,
  GetLog: getLog,
  RemoteStartTransaction: remoteStartTransaction,
  RemoteStopTransaction: remoteStopTransaction,
  ReserveNow: reserveNow,
  Reset: reset,
  SendLocalList: sendLocalList,
  SetChargingProfile: setChargingProfile,
  SignedUpdateFirmware: signedUpdateFirmware,
  TriggerMessage: triggerMessage,
  UnlockConnector: unlockConnector,
  UpdateFirmware: updateFirmware,
});

export const HANDLED_ACTIONS: readonly Ocpp16Action[] = Object.freeze(Object.keys(HANDLERS) as Ocpp16Action[]);

type AnyHandler = (control: ChargePointControl, request: unknown) => unknown;

/** The handler for an action name from the wire, or undefined. */
export function handlerFor(action: string): AnyHandler | undefined {
  return Object.hasOwn(HANDLERS, action) ? (HANDLERS[action as Ocpp16Action] as AnyHandler) : undefined;
}
