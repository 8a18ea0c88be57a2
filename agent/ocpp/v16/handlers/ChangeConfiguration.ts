import type { Handler } from './Handler.js';

/**
 * ChangeConfiguration (OCPP 1.6 §5.3): validation, persistence and the status (Accepted,
 * Rejected, RebootRequired, NotSupported) belong to the configuration store; the change reaches the
 * rest of the charger through its `changed` event.
 */
export const changeConfiguration: Handler<'ChangeConfiguration'> = async (control, request) => ({
  status: await control.config.change(request.key, request.value),
});
