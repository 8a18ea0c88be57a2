import type { Handler } from './Handler.js';

/** ClearCache (OCPP 1.6 §5.4): clears the authorization cache. */
export const clearCache: Handler<'ClearCache'> = async (control) => ({ status: await control.clearCache() });
