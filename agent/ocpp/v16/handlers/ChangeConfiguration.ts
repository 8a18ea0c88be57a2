import type { Handler } from './Handler.js';
import { hiddenFrom16 } from './GetConfiguration.js';

/**
 * ChangeConfiguration (OCPP 1.6 §5.3): validation, persistence and the status (Accepted,
 * Rejected, RebootRequired, NotSupported) belong to the configuration store; the change reaches the
 * rest of the charger through its `changed` event.
 */
export const changeConfiguration: Handler<'ChangeConfiguration'> = async (control, request) => ({
  // An OCPP 2.0.1 variable 1.6 has nothing to act on is not a 1.6 key.
  status: hiddenFrom16(request.key) ? 'NotSupported' : await control.config.change(request.key, request.value),
});
