import type { Handler201 } from './Handler201.js';

/** GetTransactionStatus (OCPP 2.0.1 E14): whether transaction messages wait for the CSMS, and whether that transaction still runs. */
export const getTransactionStatus: Handler201<'GetTransactionStatus'> = (station, request) => station.transactionStatus(request.transactionId);
