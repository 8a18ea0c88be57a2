import type { SetMonitoringResultType } from '../../../ocpp201/messages.js';
import type { Handler201 } from './Handler201.js';

/**
 * SetVariableMonitoring (OCPP 2.0.1 N04): one result per monitor, in request order; the measured
 * variables (EVSE.Power, EVSE.Current) can be watched, others are Rejected.
 */
export const setVariableMonitoring: Handler201<'SetVariableMonitoring'> = (station, request) => {
  const [first, ...rest] = request.setMonitoringData;
  return { setMonitoringResult: [station.monitoring.set(first), ...rest.map((d) => station.monitoring.set(d))] as [SetMonitoringResultType, ...SetMonitoringResultType[]] };
};
