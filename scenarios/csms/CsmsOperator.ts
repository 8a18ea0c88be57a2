/**
 * What an operator does with the embedded CSMS while it runs: send any call a CSMS sends to a
 * connected charge point, in the OCPP version that charge point speaks (1.6 or 2.0.1), and get
 * its answer, and see the charge points. The `evse csms` prompt and its HTTP API both go through
 * this one class, so they refuse and report alike.
 *
 * Every payload is checked against the schema of the charge point's version before it is sent
 * (the same validators as ocpp-rpc's strict mode): a payload that fails is never sent, and the
 * error names the field.
 * Failures are {@link OperatorError}s whose `kind` says what went wrong.
 */
import type { Ocpp16Action } from '../../agent/ocpp16/messages.js';
import type { Ocpp201Action } from '../../agent/ocpp201/messages.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import { ocppRpc } from '../../agent/ocpp/ocppRpc.js';
import { chargerSummary, type ChargerSummary } from './chargerSummary.js';
import { inboundActions } from './CsmsReplies.js';
import type { EmbeddedCsms } from './EmbeddedCsms.js';
import { InvalidAnswerError, OperatorError } from './errors.js';
import { isRpcError } from './ocppRpcServer.js';
import { checkPayload } from './validatePayload.js';

/** Every OCPP 1.6 action (with the Security extension's) a CSMS sends to a charge point. */
export const CSMS_ACTIONS = [
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'InstallCertificate',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SignedUpdateFirmware',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
] as const satisfies readonly Ocpp16Action[];

export type CsmsAction = (typeof CSMS_ACTIONS)[number];

/** Every OCPP 2.0.1 action a CSMS sends to a charging station. */
export const CSMS_ACTIONS_201 = [
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ClearCache',
  'ClearChargingProfile',
  'ClearDisplayMessage',
  'ClearVariableMonitoring',
  'CostUpdated',
  'CustomerInformation',
  'DataTransfer',
  'DeleteCertificate',
  'GetBaseReport',
  'GetChargingProfiles',
  'GetCompositeSchedule',
  'GetDisplayMessages',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'GetMonitoringReport',
  'GetReport',
  'GetTransactionStatus',
  'GetVariables',
  'InstallCertificate',
  'PublishFirmware',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SetDisplayMessage',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'SetNetworkProfile',
  'SetVariableMonitoring',
  'SetVariables',
  'TriggerMessage',
  'UnlockConnector',
  'UnpublishFirmware',
  'UpdateFirmware',
] as const satisfies readonly Ocpp201Action[];

export type CsmsAction201 = (typeof CSMS_ACTIONS_201)[number];

/** The actions the CSMS sends to a charge point of `version`. */
export function csmsActions(version: OcppVersion = '1.6'): readonly (CsmsAction | CsmsAction201)[] {
  return version === '2.0.1' ? CSMS_ACTIONS_201 : CSMS_ACTIONS;
}

export function isCsmsAction(name: string, version: OcppVersion = '1.6'): name is CsmsAction {
  return (csmsActions(version) as readonly string[]).includes(name);
}

/** The action spelled `name` in any letter case, e.g. `remotestarttransaction`. */
export function findCsmsAction(name: string, version: OcppVersion = '1.6'): CsmsAction | CsmsAction201 | undefined {
  const lower = name.toLowerCase();
  return csmsActions(version).find((a) => a.toLowerCase() === lower);
}

export interface CsmsOperatorOptions {
  /** Default timeout of a call, from the moment it is sent. Default 10 000 ms. */
  readonly callTimeoutMs?: number;
}

export class CsmsOperator {
  readonly callTimeoutMs: number;

  constructor(
    readonly csms: EmbeddedCsms,
    options: CsmsOperatorOptions = {},
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
  }

