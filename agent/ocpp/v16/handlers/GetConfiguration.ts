import { OcppCallError } from '../../errors.js';
import type { GetConfigurationResponse } from '../../../ocpp16/messages.js';
import type { Handler } from './Handler.js';
import { definitionOf, resolveKey } from '../../../ocpp16/configurationKeys.js';

/** An OCPP 2.0.1 variable a 1.6 CSMS does not see (KeyDefinition.only201). */
export const hiddenFrom16 = (name: string): boolean => {
  const key = resolveKey(name);
  return key !== undefined && definitionOf(key).only201 === true;
};

/**
 * GetConfiguration (OCPP 1.6 §5.8): all keys when `key` is omitted or empty, otherwise the known
 * ones plus `unknownKey`. A request naming more keys than GetConfigurationMaxKeys is answered with
 * a CallError rather than a silently shortened list, so the CSMS knows to split it.
 */
export const getConfiguration: Handler<'GetConfiguration'> = (control, request) => {
  const max = control.config.getInt('GetConfigurationMaxKeys');
  if (request.key && request.key.length > max) {
    throw new OcppCallError('OccurenceConstraintViolation', `at most ${max} keys per request (GetConfigurationMaxKeys)`);
  }
  const found = control.config.getForCsms(request.key);
  const configurationKey = found.configurationKey.filter((k) => !hiddenFrom16(k.key));
  const unknownKey = [...found.unknownKey, ...(request.key ?? []).filter(hiddenFrom16)];
  const response: GetConfigurationResponse = { configurationKey };
  if (unknownKey.length > 0) response.unknownKey = unknownKey;
  return response;
};
