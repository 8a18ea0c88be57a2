/**
 * The OCPP 2.0.1 face of one charger's link (see ../ProtocolFace.ts): offers `ocpp2.0.1`, answers
 * the 2.0.1 calls of handlers/ through the station port, and boots with a 2.0.1
 * BootNotification (reason, chargingStation). Registration itself (Pending/Rejected, `interval`,
 * retry back-off, heartbeats) is the link's and the same as 1.6: B01–B04 and OCPP 1.6 §4.2 agree.
 *
 * Per charger: this object (its station and the reason of the next boot); the handler table and
 * action sets are module-level.
 */
import { ocppRpc, type IHandlersOption } from '../ocppRpc.js';
import { OCPP201_SUBPROTOCOL } from '../OcppRpcClient.js';
import type { ProtocolFace } from '../ProtocolFace.js';
import type { OcppLinkState } from '../OcppLinkTypes.js';
import { handlerFailure, notImplemented, registrationAnswer, untilAborted, type AnsweringLink } from '../v16/answerCall.js';
import type { BootNotificationRequest as Identity } from '../../ocpp16/messages.js';
import type { BootNotificationRequest, BootReasonEnumType, TriggerMessageRequest, TriggerMessageResponse } from '../../ocpp201/messages.js';
import { HANDLED_ACTIONS_201, handler201For } from './handlers/index.js';
import type { StationControl } from './StationControl.js';

const HANDLED: ReadonlySet<string> = new Set(HANDLED_ACTIONS_201);
/** Refused until registration is Accepted: no transaction starts while Pending. */
const ACCEPTED_ONLY: ReadonlySet<string> = new Set(['RequestStartTransaction', 'RequestStopTransaction']);
const SENT: readonly string[] = Object.freeze(['Authorize', 'BootNotification', 'DataTransfer', 'FirmwareStatusNotification', 'Heartbeat', 'LogStatusNotification', 'MeterValues', 'NotifyDisplayMessages', 'NotifyEvent', 'NotifyMonitoringReport', 'NotifyReport', 'ReportChargingProfiles', 'ReservationStatusUpdate', 'SecurityEventNotification', 'SignCertificate', 'StatusNotification', 'TransactionEvent']);
/**
 * Sent while registration is Pending (B02.FR.02): a NotifyReport answers the GetBaseReport the
 * CSMS may send to learn the station before it accepts it.
 */
const WHILE_PENDING: ReadonlySet<string> = new Set(['NotifyReport']);

export class Ocpp201Face implements ProtocolFace {
  readonly subprotocol = OCPP201_SUBPROTOCOL;
  readonly handledActions = HANDLED;
  readonly sentActions = SENT;
  readonly sendableWhilePending = WHILE_PENDING;
  readonly registrationOutlivesConnection = true;
  private station: StationControl | undefined;
  /** Told of the link's state and acceptance before its listeners (the charger's outbound translation, from its start). */
  told: Pick<ProtocolFace, 'linkState' | 'linkAccepted'> | undefined;

  /** `reason`: why this boot (PowerUp for a fresh start; the owner knows a reset or a firmware update). */
  constructor(private reason: BootReasonEnumType = 'PowerUp') {}

  /** The station the handlers work on (the charger builds it after the link). */
  attach(station: StationControl): void {
    this.station = station;
  }

  linkState(state: OcppLinkState, previous: OcppLinkState): void {
    this.told?.linkState?.(state, previous);
  }

  linkAccepted(booted: boolean): void {
    this.told?.linkAccepted?.(booted);
  }

  /** The reason the next BootNotification gives (a Reset performed in place: RemoteReset). */
  rebootingFor(reason: BootReasonEnumType): void {
    this.reason = reason;
  }

  bootRequest(identity: Identity): BootNotificationRequest {
    const modem = identity.iccid !== undefined || identity.imsi !== undefined ? { ...(identity.iccid !== undefined && { iccid: identity.iccid }), ...(identity.imsi !== undefined && { imsi: identity.imsi }) } : undefined;
    return {
      reason: this.reason,
      chargingStation: {
        model: identity.chargePointModel,
        vendorName: identity.chargePointVendor,
        ...(identity.chargePointSerialNumber !== undefined && { serialNumber: identity.chargePointSerialNumber }),
        ...(identity.firmwareVersion !== undefined && { firmwareVersion: identity.firmwareVersion }),
        ...(modem && { modem }),
      },
    };
  }

  /**
   * The answer to a CSMS call: none while registration is Rejected (the station does not
   * talk before its next boot, as in 1.6), NotImplemented for calls without a handler, else the
   * handler's answer, with what it throws mapped to a CallError (../errors.ts).
   */
  async answer(link: AnsweringLink, { method, params, messageId, signal }: IHandlersOption): Promise<unknown> {
    const action = String(method);
    const early = registrationAnswer(link, action, messageId, ACCEPTED_ONLY);
    if (early !== undefined) return early;
    const handler = handler201For(action);
    const station = this.station;
    if (!handler || !station) throw notImplemented(action);
    try {
      const response = await untilAborted(handler(station, params), signal);
      if (action === 'TriggerMessage' && (response as TriggerMessageResponse).status === 'Accepted' && link.state() !== 'accepted') {
        // Before Accepted the link lets the triggered message through, that many times (1.6 does the same).
        const { requestedMessage, evse } = params as TriggerMessageRequest;
        link.triggerAccepted({ requestedMessage, ...(evse && { connectorId: evse.id }) } as unknown as Parameters<AnsweringLink['triggerAccepted']>[0]);
      }
      return response;
    } catch (err) {
      throw in201Words(handlerFailure(link, action, err));
    }
  }
}

/**
 * The CallError in the spelling of OCPP-J 2.0.1: the shared handlers speak the 1.6 errata's codes
 * (FormationViolation, OccurenceConstraintViolation), which ocpp-rpc corrects only on ocpp1.6.
 */
function in201Words(err: Error): Error {
  const code = (err as { rpcErrorCode?: string }).rpcErrorCode;
  const spelled = code === 'OccurenceConstraintViolation' ? 'OccurrenceConstraintViolation' : code === 'FormationViolation' ? 'FormatViolation' : undefined;
  return spelled === undefined ? err : (ocppRpc.createRPCError(spelled, err.message, {}) as unknown as Error);
}
