import { OcppCallError } from '../../errors.js';
import { BYTES_PER_MESSAGE, ITEMS_PER_REQUEST, payloadBytes } from '../deviceModelVariables.js';
import type { Handler201 } from './Handler201.js';

/**
 * GetVariables (OCPP 2.0.1 B06): one result per requested variable, in request order; more entries
 * than DeviceDataCtrlr.ItemsPerMessage[GetVariables] (B06.FR.16: OccurrenceConstraintViolation) or
 * more bytes than BytesPerMessage[GetVariables] (B06.FR.17: FormatViolation) are refused as a whole.
 */
export const getVariables: Handler201<'GetVariables'> = (station, request) => {
  if (request.getVariableData.length > ITEMS_PER_REQUEST) throw new OcppCallError('OccurenceConstraintViolation', `more than ItemsPerMessage[GetVariables] = ${ITEMS_PER_REQUEST} entries`);
  const bytes = payloadBytes(request);
  if (bytes > BYTES_PER_MESSAGE.GetVariables) throw new OcppCallError('FormationViolation', `${bytes} bytes, more than BytesPerMessage[GetVariables] = ${BYTES_PER_MESSAGE.GetVariables}`);
  const [first, ...rest] = request.getVariableData;
  return { getVariableResult: [station.deviceModel.get(first), ...rest.map((d) => station.deviceModel.get(d))] };
};
