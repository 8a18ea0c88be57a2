import type { Handler201 } from './Handler201.js';

/**
 * GetReport (OCPP 2.0.1 B08): the variables of the components that meet the componentCriteria and
 * that the componentVariable list names (DeviceModel.select); the answer first (EmptyResultSet when
 * nothing matches), then the report in NotifyReport pages, as for GetBaseReport.
 */
export const getReport: Handler201<'GetReport'> = (station, request) => ({ status: station.getReport(request) });
