import { purposeFrom16 } from '../chargingProfile16.js';
import type { Handler } from './Handler.js';

/**
 * ClearChargingProfile (OCPP 1.6 §5.5): removes the profiles matching every criterion given (none:
 * all); Unknown when none matched. Answered once the removal is durable.
 */
export const clearChargingProfile: Handler<'ClearChargingProfile'> = async (control, request) => {
  const limits = control.chargingLimits;
  if (!limits) return { status: 'Unknown' };
  const { removed, persisted } = limits.clearProfiles({
    ...(request.id !== undefined && { id: request.id }),
    ...(request.connectorId !== undefined && { connectorId: request.connectorId }),
    ...(request.chargingProfilePurpose !== undefined && { purpose: purposeFrom16(request.chargingProfilePurpose) }),
    ...(request.stackLevel !== undefined && { stackLevel: request.stackLevel }),
  });
  if (removed.length === 0) return { status: 'Unknown' };
  await persisted;
  return { status: 'Accepted' };
};