  /**
   * Sends `action` with `payload` to the charge point and resolves with its answer. Rejects with
   * an {@link OperatorError}: unknownChargePoint, unknownAction, invalidPayload (nothing sent),
   * notConnected, callError, invalidAnswer, timeout or connectionLost.
   */
  async send(chargePointId: string, action: string, payload: unknown, options: { timeoutMs?: number } = {}): Promise<unknown> {
    this.checkTarget(chargePointId, action);
    const version = this.versionOf(chargePointId);
    const problem = checkPayload(action, 'req', payload, version);
    if (problem) throw new OperatorError('invalidPayload', `${action} not sent: ${problem.message}`, { field: problem.field });
    if (!this.csms.isConnected(chargePointId)) throw new OperatorError('notConnected', `charge point ${chargePointId} is not connected`);
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    try {
      return await this.csms.call(chargePointId, action as CsmsAction, payload as never, { timeoutMs });
    } catch (err) {
      throw failure(err, chargePointId, action, timeoutMs);
    }
  }

  /**
   * Throws unknownChargePoint unless the charge point has connected, then unknownAction unless
   * the CSMS sends `action` in the version the charge point speaks.
   */
  checkTarget(chargePointId: string, action?: string): void {
    if (!this.csms.chargePoint(chargePointId)) throw unknownChargePoint(chargePointId, this.connectedIds());
    const version = this.versionOf(chargePointId);
    if (action !== undefined && !isCsmsAction(action, version)) throw unknownAction(action, version);
  }

  /** The OCPP version the charge point speaks (its latest connection's). */
  versionOf(chargePointId: string): OcppVersion {
    return this.csms.ocppVersion(chargePointId) ?? '1.6';
  }

  /** Every charge point that has connected since the CSMS started, by id. */
  chargers(): ChargerSummary[] {
    return this.csms
      .chargePoints()
      .map(chargerSummary)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  charger(chargePointId: string): ChargerSummary | undefined {
    const state = this.csms.chargePoint(chargePointId);
    return state && chargerSummary(state);
  }

  connectedIds(): string[] {
    return this.csms
      .chargePoints()
      .filter((s) => s.connected)
      .map((s) => s.id)
      .sort();
  }

  /**
   * The ids of the charge point's transactions that have not stopped yet, as its version names
   * them on the wire: 1.6 the numbers the CSMS handed out, 2.0.1 the station's own ids.
   */
  openTransactionIds(chargePointId: string): (number | string)[] {
    return this.csms
      .transactions(chargePointId)
      .filter((t) => !t.stop)
      .map((t) => t.stationTransactionId ?? t.transactionId);
  }
}

function unknownChargePoint(chargePointId: string, connected: readonly string[]): OperatorError {
  const now = connected.length ? `connected: ${connected.slice(0, 10).join(', ')}${connected.length > 10 ? ', …' : ''}` : 'none is connected';
  return new OperatorError('unknownChargePoint', `no charge point ${chargePointId} has connected to this CSMS (${now})`);
}

function unknownAction(action: string, version: OcppVersion): OperatorError {
  const spelled = findCsmsAction(action, version);
  if (spelled) return new OperatorError('unknownAction', `unknown action ${action}: did you mean ${spelled}?`);
  if (inboundActions(version).includes(action)) return new OperatorError('unknownAction', `${action} is sent by charge points, not by the CSMS`);
  const other = version === '2.0.1' ? '1.6' : '2.0.1';
  if (isCsmsAction(action, other)) return new OperatorError('unknownAction', `${action} is an OCPP ${other} action; this charge point speaks OCPP ${version}`);
  return new OperatorError('unknownAction', `unknown action ${action}; the CSMS sends ${csmsActions(version).join(', ')} to an OCPP ${version} charge point`);
}

function failure(err: unknown, chargePointId: string, action: string, timeoutMs: number): unknown {
  if (err instanceof InvalidAnswerError) {
    return new OperatorError('invalidAnswer', err.message, { answer: err.answer, ...(err.problem && { field: err.problem.field }) });
  }
  if (isRpcError(err)) {
    const callError = { code: err.rpcErrorCode, description: err.message, details: err.details ?? {} };
    return new OperatorError('callError', `${chargePointId} answered ${action} with CallError ${err.rpcErrorCode}${err.message ? `: ${err.message}` : ''}`, { callError });
  }
  if (err instanceof ocppRpc.TimeoutError) return new OperatorError('timeout', `${chargePointId} did not answer ${action} within ${timeoutMs} ms`);
  if (err instanceof Error) return new OperatorError('connectionLost', `${chargePointId}: ${action} got no answer: ${err.message}`);
  return err;
}
