import type { Handler201 } from './Handler201.js';

/** ClearCache (OCPP 2.0.1 C11): empties the authorization cache; Rejected while AuthCacheCtrlr.Enabled is false. */
export const clearCache: Handler201<'ClearCache'> = async (station) => ({ status: await station.clearCache() });
