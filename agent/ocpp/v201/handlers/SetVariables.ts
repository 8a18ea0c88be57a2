import type { SetVariableResultType } from '../../../ocpp201/messages.js';
import { OcppCallError } from '../../errors.js';
import { ITEMS_PER_REQUEST } from '../deviceModelVariables.js';
import type { Handler201 } from './Handler201.js';

/**
 * SetVariables (OCPP 2.0.1 B05): one status per variable, applied in request order (each one
 * persisted before the next), so that two entries for the same variable end as the last one says.
 * More entries than DeviceDataCtrlr.ItemsPerMessage[SetVariables] are refused as a whole (CallError),
 * none of them applied.
 */
export const setVariables: Handler201<'SetVariables'> = async (station, request) => {
  if (request.setVariableData.length > ITEMS_PER_REQUEST) throw new OcppCallError('OccurenceConstraintViolation', `more than ItemsPerMessage[SetVariables] = ${ITEMS_PER_REQUEST} entries`);
  const results: SetVariableResultType[] = [];
  for (const data of request.setVariableData) results.push(await station.deviceModel.set(data));
  return { setVariableResult: results as [SetVariableResultType, ...SetVariableResultType[]] };
};
