/**
 * The journaled transaction messages in OCPP 2.0.1 words: the transaction sender delivers
 * StartTransaction, MeterValues and StopTransaction from the durable journal, in order, exactly as
 * for 1.6; on a 2.0.1 link each becomes a TransactionEvent (Started, Updated, Ended) and its answer
 * is turned back into the answer the sender expects.
 *
 * - transactionId: made by the station (2.0.1 E01), from what the journal holds, so a message
 *   replayed after a restart names the same transaction: `start time in ms × 10 + connectorId`,
 *   as a number for the shared services (what 1.6 CSMSs assign) and its decimal string on the wire.
 * - seqNo: counts the events of each transaction from 0 (Started), kept durably
 *   (agent/store/TransactionSeqNos.ts), so a restart continues the numbering.
 * - triggerReason and stoppedReason: from the 1.6 context and stop reason (tables below).
 * - offline: true for an event that happened while the station had no accepted registration.
 *
 * Per charger: remote start ids awaiting their Started (the seqNos are in the store).
 */
import type { OcppLink } from '../OcppLink.js';
import type * as V16 from '../../ocpp16/messages.js';
import type { MeasurandEnumType, MeterValueType, ReasonEnumType, SampledValueType, TransactionEventRequest, TriggerReasonEnumType } from '../../ocpp201/messages.js';
import type { IdTokenType } from '../../ocpp201/messages.js';
import type { TransactionSeqNos } from '../../store/TransactionSeqNos.js';
import type { TokenKindOf } from '../../store/TransactionJournal.js';
import { UNTYPED_TOKEN_KIND, type IdTokenKind } from '../../auth/idToken.js';
import { call201 } from './call201.js';
import type { TokenAnswer } from '../OcppCaller.js';
import { idTagStatus16, tokenInfo } from './statusVocabulary.js';

type StopReason16 = NonNullable<V16.StopTransactionRequest['reason']>;

const STOPPED_REASON: Readonly<Record<StopReason16, ReasonEnumType>> = {
  DeAuthorized: 'DeAuthorized',
  EmergencyStop: 'EmergencyStop',
  EVDisconnected: 'EVDisconnected',
  HardReset: 'ImmediateReset',
  Local: 'Local',
  Other: 'Other',
  PowerLoss: 'PowerLoss',
  Reboot: 'Reboot',
  Remote: 'Remote',
  SoftReset: 'ImmediateReset',
  UnlockCommand: 'Other',
};

const ENDED_BY: Readonly<Record<StopReason16, TriggerReasonEnumType>> = {
  DeAuthorized: 'Deauthorized',
  EmergencyStop: 'AbnormalCondition',
  EVDisconnected: 'EVCommunicationLost',
  HardReset: 'ResetCommand',
  Local: 'StopAuthorized',
  Other: 'AbnormalCondition',
  PowerLoss: 'AbnormalCondition',
  Reboot: 'AbnormalCondition',
  Remote: 'RemoteStop',
  SoftReset: 'ResetCommand',
  UnlockCommand: 'UnlockCommand',
};

type MeterValue16 = V16.MeterValuesRequest['meterValue'][number];

export function sampledValue201(v: MeterValue16['sampledValue'][number]): SampledValueType {
  return {
    value: Number(v.value),
    ...(v.context !== undefined && { context: v.context }),
    ...(v.measurand !== undefined && { measurand: v.measurand as MeasurandEnumType }),
    ...(v.phase !== undefined && { phase: v.phase }),
    ...(v.location !== undefined && { location: v.location }),
    ...(v.unit !== undefined && { unitOfMeasure: { unit: v.unit } }),
  };
}

export function meterValue201(mv: MeterValue16): MeterValueType {
  const [first, ...rest] = mv.sampledValue.map(sampledValue201);
  return { timestamp: mv.timestamp, sampledValue: [first!, ...rest] };
}

function meterValues201(values: readonly MeterValue16[]): [MeterValueType, ...MeterValueType[]] | undefined {
  const out = values.filter((mv) => mv.sampledValue.length > 0).map(meterValue201);
  return out.length > 0 ? (out as [MeterValueType, ...MeterValueType[]]) : undefined;
}

/** What an Updated event was sent for, from the context of its samples. */
function updatedBy(values: readonly MeterValue16[]): TriggerReasonEnumType {
  const context = values[0]?.sampledValue[0]?.context;
  return context === 'Sample.Clock' ? 'MeterValueClock' : context === 'Trigger' ? 'Trigger' : 'MeterValuePeriodic';
}

const energy = (wh: number, timestamp: string, context: 'Transaction.Begin' | 'Transaction.End'): MeterValueType => ({
  timestamp,
  sampledValue: [{ value: wh, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }],
});

/** The station-made transaction id of a start (see the module comment). */
export function transactionIdOf(start: Pick<V16.StartTransactionRequest, 'timestamp' | 'connectorId'>): number {
  return Date.parse(start.timestamp) * 10 + start.connectorId;
}

/** An identifier in 2.0.1 words; one journaled without a kind (before kinds were kept) was a card. */
const idToken201 = (idTag: string, type: IdTokenKind | undefined): IdTokenType => ({ idToken: idTag, type: type ?? UNTYPED_TOKEN_KIND });

/** The CSMS's idToken is this identifier: the same value, and the same kind where that is known. */
const sameToken = (token: IdTokenType, idTag: string, type: IdTokenKind | undefined): boolean => token.idToken === idTag && (type === undefined || token.type === type);

/** What a Started owes to the RequestStartTransaction that began it. */
export interface RemoteStart {
  remoteStartId: number;
  idToken: IdTokenType;
}

