import type { Handler } from './Handler.js';
import { isConnector } from './Handler.js';

/** UnlockConnector (OCPP 1.6 §5.18): NotSupported for a connectorId that is not ours (edition 2). */
export const unlockConnector: Handler<'UnlockConnector'> = async (control, request) => {
  if (!isConnector(control, request.connectorId)) return { status: 'NotSupported' };
  return { status: await control.unlockConnector(request.connectorId) };
};
