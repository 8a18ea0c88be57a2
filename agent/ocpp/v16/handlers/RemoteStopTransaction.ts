import type { Handler } from './Handler.js';

/** RemoteStopTransaction (OCPP 1.6 §5.12): Accepted only when that transaction runs here. */
export const remoteStopTransaction: Handler<'RemoteStopTransaction'> = (control, request) => ({
  status: control.remoteStop(request.transactionId),
});
