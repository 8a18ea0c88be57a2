import type { Handler201 } from './Handler201.js';

/** CustomerInformation (OCPP 2.0.1 N09 report, N10 clear): the answer first, then NotifyCustomerInformation. */
export const customerInformation: Handler201<'CustomerInformation'> = (station, request) => ({ status: station.customerInformation(request) });
