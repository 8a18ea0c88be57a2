import type { Handler } from './Handler.js';

/**
 * SendLocalList (OCPP 1.6 §5.15): NotSupported while LocalAuthListEnabled is false (or the charge
 * point keeps no list); version checks, the LocalAuthListMaxLength / SendLocalListMaxLength limits
 * and persistence are the list's business (agent/auth/LocalAuthList.ts).
 */
export const sendLocalList: Handler<'SendLocalList'> = async (control, request) => {
  if (!control.sendLocalList || !control.config.getBool('LocalAuthListEnabled')) return { status: 'NotSupported' };
  return { status: await control.sendLocalList(request) };
};
