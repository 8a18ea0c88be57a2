import type { Handler201 } from './Handler201.js';

/** GetVariables (OCPP 2.0.1 B06): one result per requested variable, in request order. */
export const getVariables: Handler201<'GetVariables'> = (station, request) => {
  const [first, ...rest] = request.getVariableData;
  return { getVariableResult: [station.deviceModel.get(first), ...rest.map((d) => station.deviceModel.get(d))] };
};
