import type { SetMonitoringResultType } from '../../../ocpp201/messages.js';
import type { Handler201 } from './Handler201.js';

/**
 * SetVariableMonitoring (OCPP 2.0.1 N04): one result per monitor, in request order; the measured
 * variables (EVSE.Power, EVSE.Current) can be watched, others are Rejected. Answered once the
 * monitors accepted are persisted.
 */
export const setVariableMonitoring: Handler201<'SetVariableMonitoring'> = async (station, request) => ({
  setMonitoringResult: (await station.monitoring.set(request.setMonitoringData)) as [SetMonitoringResultType, ...SetMonitoringResultType[]],
});
