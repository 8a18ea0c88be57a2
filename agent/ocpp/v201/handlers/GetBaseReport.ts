import type { Handler201 } from './Handler201.js';

/** GetBaseReport (OCPP 2.0.1 B07): the answer first, then the report in NotifyReport pages. */
export const getBaseReport: Handler201<'GetBaseReport'> = (station, request) => ({ status: station.baseReport(request.requestId, request.reportBase) });
