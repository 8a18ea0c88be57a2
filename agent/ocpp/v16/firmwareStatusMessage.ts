/**
 * A firmware status of the version-neutral service as the OCPP 1.6 message that reports it: a
 * signed update by SignedFirmwareStatusNotification (whitepaper, with the requestId), a plain
 * UpdateFirmware by FirmwareStatusNotification, whose enum lacks the whitepaper's extra stages
 * (those are not sent) and says InstallationFailed for a failed verification after the reboot.
 */
import type { FirmwareStatus, FirmwareStatusEvent } from '../../firmware/firmwareTypes.js';
import type { FirmwareStatusNotificationRequest, SignedFirmwareStatusNotificationRequest } from '../../ocpp16/messages.js';

export type FirmwareStatusMessage =
  | { action: 'FirmwareStatusNotification'; payload: FirmwareStatusNotificationRequest }
  | { action: 'SignedFirmwareStatusNotification'; payload: SignedFirmwareStatusNotificationRequest };

const PLAIN: Partial<Record<FirmwareStatus, FirmwareStatusNotificationRequest['status']>> = {
  Downloading: 'Downloading',
  Downloaded: 'Downloaded',
  DownloadFailed: 'DownloadFailed',
  Installing: 'Installing',
  Installed: 'Installed',
  InstallationFailed: 'InstallationFailed',
  InstallVerificationFailed: 'InstallationFailed',
  Idle: 'Idle',
};

export function firmwareStatusMessage(e: FirmwareStatusEvent): FirmwareStatusMessage | undefined {
  if (e.signed) return { action: 'SignedFirmwareStatusNotification', payload: { status: e.status, ...(e.requestId !== undefined && { requestId: e.requestId }) } };
  const status = PLAIN[e.status];
  return status && { action: 'FirmwareStatusNotification', payload: { status } };
}
