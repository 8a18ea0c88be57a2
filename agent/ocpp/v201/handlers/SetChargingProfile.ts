import type { Handler201 } from './Handler201.js';

/**
 * SetChargingProfile (OCPP 2.0.1 K01): into the charging-limit service both versions use; Accepted
 * once the profile is durable, Rejected with the reason (statusInfo) otherwise.
 */
export const setChargingProfile: Handler201<'SetChargingProfile'> = async (station, request) => {
  const smart = station.smartCharging;
  if (!smart) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } };
  const answer = await smart.set(request.evseId, request.chargingProfile);
  return answer.status === 'Accepted' ? { status: 'Accepted' } : { status: 'Rejected', statusInfo: { reasonCode: answer.reasonCode, additionalInfo: answer.additionalInfo } };
};
