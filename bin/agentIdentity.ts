/** What a charger says about itself, from the settings: BootNotification and feature profiles. */
import type { BootNotificationRequest } from '../agent/ocpp16/messages.js';
import type { Settings } from './settings.js';

/** OCPP 1.6 feature profiles this agent implements (SupportedFeatureProfiles). */
export const SUPPORTED_FEATURE_PROFILES = 'Core,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger';

export function bootNotificationOf(settings: Settings): BootNotificationRequest {
  const cp = settings.chargePoint;
  return {
    chargePointVendor: cp.vendor,
    chargePointModel: cp.model,
    chargePointSerialNumber: cp.serialNumber,
    firmwareVersion: cp.firmwareVersion,
    meterType: cp.meterType,
    ...(cp.meterSerialNumber !== undefined && { meterSerialNumber: cp.meterSerialNumber }),
  };
}
