import type { SetVariableResultType } from '../../../ocpp201/messages.js';
import { OcppCallError } from '../../errors.js';
import { BYTES_PER_MESSAGE, ITEMS_PER_REQUEST, payloadBytes } from '../deviceModelVariables.js';
import type { Handler201 } from './Handler201.js';

/**
 * SetVariables (OCPP 2.0.1 B05): one status per variable, applied in request order (each one
 * persisted before the next), so that two entries for the same variable end as the last one says.
 * More entries than DeviceDataCtrlr.ItemsPerMessage[SetVariables] (CallError
 * OccurrenceConstraintViolation) or more bytes than BytesPerMessage[SetVariables] (FormatViolation,
 * as B06.FR.17 says for GetVariables) are refused as a whole, none of them applied.
 */
export const setVariables: Handler201<'SetVariables'> = async (station, request) => {
  if (request.setVariableData.length > ITEMS_PER_REQUEST) throw new OcppCallError('OccurenceConstraintViolation', `more than ItemsPerMessage[SetVariables] = ${ITEMS_PER_REQUEST} entries`);
  const bytes = payloadBytes(request);
  if (bytes > BYTES_PER_MESSAGE.SetVariables) throw new OcppCallError('FormationViolation', `${bytes} bytes, more than BytesPerMessage[SetVariables] = ${BYTES_PER_MESSAGE.SetVariables}`);
  const results: SetVariableResultType[] = [];
  for (const data of request.setVariableData) results.push(await station.deviceModel.set(data));
  return { setVariableResult: results as [SetVariableResultType, ...SetVariableResultType[]] };
};
