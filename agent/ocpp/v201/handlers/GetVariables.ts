import { OcppCallError } from '../../errors.js';
import { ITEMS_PER_REQUEST } from '../deviceModelVariables.js';
import type { Handler201 } from './Handler201.js';

/**
 * GetVariables (OCPP 2.0.1 B06): one result per requested variable, in request order; more entries
 * than DeviceDataCtrlr.ItemsPerMessage[GetVariables] are refused as a whole (CallError).
 */
export const getVariables: Handler201<'GetVariables'> = (station, request) => {
  if (request.getVariableData.length > ITEMS_PER_REQUEST) throw new OcppCallError('OccurenceConstraintViolation', `more than ItemsPerMessage[GetVariables] = ${ITEMS_PER_REQUEST} entries`);
  const [first, ...rest] = request.getVariableData;
  return { getVariableResult: [station.deviceModel.get(first), ...rest.map((d) => station.deviceModel.get(d))] };
};
