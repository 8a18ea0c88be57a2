/**
 * How a scenario's CSMS steps, written in OCPP 1.6 words, are said to and seen from an OCPP 2.0.1
 * charger, so that one scenario runs on both versions wherever the two mean the same thing:
 *
 * - what the charger sent ({@link seenIn16Words}): Authorize (idToken → idTag), StatusNotification
 *   (evseId → connectorId, the 2.0.1 status as it is: Occupied stays Occupied), TransactionEvent
 *   Started / Updated / Ended → StartTransaction / MeterValues / StopTransaction (transactionId the
 *   number the CSMS knows it by, stoppedReason back to the 1.6 reason), MeterValues (evseId), and
 *   the rest as it is;
 * - what the CSMS sends ({@link sayIn201}): RemoteStart/StopTransaction → RequestStart/Stop…,
 *   ChangeConfiguration / GetConfiguration → SetVariables / GetVariables of the device-model
 *   variable that is that key, ChangeAvailability, Reset (Soft and Hard: Immediate, both stop the
 *   running transactions at once), UnlockConnector (UnknownConnector answered as NotSupported), TriggerMessage,
 *   SendLocalList, ReserveNow, CancelReservation, InstallCertificate, SignedUpdateFirmware → UpdateFirmware, GetLog, GetDiagnostics
 *   → GetLog DiagnosticsLog, SetChargingProfile / ClearChargingProfile / GetCompositeSchedule (connector →
 *   EVSE, the one schedule as a list of one); the answer comes back in 1.6 words;
 * - what the CSMS answers ({@link answerIn16Words}, {@link answerIn201}): a scripted StartTransaction /
 *   StopTransaction answer is the answer to a TransactionEvent Started / Ended (idTagInfo ↔ idTokenInfo).
 *
 * What has no 2.0.1 counterpart here (plain UpdateFirmware, GetConfiguration of every key, …, and 1.6 status
 * names such as Charging on the wire) is refused with a {@link ScenarioUsageError}, or simply not
 * matched: such a scenario says `onlyOcpp: { version: '1.6', reason }`.
 */
import { VARIABLES } from '../../agent/ocpp/v201/deviceModelVariables.js';
import type { ConfigurationKey } from '../../agent/store/OcppConfiguration.js';
import { idTokenInfo, type IdTagInfo } from '../csms/CsmsReplies.js';
import { ScenarioUsageError } from './errors.js';

type Payload = Record<string, unknown>;

interface SampledValue201 {
  value: number;
  context?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}
interface MeterValue201 {
  timestamp: string;
  sampledValue: SampledValue201[];
}

/** The 1.6 stop reason of a 2.0.1 stoppedReason (and the trigger that tells UnlockCommand and resets apart). */
function reason16(stoppedReason: string | undefined, triggerReason: string, resetType: string | undefined): string | undefined {
  if (stoppedReason === 'ImmediateReset') return resetType === 'Hard' ? 'HardReset' : 'SoftReset';
  if (stoppedReason === 'Other' && triggerReason === 'UnlockCommand') return 'UnlockCommand';
  return stoppedReason;
}

/** The number the CSMS knows a 2.0.1 transaction by (its id when that is a decimal integer, as evse-agent's are). */
export function transactionNumber(id: string): number | undefined {
  const n = Number(id);
  return /^\d{1,16}$/.test(id) && Number.isSafeInteger(n) ? n : undefined;
}

function meterValues16(values: readonly MeterValue201[] | undefined): Payload[] {
  return (values ?? []).map((mv) => ({
    timestamp: mv.timestamp,
    sampledValue: mv.sampledValue.map((s) => ({
      value: String(s.value * 10 ** (s.unitOfMeasure?.multiplier ?? 0)),
      ...(s.context !== undefined && { context: s.context }),
      ...(s.measurand !== undefined && { measurand: s.measurand }),
      ...(s.phase !== undefined && { phase: s.phase }),
      ...(s.location !== undefined && { location: s.location }),
      ...(s.unitOfMeasure?.unit !== undefined && { unit: s.unitOfMeasure.unit }),
    })),
  }));
}

