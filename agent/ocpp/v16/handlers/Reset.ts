import type { Handler } from './Handler.js';

/** Reset (OCPP 1.6 §5.14): the charge point answers first, then stops transactions and restarts. */
export const reset: Handler<'Reset'> = (control, request) => ({ status: control.reset(request.type) });
