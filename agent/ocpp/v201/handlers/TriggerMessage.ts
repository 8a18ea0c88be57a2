import type { Handler201 } from './Handler201.js';

/**
 * TriggerMessage (OCPP 2.0.1 F06): the station sends the requested message after this answer.
 * BootNotification is Rejected once registered; TransactionEvent needs a transaction on the EVSE
 * (all EVSEs without `evse`); FirmwareStatusNotification / LogStatusNotification tell the update or
 * upload under way (else Idle); SignChargingStationCertificate needs certificate management; the
 * ISO 15118 ones and PublishFirmwareStatusNotification are NotImplemented.
 */
export const triggerMessage: Handler201<'TriggerMessage'> = (station, request) => {
  const { evse } = request;
  if (evse && evse.connectorId !== undefined && evse.connectorId !== 1) return { status: 'Rejected' };
  return { status: station.trigger(request.requestedMessage, evse?.id) };
};