function energyWh(values: readonly MeterValue201[] | undefined, context: string): number | undefined {
  for (const mv of values ?? []) {
    for (const s of mv.sampledValue) {
      if ((s.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register' || s.phase !== undefined || s.context !== context) continue;
      return Math.round(s.value * 10 ** (s.unitOfMeasure?.multiplier ?? 0) * (s.unitOfMeasure?.unit === 'kWh' ? 1000 : 1));
    }
  }
  return undefined;
}

/** What the 1.6 view of one charger's calls remembers between them: per EVSE its status and open problem. */
export class In16Words {
  private readonly evses = new Map<number, { status?: unknown; problem?: { errorCode: string; info?: string } }>();

  /**
   * `resetType`: the 1.6 Reset type the scenario last sent (a reset's stop reason is SoftReset or HardReset);
   * `diagnostics`: the requestIds of the GetLogs that were a scenario's GetDiagnostics.
   */
  constructor(
    private readonly resetType?: string,
    private readonly diagnostics: ReadonlySet<number> = new Set(),
  ) {}

  /**
   * A call a 2.0.1 charger sent, as the call(s) a 1.6 charger sends for the same thing. Calls must
   * come in order: a fault is a StatusNotification with the errorCode of the NotifyEvent about it.
   */
  seen(action: string, payload: unknown): { action: string; payload: Payload }[] {
    const p = (payload ?? {}) as Payload;
    if (action === 'StatusNotification') {
      const evse = this.evse(Number(p.evseId));
      evse.status = p.connectorStatus;
      return [{ action, payload: status16(Number(p.evseId), p.connectorStatus, evse.problem, p.timestamp) }];
    }
    if (action === 'NotifyEvent') {
      // 1.6 says a problem with the status (Faulted, errorCode): when it comes after the status, say the status again with it.
      const out: { action: string; payload: Payload }[] = [];
      for (const e of (p.eventData ?? []) as { trigger?: string; actualValue: string; cleared?: boolean; techCode?: string; techInfo?: string; timestamp: string; component: { evse?: { id: number } }; variable: { name: string } }[]) {
        const id = e.component.evse?.id;
        if (id === undefined || e.variable.name !== 'Problem') continue;
        const evse = this.evse(id);
        evse.problem = e.cleared || e.actualValue === 'false' ? undefined : { errorCode: e.techCode ?? 'OtherError', ...(e.techInfo !== undefined && { info: e.techInfo }) };
        if (evse.status === 'Faulted' && evse.problem) out.push({ action: 'StatusNotification', payload: status16(id, 'Faulted', evse.problem, e.timestamp) });
      }
      // And as itself, for a step in an `ocpp 2.0.1:` block (a variable monitor's trip has no 1.6 word at all).
      out.push({ action, payload: p });
      return out;
    }
    if (action === 'LogStatusNotification' && this.diagnostics.has(Number(p.requestId))) {
      // GetDiagnostics said as GetLog: its stages are a 1.6 charger's DiagnosticsStatusNotifications.
      const status = p.status === 'Uploading' || p.status === 'Uploaded' || p.status === 'Idle' ? p.status : 'UploadFailed';
      return [{ action: 'DiagnosticsStatusNotification', payload: { status } }];
    }
    return seenIn16Words(action, payload, this.resetType);
  }

  private evse(id: number): { status?: unknown; problem?: { errorCode: string; info?: string } } {
    let evse = this.evses.get(id);
    if (!evse) this.evses.set(id, (evse = {}));
    return evse;
  }
}

function status16(connectorId: number, status: unknown, problem: { errorCode: string; info?: string } | undefined, timestamp: unknown): Payload {
  const fault = status === 'Faulted' && problem ? problem : { errorCode: 'NoError' };
  return { connectorId, status, ...fault, timestamp };
}

/** One call of a 2.0.1 charger in 1.6 words, without what earlier calls said (see {@link In16Words}). */
export function seenIn16Words(action: string, payload: unknown, resetType?: string): { action: string; payload: Payload }[] {
  const p = (payload ?? {}) as Payload;
  switch (action) {
    case 'Authorize':
      return [{ action, payload: { idTag: (p.idToken as { idToken: string }).idToken } }];
    case 'StatusNotification':
      return [{ action, payload: status16(Number(p.evseId), p.connectorStatus, undefined, p.timestamp) }];
    case 'MeterValues':
      return [{ action, payload: { connectorId: p.evseId, meterValue: meterValues16(p.meterValue as MeterValue201[]) } }];
    case 'BootNotification': {
      const station = p.chargingStation as { model: string; vendorName: string; firmwareVersion?: string; serialNumber?: string };
      return [
        {
          action,
          payload: {
            chargePointVendor: station.vendorName,
            chargePointModel: station.model,
            ...(station.serialNumber !== undefined && { chargePointSerialNumber: station.serialNumber }),
            ...(station.firmwareVersion !== undefined && { firmwareVersion: station.firmwareVersion }),
          },
        },
      ];
    }
    case 'FirmwareStatusNotification':
      // A 2.0.1 firmware update is always signed: its stages are the whitepaper's SignedFirmwareStatusNotification.
      return [{ action: 'SignedFirmwareStatusNotification', payload: { status: p.status, ...(p.requestId !== undefined && { requestId: p.requestId }) } }];
    case 'TransactionEvent': {
      const info = p.transactionInfo as { transactionId: string; stoppedReason?: string };
      const transactionId = transactionNumber(info.transactionId);
      const tx = transactionId === undefined ? {} : { transactionId };
      const connectorId = (p.evse as { id: number } | undefined)?.id;
      const idTag = (p.idToken as { idToken: string } | undefined)?.idToken;
      const values = p.meterValue as MeterValue201[] | undefined;
      if (p.eventType === 'Started') {
        return [
          {
            action: 'StartTransaction',
            payload: {
              ...(connectorId !== undefined && { connectorId }),
              ...(idTag !== undefined && { idTag }),
              meterStart: energyWh(values, 'Transaction.Begin') ?? 0,
              timestamp: p.timestamp,
              ...(p.reservationId !== undefined && { reservationId: p.reservationId }),
            },
          },
        ];
      }
      if (p.eventType === 'Ended') {
        const reason = reason16(info.stoppedReason, String(p.triggerReason), resetType);
        return [
          {
            action: 'StopTransaction',
            payload: {
              ...tx,
              meterStop: energyWh(values, 'Transaction.End') ?? 0,
              timestamp: p.timestamp,
              ...(reason !== undefined && { reason }),
              ...(idTag !== undefined && { idTag }),
              ...(values && { transactionData: meterValues16(values) }),
            },
          },
        ];
      }
      return values ? [{ action: 'MeterValues', payload: { ...(connectorId !== undefined && { connectorId }), ...tx, meterValue: meterValues16(values) } }] : [];
    }
    default:
      return [{ action, payload: p }];
  }
}

/** What the kit needs to say a call in 2.0.1. */
export interface SayContext {
  /** The station's transactionId of the transaction the CSMS knows by `n`. */
  stationTransactionId(n: number): string;
  /** A new remoteStartId / requestId. */
  nextRequestId(): number;
  /** A GetDiagnostics went out as GetLog with this requestId (its LogStatusNotifications are DiagnosticsStatusNotifications). */
  diagnosticsRequest?(requestId: number): void;
}

export interface Said {
  readonly action: string;
  readonly payload: Payload;
  /** The 2.0.1 answer in 1.6 words. */
  answer(response: unknown): unknown;
}

const sameAnswer = (response: unknown): unknown => response;

/** The device-model variable that is 1.6 key `key` (station components only). */
function variableOf(key: string): { component: { name: string }; variable: { name: string; instance?: string } } | undefined {
  const v = VARIABLES.find((d) => d.key === (key as ConfigurationKey) && d.scope === 'station');
  return v && { component: { name: v.component }, variable: { name: v.variable, ...(v.instance !== undefined && { instance: v.instance }) } };
}

/**
 * 2.0.1's own CSMS calls about the device model and its monitoring, which 1.6 has no word for: a
 * step in an `ocpp 2.0.1:` block sends them as they are (the strict CSMS checks them against the
 * 2.0.1 schemas) and gets their answer as it is.
 */
const NATIVE_201: ReadonlySet<string> = new Set([
  'GetVariables',
  'SetVariables',
  'GetBaseReport',
  'GetReport',
  'SetVariableMonitoring',
  'ClearVariableMonitoring',
  'GetMonitoringReport',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'CustomerInformation',
]);

/** A CSMS call written in 1.6 words (or one of 2.0.1's own, {@link NATIVE_201}), said in 2.0.1; throws a usage error when 2.0.1 has no counterpart here. */
export function sayIn201(action: string, payload: unknown, ctx: SayContext): Said | { readonly answerWithout: unknown } {
  const p = (payload ?? {}) as Payload;
  if (NATIVE_201.has(action)) return { action, payload: p, answer: sameAnswer };
  switch (action) {
    case 'RemoteStartTransaction':
      if (p.chargingProfile !== undefined) throw noCounterpart(action, 'a chargingProfile with the start');
      return {
        action: 'RequestStartTransaction',
        payload: { idToken: { idToken: p.idTag, type: 'Central' }, remoteStartId: ctx.nextRequestId(), ...(p.connectorId !== undefined && { evseId: p.connectorId }) },
        answer: sameAnswer,
      };
    case 'RemoteStopTransaction':
      return { action: 'RequestStopTransaction', payload: { transactionId: ctx.stationTransactionId(Number(p.transactionId)) }, answer: sameAnswer };
    case 'ChangeConfiguration': {
      const variable = variableOf(String(p.key));
      // A 1.6 charger says NotSupported for a key it does not have; so does a station without the variable.
      if (!variable) return { answerWithout: { status: 'NotSupported' } };
      return {
        action: 'SetVariables',
        payload: { setVariableData: [{ ...variable, attributeValue: String(p.value) }] },
        answer: (r) => {
          const status = (r as { setVariableResult: { attributeStatus: string }[] }).setVariableResult[0]?.attributeStatus;
          return { status: status === 'Accepted' || status === 'Rejected' || status === 'RebootRequired' ? status : 'NotSupported' };
        },
      };
    }
    case 'GetConfiguration': {
      const keys = (p.key as string[] | undefined) ?? [];
      if (keys.length === 0) throw noCounterpart(action, 'all keys at once (GetBaseReport answers in NotifyReport pages)');
      const known = keys.filter((k) => variableOf(k));
      const unknownKey = keys.filter((k) => !variableOf(k));
      if (known.length === 0) return { answerWithout: { unknownKey } };
      return {
        action: 'GetVariables',
        payload: { getVariableData: known.map((k) => variableOf(k)!) },
        answer: (r) => {
          const results = (r as { getVariableResult: { attributeStatus: string; attributeValue?: string }[] }).getVariableResult;
          const configurationKey = known.flatMap((key, i) => (results[i]?.attributeStatus === 'Accepted' ? [{ key, readonly: false, value: results[i]!.attributeValue ?? '' }] : []));
          const missing = known.filter((_, i) => results[i]?.attributeStatus !== 'Accepted');
          return { configurationKey, ...((unknownKey.length || missing.length) && { unknownKey: [...unknownKey, ...missing] }) };
        },
      };
    }
    case 'ChangeAvailability':
      return { action, payload: { operationalStatus: p.type, ...(p.connectorId !== 0 && { evse: { id: p.connectorId } }) }, answer: sameAnswer };
    case 'Reset':
      return { action, payload: { type: 'Immediate' }, answer: sameAnswer };
    case 'UnlockConnector':
      return { action, payload: { evseId: p.connectorId, connectorId: 1 }, answer: (r) => ({ status: unlockStatus16((r as { status: string }).status) }) };
    case 'TriggerMessage': {
      const evse = p.connectorId === undefined || p.connectorId === 0 ? {} : { evse: { id: p.connectorId, ...(p.requestedMessage === 'StatusNotification' && { connectorId: 1 }) } };
      return { action, payload: { requestedMessage: p.requestedMessage, ...evse }, answer: sameAnswer };
    }
    case 'SendLocalList':
      return {
        action,
        payload: {
          versionNumber: p.listVersion,
          updateType: p.updateType,
          ...(p.localAuthorizationList !== undefined && {
            localAuthorizationList: (p.localAuthorizationList as { idTag: string; idTagInfo?: { status: string } }[]).map((e) => ({
              idToken: { idToken: e.idTag, type: 'ISO14443' },
              ...(e.idTagInfo && { idTokenInfo: { status: e.idTagInfo.status } }),
            })),
          }),
        },
        answer: sameAnswer,
      };
    case 'ReserveNow':
      return {
        action,
        payload: {
          id: p.reservationId,
          expiryDateTime: p.expiryDate,
          // A reservation is for a driver's card.
          idToken: { idToken: p.idTag, type: 'ISO14443' },
          ...(p.connectorId !== 0 && { evseId: p.connectorId }),
          ...(p.parentIdTag !== undefined && { groupIdToken: { idToken: p.parentIdTag, type: 'Central' } }),
        },
        answer: sameAnswer,
      };
    case 'InstallCertificate':
      return { action, payload: { ...p, certificateType: p.certificateType === 'CentralSystemRootCertificate' ? 'CSMSRootCertificate' : p.certificateType }, answer: sameAnswer };
    case 'SignedUpdateFirmware':
      return { action: 'UpdateFirmware', payload: p, answer: sameAnswer };
    case 'GetDiagnostics': {
      const requestId = ctx.nextRequestId();
      ctx.diagnosticsRequest?.(requestId);
      return {
        action: 'GetLog',
        payload: {
          logType: 'DiagnosticsLog',
          requestId,
          log: { remoteLocation: p.location, ...(p.startTime !== undefined && { oldestTimestamp: p.startTime }), ...(p.stopTime !== undefined && { latestTimestamp: p.stopTime }) },
          ...(p.retries !== undefined && { retries: p.retries }),
          ...(p.retryInterval !== undefined && { retryInterval: p.retryInterval }),
        },
        answer: (r) => {
          const { status, filename } = r as { status: string; filename?: string };
          return status === 'Rejected' || filename === undefined ? {} : { fileName: filename };
        },
      };
    }
    case 'SetChargingProfile': {
      const profile = p.csChargingProfiles as Payload & { chargingSchedule: Payload; transactionId?: number };
      const { chargingProfileId, transactionId, chargingSchedule, chargingProfilePurpose, ...rest } = profile;
      return {
        action,
        payload: {
          evseId: p.connectorId,
          chargingProfile: {
            ...rest,
            id: chargingProfileId,
            chargingProfilePurpose: chargingProfilePurpose === 'ChargePointMaxProfile' ? 'ChargingStationMaxProfile' : chargingProfilePurpose,
            ...(transactionId !== undefined && { transactionId: ctx.stationTransactionId(transactionId) }),
            chargingSchedule: [{ id: chargingProfileId, ...chargingSchedule }],
          },
        },
        answer: sameAnswer,
      };
    }
    case 'ClearChargingProfile': {
      const purpose = p.chargingProfilePurpose === 'ChargePointMaxProfile' ? 'ChargingStationMaxProfile' : p.chargingProfilePurpose;
      const criteria = {
        ...(p.connectorId !== undefined && { evseId: p.connectorId }),
        ...(purpose !== undefined && { chargingProfilePurpose: purpose }),
        ...(p.stackLevel !== undefined && { stackLevel: p.stackLevel }),
      };
      return { action, payload: { ...(p.id !== undefined && { chargingProfileId: p.id }), ...(Object.keys(criteria).length > 0 && { chargingProfileCriteria: criteria }) }, answer: sameAnswer };
    }
    case 'GetCompositeSchedule':
      return {
        action,
        payload: { evseId: p.connectorId, duration: p.duration, ...(p.chargingRateUnit !== undefined && { chargingRateUnit: p.chargingRateUnit }) },
        answer: (r) => {
          const { status, schedule } = r as { status: string; schedule?: { evseId: number; duration: number; scheduleStart: string; chargingRateUnit: string; chargingSchedulePeriod: unknown[] } };
          if (!schedule) return { status };
          const { evseId, scheduleStart, ...chargingSchedule } = schedule;
          return { status, connectorId: evseId, scheduleStart, chargingSchedule };
        },
      };
    case 'CancelReservation':
    case 'ClearCache':
    case 'DataTransfer':
    case 'GetLocalListVersion':
    case 'GetLog':
      return { action, payload: p, answer: sameAnswer };
    default:
      throw noCounterpart(action);
  }
}

/**
 * A 2.0.1 UnlockConnector status in 1.6 words: UnknownConnector is NotSupported (1.6: "no connector lock, or
 * ConnectorId is unknown"). OngoingAuthorizedTransaction has no 1.6 word (a 1.6 charger ends the transaction and
 * unlocks): it stays as it is, for a scenario to tell the versions apart by.
 */
export function unlockStatus16(status: string): string {
  return status === 'UnknownConnector' ? 'NotSupported' : status;
}

function noCounterpart(action: string, what?: string): ScenarioUsageError {
  return new ScenarioUsageError(
    `csms.send(${action}): ${what ? `${what} has` : `${action} has`} no OCPP 2.0.1 counterpart in the scenario kit; take the step on 1.6 only (if (t.ocppVersion === '1.6') …; YAML: an 'ocpp 1.6:' block) or give the scenario onlyOcpp: { version: '1.6', reason: … }`,
  );
}

/** The 1.6 actions whose answer a 2.0.1 charger gets as the answer to a TransactionEvent, and that event's type. */
export const TRANSACTION_EVENT_OF = { StartTransaction: 'Started', StopTransaction: 'Ended' } as const;
export type AnsweredAsTransactionEvent = keyof typeof TRANSACTION_EVENT_OF;

/** A 2.0.1 idTokenInfo in 1.6 words (a status 1.6 does not have is Invalid). */
function idTagInfo16(info: { status: string; cacheExpiryDateTime?: string; groupIdToken?: { idToken: string } }): IdTagInfo {
  const status = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'].includes(info.status) ? (info.status as IdTagInfo['status']) : 'Invalid';
  return {
    status,
    ...(info.cacheExpiryDateTime !== undefined && { expiryDate: info.cacheExpiryDateTime }),
    ...(info.groupIdToken !== undefined && { parentIdTag: info.groupIdToken.idToken }),
  };
}

/**
 * The CSMS's answer to a TransactionEvent in the words of the 1.6 call it stands for: Started →
 * a StartTransaction answer (`transactionId` the number the CSMS knows the transaction by), Ended → a
 * StopTransaction answer.
 */
export function answerIn16Words(action: AnsweredAsTransactionEvent, request: unknown, answer: unknown): Payload {
  const info = (answer as { idTokenInfo?: { status: string } }).idTokenInfo;
  if (action === 'StopTransaction') return info ? { idTagInfo: idTagInfo16(info) } : {};
  const id = ((request as Payload).transactionInfo as { transactionId: string }).transactionId;
  return { transactionId: transactionNumber(id) ?? 0, idTagInfo: info ? idTagInfo16(info) : { status: 'Accepted' } };
}

/** A StartTransaction / StopTransaction answer written in 1.6 words, as the answer to its TransactionEvent (the station names its transactions: `transactionId` is dropped). */
export function answerIn201(answer: unknown): Payload {
  const info = (answer as { idTagInfo?: IdTagInfo } | undefined)?.idTagInfo;
  return info ? { idTokenInfo: idTokenInfo(info) } : {};
}
