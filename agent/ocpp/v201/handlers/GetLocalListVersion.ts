import type { Handler201 } from './Handler201.js';

/** GetLocalListVersion (OCPP 2.0.1 D02): the installed list's version, 0 when there is none (or it is disabled). */
export const getLocalListVersion: Handler201<'GetLocalListVersion'> = (station) => ({ versionNumber: station.localListVersion() });
