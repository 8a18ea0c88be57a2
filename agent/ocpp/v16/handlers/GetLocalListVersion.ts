import type { Handler } from './Handler.js';

/**
 * GetLocalListVersion (OCPP 1.6 §5.16): the installed version; 0 = the list is empty, −1 = no
 * Local Authorization List here (we answer so while LocalAuthListEnabled is false).
 */
export const getLocalListVersion: Handler<'GetLocalListVersion'> = (control) => {
  if (!control.localListVersion || !control.config.getBool('LocalAuthListEnabled')) return { listVersion: -1 };
  return { listVersion: control.localListVersion() };
};
