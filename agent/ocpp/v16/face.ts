/** The OCPP 1.6J face of the link (see ProtocolFace.ts): module-level, shared by every 1.6 charger. */
import type { ProtocolFace } from '../ProtocolFace.js';
import { OCPP16_SUBPROTOCOL } from '../OcppRpcClient.js';
import { answerCall } from './answerCall.js';
import { HANDLED_ACTIONS } from './handlers/index.js';
import type { BootNotificationRequest } from '../../ocpp16/messages.js';

export const OCPP16_FACE: ProtocolFace = Object.freeze({
  subprotocol: OCPP16_SUBPROTOCOL,
  handledActions: new Set(HANDLED_ACTIONS),
  sentActions: ['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'LogStatusNotification', 'MeterValues', 'SecurityEventNotification', 'SignCertificate', 'SignedFirmwareStatusNotification', 'StartTransaction', 'StatusNotification', 'StopTransaction'],
  answer: answerCall,
  bootRequest: (identity: BootNotificationRequest) => identity,
});
