import type { TriggerMessageRequest } from '../../../ocpp16/messages.js';
import type { Handler } from './Handler.js';
import { isConnectorOrCharger } from './Handler.js';

const TRIGGERABLE: ReadonlySet<string> = new Set<TriggerMessageRequest['requestedMessage']>([
  'BootNotification',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StatusNotification',
]);

/**
 * TriggerMessage (OCPP 1.6 §5.17): the charge point sends the requested message *after* this
 * answer (`control.trigger` schedules it). A connectorId that is not ours (0 = the charger) is
 * Rejected; messages we cannot produce are NotImplemented. While Pending, the link lets exactly the
 * accepted message(s) through.
 */
export const triggerMessage: Handler<'TriggerMessage'> = (control, request) => {
  if (!TRIGGERABLE.has(request.requestedMessage)) return { status: 'NotImplemented' };
  if (request.connectorId !== undefined && !isConnectorOrCharger(control, request.connectorId)) return { status: 'Rejected' };
  return { status: control.trigger(request.requestedMessage, request.connectorId) };
};
