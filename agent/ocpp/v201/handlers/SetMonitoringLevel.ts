import type { Handler201 } from './Handler201.js';

/**
 * SetMonitoringLevel (OCPP 2.0.1 N05): from now on only events with a severity number up to the
 * one given are reported (0..9, else Rejected); persisted before the answer.
 */
export const setMonitoringLevel: Handler201<'SetMonitoringLevel'> = async (station, request) => ({ status: await station.monitoring.setLevel(request.severity) });