export class TransactionEvents {
  /** The RequestStartTransaction Accepted for an EVSE (0: any), until its Started. */
  private remoteStarts: Map<number, RemoteStart> | undefined;

  /** `offlineAt(ms)`: whether the station was offline then (the event's `offline` flag). */
  constructor(
    private readonly link: Pick<OcppLink, 'call'>,
    private readonly seqNos: Pick<TransactionSeqNos, 'take' | 'forget'>,
    private readonly offlineAt: (epochMs: number) => boolean = () => false,
  ) {}

  private offline(timestamp: string): { offline?: true } {
    return this.offlineAt(Date.parse(timestamp)) ? { offline: true } : {};
  }

  /**
   * A RequestStartTransaction is being carried out: the next Started on `evseId` (0: any EVSE) for
   * its idToken carries its remoteStartId. Told before the start (it may be journaled and sent at
   * once); {@link forgetRemoteStart} when it was not admitted.
   */
  expectRemoteStart(evseId: number, start: RemoteStart): void {
    (this.remoteStarts ??= new Map()).set(evseId, start);
  }

  forgetRemoteStart(evseId: number, start: RemoteStart): void {
    if (this.remoteStarts?.get(evseId) === start) this.remoteStarts.delete(evseId);
  }


  /** The idToken (as the CSMS sent it) of a remote start awaiting its Started, if `idTag` (of kind `type`, where known) is one. */
  remoteIdToken(idTag: string, type?: IdTokenKind): IdTokenType | undefined {
    if (this.remoteStarts) for (const start of this.remoteStarts.values()) if (sameToken(start.idToken, idTag, type)) return start.idToken;
    return undefined;
  }

  private takeRemoteStart(evseId: number): RemoteStart | undefined {
    for (const key of [evseId, 0]) {
      const id = this.remoteStarts?.get(key);
      if (id !== undefined) {
        this.remoteStarts!.delete(key);
        return id;
      }
    }
    return undefined;
  }

  async started(req: V16.StartTransactionRequest & TokenKindOf): Promise<V16.StartTransactionResponse & TokenAnswer> {
    const id = transactionIdOf(req);
    const transactionId = String(id);
    // A remote start's own idToken (as the CSMS sent it); else the identifier with its kind.
    const remote = this.takeRemoteStart(req.connectorId);
    const { seqNo, durable } = this.seqNos.take(transactionId);
    const byRemote = remote !== undefined && sameToken(remote.idToken, req.idTag, req.idTokenType);
    const event: TransactionEventRequest = {
      eventType: 'Started',
      timestamp: req.timestamp,
      triggerReason: byRemote ? 'RemoteStart' : 'Authorized',
      seqNo,
      ...this.offline(req.timestamp),
      transactionInfo: { transactionId, chargingState: 'Charging', ...(byRemote && { remoteStartId: remote.remoteStartId }) },
      evse: { id: req.connectorId, connectorId: 1 },
      idToken: byRemote ? remote.idToken : idToken201(req.idTag, req.idTokenType),
      meterValue: [energy(req.meterStart, req.timestamp, 'Transaction.Begin')],
      ...(req.reservationId !== undefined && { reservationId: req.reservationId }),
    };
    // Queued now (its place among this EVSE's messages, DESIGN.md §11), sent once its seqNo is durable.
    const answer = await call201(this.link, 'TransactionEvent', event, durable);
    return { transactionId: id, idTagInfo: { status: idTagStatus16(answer.idTokenInfo?.status ?? 'Accepted') }, tokenInfo: answer.idTokenInfo ? tokenInfo(answer.idTokenInfo) : null };
  }

  async updated(req: V16.MeterValuesRequest & { transactionId: number }): Promise<V16.MeterValuesResponse> {
    const meterValue = meterValues201(req.meterValue);
    if (!meterValue) return {};
    const transactionId = String(req.transactionId);
    const { seqNo, durable } = this.seqNos.take(transactionId);
    await call201(this.link, 'TransactionEvent', {
      eventType: 'Updated',
      timestamp: req.meterValue[0]!.timestamp,
      triggerReason: updatedBy(req.meterValue),
      seqNo,
      ...this.offline(req.meterValue[0]!.timestamp),
      transactionInfo: { transactionId },
      evse: { id: req.connectorId, connectorId: 1 },
      meterValue,
    }, durable);
    return {};
  }

  async ended(req: V16.StopTransactionRequest & TokenKindOf): Promise<V16.StopTransactionResponse & TokenAnswer> {
    const transactionId = String(req.transactionId);
    const reason: StopReason16 = req.reason ?? 'Local';
    const meterValue = [...(meterValues201(req.transactionData ?? []) ?? []), energy(req.meterStop, req.timestamp, 'Transaction.End')] as [MeterValueType, ...MeterValueType[]];
    const { seqNo, durable } = this.seqNos.take(transactionId);
    const answer = await call201(this.link, 'TransactionEvent', {
      eventType: 'Ended',
      timestamp: req.timestamp,
      triggerReason: ENDED_BY[reason],
      seqNo,
      ...this.offline(req.timestamp),
      transactionInfo: { transactionId, stoppedReason: STOPPED_REASON[reason] },
      ...(req.idTag !== undefined && { idToken: idToken201(req.idTag, req.idTokenType) }),
      meterValue,
    }, durable);
    await this.seqNos.forget(transactionId);
    return answer.idTokenInfo ? { idTagInfo: { status: idTagStatus16(answer.idTokenInfo.status) }, tokenInfo: tokenInfo(answer.idTokenInfo) } : { tokenInfo: null };
  }
}
