import type { Handler201 } from './Handler201.js';

/**
 * SetMonitoringBase (OCPP 2.0.1 N03): All / FactoryDefault restore the preconfigured monitors,
 * HardWiredOnly removes them and every custom monitor; persisted before the answer.
 */
export const setMonitoringBase: Handler201<'SetMonitoringBase'> = async (station, request) => ({ status: await station.monitoring.setBase(request.monitoringBase) });
