import type { ClearMonitoringResultType } from '../../../ocpp201/messages.js';
import type { Handler201 } from './Handler201.js';

/** ClearVariableMonitoring (OCPP 2.0.1 N06): Accepted per monitor removed, NotFound for an id not set. */
export const clearVariableMonitoring: Handler201<'ClearVariableMonitoring'> = (station, request) => {
  const [first, ...rest] = request.id;
  return { clearMonitoringResult: [station.monitoring.clear(first), ...rest.map((id) => station.monitoring.clear(id))] as [ClearMonitoringResultType, ...ClearMonitoringResultType[]] };
};
