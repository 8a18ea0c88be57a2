import { OcppCallError } from '../../errors.js';
import { BYTES_PER_MESSAGE, payloadBytes } from '../deviceModelVariables.js';
import type { Handler201 } from './Handler201.js';

/**
 * GetReport (OCPP 2.0.1 B08): the variables of the components that meet the componentCriteria and
 * that the componentVariable list names (DeviceModel.select); the answer first (EmptyResultSet when
 * nothing matches), then the report in NotifyReport pages, as for GetBaseReport. More
 * componentVariable entries than DeviceDataCtrlr.ItemsPerMessage[GetReport] (B08.FR.17:
 * OccurrenceConstraintViolation) or more bytes than BytesPerMessage[GetReport] (B08.FR.18:
 * FormatViolation) are refused.
 */
export const getReport: Handler201<'GetReport'> = (station, request) => {
  const max = Number(station.deviceModel.get({ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } }).attributeValue);
  if ((request.componentVariable?.length ?? 0) > max) throw new OcppCallError('OccurenceConstraintViolation', `more than ItemsPerMessage[GetReport] = ${max} componentVariable entries`);
  const bytes = payloadBytes(request);
  if (bytes > BYTES_PER_MESSAGE.GetReport) throw new OcppCallError('FormationViolation', `${bytes} bytes, more than BytesPerMessage[GetReport] = ${BYTES_PER_MESSAGE.GetReport}`);
  return { status: station.getReport(request) };
};
