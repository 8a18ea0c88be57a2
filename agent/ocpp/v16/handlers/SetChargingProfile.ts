import { profileFrom16, invalidTimeIn } from '../chargingProfile16.js';
import type { Handler } from './Handler.js';
import { isConnectorOrCharger } from './Handler.js';

/**
 * SetChargingProfile (OCPP 1.6 §5.16): installs the profile in the charging-limit service, which
 * checks it against the SmartCharging keys and the running transaction (a TxProfile needs one).
 * Accepted once the profile is durable, so a power cut right after cannot lose it.
 */
export const setChargingProfile: Handler<'SetChargingProfile'> = async (control, request) => {
  const limits = control.chargingLimits;
  if (!limits) return { status: 'NotSupported' };
  const { connectorId, csChargingProfiles: p } = request;
  const problem = !isConnectorOrCharger(control, connectorId) ? `no connector ${connectorId}` : invalidTimeIn(p);
  const answer = problem === undefined ? limits.setProfile(profileFrom16(p, connectorId)) : { accepted: false as const, reason: problem };
  if (!answer.accepted) {
    control.log.info({ connector: connectorId, profileId: p.chargingProfileId, reason: answer.reason }, `SetChargingProfile rejected: ${answer.reason}`);
    return { status: 'Rejected' };
  }
  await answer.persisted;
  return { status: 'Accepted' };
};
