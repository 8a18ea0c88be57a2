import type { Handler201 } from './Handler201.js';

/** UnlockConnector (OCPP 2.0.1 F05): each EVSE has connector 1; a connector under a running transaction stays locked. */
export const unlockConnector: Handler201<'UnlockConnector'> = async (station, request) => ({
  status: request.connectorId === 1 ? await station.unlock(request.evseId) : 'UnknownConnector',
});
