import type { ClearMonitoringResultType } from '../../../ocpp201/messages.js';
import type { Handler201 } from './Handler201.js';

/**
 * ClearVariableMonitoring (OCPP 2.0.1 N06): Accepted per custom monitor removed (persisted before
 * the answer), Rejected for a preconfigured one, NotFound for an id not set.
 */
export const clearVariableMonitoring: Handler201<'ClearVariableMonitoring'> = async (station, request) => ({
  clearMonitoringResult: (await station.monitoring.clear(request.id)) as [ClearMonitoringResultType, ...ClearMonitoringResultType[]],
});
