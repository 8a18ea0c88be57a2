/** What a charger says about itself, from the settings: BootNotification and feature profiles. */
import type { BootNotificationRequest } from '../agent/ocpp16/messages.js';
import type { Settings } from './settings/settings.js';

/** OCPP 1.6 feature profiles this agent implements (SupportedFeatureProfiles) without firmware updates. */
export const SUPPORTED_FEATURE_PROFILES = 'Core,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger';
/** … and with them (a charger with a firmware installer). */
export const SUPPORTED_FEATURE_PROFILES_WITH_FIRMWARE = 'Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger';

/** `runningFirmware`: the version the installed firmware reports (bin/firmwareSetup.ts); absent: the configured one. */
export function bootNotificationOf(settings: Settings, runningFirmware?: string): BootNotificationRequest {
  const cp = settings.chargePoint;
  return {
    chargePointVendor: cp.vendor,
    chargePointModel: cp.model,
    chargePointSerialNumber: cp.serialNumber,
    firmwareVersion: runningFirmware ?? cp.firmwareVersion,
    meterType: cp.meterType,
    ...(cp.meterSerialNumber !== undefined && { meterSerialNumber: cp.meterSerialNumber }),
  };
}
