import type { Handler201 } from './Handler201.js';

/** RequestStopTransaction (OCPP 2.0.1 F03): Accepted when that transaction runs here; it ends with stoppedReason Remote. */
export const requestStopTransaction: Handler201<'RequestStopTransaction'> = async (station, request) => ({ status: await station.remoteStop(request.transactionId) });
