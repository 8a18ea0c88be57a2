import type { Handler } from './Handler.js';
import { isConnectorOrCharger } from './Handler.js';

/**
 * ExtendedTriggerMessage (Security Whitepaper): TriggerMessage plus SignChargePointCertificate
 * (a SignCertificate follows the answer) and LogStatusNotification. The message goes out after
 * the answer, as with TriggerMessage.
 */
export const extendedTriggerMessage: Handler<'ExtendedTriggerMessage'> = (control, request) => {
  if (request.connectorId !== undefined && !isConnectorOrCharger(control, request.connectorId)) return { status: 'Rejected' };
  if (request.requestedMessage === 'SignChargePointCertificate') return { status: control.certificates?.requestSigning() ?? 'NotImplemented' };
  return { status: control.trigger(request.requestedMessage, request.connectorId) };
};
