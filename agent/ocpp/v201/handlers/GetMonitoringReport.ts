import type { Handler201 } from './Handler201.js';

/** GetMonitoringReport (OCPP 2.0.1 N02): the answer first, then the monitors asked for in NotifyMonitoringReport pages. */
export const getMonitoringReport: Handler201<'GetMonitoringReport'> = (station, request) => ({ status: station.monitoringReport(request) });
