/**
 * The journaled transaction messages in OCPP 2.0.1 words: the transaction sender delivers
 * StartTransaction, MeterValues, StopTransaction and charging state changes from the durable
 * journal, in order, exactly as for 1.6; on a 2.0.1 link each becomes a TransactionEvent (Started,
 * Updated, Ended) and its answer is turned back into the answer the sender expects.
 *
 * - transactionId: made by the station (2.0.1 E01), from what the journal holds, so a message
 *   replayed after a restart names the same transaction: `start time in ms × 10 + connectorId`,
 *   as a number for the shared services (what 1.6 CSMSs assign) and its decimal string on the wire.
 * - Each event is fixed when it is journaled ({@link TransactionEvents.stamp}): its seqNo (each
 *   transaction's events counted from 0), triggerReason, `offline` flag and a remote start's id go
 *   into the journal record with it, so a replay after SIGKILL sends exactly the same event under
 *   the same number, and numbers have no gaps. The next number of a transaction is max(the
 *   durable floor of agent/store/TransactionSeqNos.ts, the highest number still in the journal + 1);
 *   the floor is raised once the CSMS confirmed an event, before its record leaves the journal.
 * - triggerReason and stoppedReason: from the 1.6 context and stop reason (tables below), and the
 *   cause of a charging state change.
 * - offline: true for an event that happened while the station had no accepted registration.
 *
 * Per charger: remote start ids awaiting their Started; each open transaction's next number once
 * one of its events was journaled in this run.
 */
import type { OcppLink } from '../OcppLink.js';
import type * as V16 from '../../ocpp16/messages.js';
import type { MeasurandEnumType, MeterValueType, ReasonEnumType, SampledValueType, TransactionEventRequest, TriggerReasonEnumType } from '../../ocpp201/messages.js';
import type { IdTokenType } from '../../ocpp201/messages.js';
import type { TransactionSeqNos } from '../../store/TransactionSeqNos.js';
import type { JournalEntry, JournaledEvent } from '../../store/TransactionJournal.js';
import type { JournaledEvents } from '../OcppCaller.js';
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

/** The ends only the transaction points bring about (TxStartPoint / TxStopPoint): stoppedReason and triggerReason. */
const POINT_STOPPED_REASON: Readonly<Record<NonNullable<Entry<'stop'>['endedBy']>, ReasonEnumType>> = {
  ConnectionTimeout: 'Timeout',
  EnergyTransferEnded: 'StoppedByEV',
};
const POINT_ENDED_BY: Readonly<Record<NonNullable<Entry<'stop'>['endedBy']>, TriggerReasonEnumType>> = {
  ConnectionTimeout: 'EVConnectTimeout',
  EnergyTransferEnded: 'ChargingStateChanged',
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

/** The limit in force after a ChargingRateChanged, as the current offered (A per phase). */
const offered = (amps: number, timestamp: string): MeterValueType => ({
  timestamp,
  sampledValue: [{ value: amps, context: 'Other', measurand: 'Current.Offered', unitOfMeasure: { unit: 'A' } }],
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

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;
type EventEntry = Entry<'start' | 'meter' | 'stop' | 'update'>;

/** When an entry's event happened. */
function timestampOf(entry: EventEntry): string {
  switch (entry.kind) {
    case 'meter':
      return entry.payload.meterValue[0]!.timestamp;
    case 'update':
      return entry.timestamp;
    default:
      return entry.payload.timestamp;
  }
}

/** Whether an entry makes a TransactionEvent (a MeterValues without values makes none, and takes no number). */
function makesEvent(entry: JournalEntry): entry is EventEntry {
  if (entry.kind === 'meter') return meterValues201(entry.payload.meterValue) !== undefined;
  return entry.kind === 'start' || entry.kind === 'stop' || entry.kind === 'update';
}

/** The station-made transactionId of a local transaction, from its start (or the journaled answer to it) among `entries`. */
export function transactionIdIn(localId: string, entries: Iterable<JournalEntry>): string | undefined {
  for (const e of entries) {
    if (e.localId !== localId) continue;
    if (e.kind === 'start') return String(transactionIdOf(e.payload));
    if (e.kind === 'started') return e.timestamp === undefined ? String(e.transactionId) : String(transactionIdOf({ timestamp: e.timestamp, connectorId: e.connectorId }));
  }
  return undefined;
}

type SeqNoStore = Pick<TransactionSeqNos, 'take' | 'forget' | 'floor' | 'passed'>;

/** One open transaction's numbering in this run (TransactionEvents.numbering). */
interface Numbering {
  readonly localId: string;
  readonly transactionId: string;
  next: number;
}

/** A station that is never offline (the default). */
const NEVER_OFFLINE = { wasOffline: (): boolean => false };

export class TransactionEvents implements JournaledEvents {
  /** The RequestStartTransaction Accepted for an EVSE (0: any), until its Started. */
  private remoteStarts: Map<number, RemoteStart> | undefined;
  /**
   * The transaction's id and its next seqNo, by localId, once one of its events was numbered in this
   * run: a few open transactions at most, so an array made at its length rather than a Map (whose
   * table alone is ≈ 140 B per charging charger of a fleet); absent while none is open.
   */
  private numbering: readonly Numbering[] | undefined;

  /** `station.wasOffline(ms)`: whether the station was offline then (the event's `offline` flag). */
  constructor(
    private readonly link: Pick<OcppLink, 'call'>,
    private readonly seqNos: SeqNoStore,
    private readonly station: { wasOffline(epochMs: number): boolean } = NEVER_OFFLINE,
  ) {}

  private offlineAt(epochMs: number): boolean {
    return this.station.wasOffline(epochMs);
  }

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

  /**
   * Fixes an entry's event as it is journaled (see the module comment): its number, and what the
   * station knows only now (the triggerReason, a remote start, offline). An entry whose transaction
   * has no id here (its start was given up) or that makes no event is journaled as it is.
   */
  stamp(entry: JournalEntry, pending: () => Iterable<JournalEntry>): JournalEntry {
    if (!makesEvent(entry) || entry.event) return entry;
    const tx = this.numberingOf(entry, pending);
    if (!tx) return entry;
    const event: JournaledEvent = { seqNo: tx.next++, triggerReason: this.triggerReasonOf(entry) };
    if (entry.kind === 'start') {
      const remote = this.takeRemoteStart(entry.connectorId);
      if (remote !== undefined && sameToken(remote.idToken, entry.payload.idTag, entry.payload.idTokenType)) {
        if (entry.cause === undefined) event.triggerReason = 'RemoteStart';
        event.remoteStartId = remote.remoteStartId;
        event.idToken = remote.idToken;
      }
    } else if (entry.kind === 'update' && entry.cause === 'Authorized' && entry.idTag !== undefined) {
      // A transaction begun at the plug-in, authorized by a RequestStartTransaction: RemoteStart, with its id.
      for (const key of [entry.connectorId, 0]) {
        const remote = this.remoteStarts?.get(key);
        if (remote === undefined || !sameToken(remote.idToken, entry.idTag, entry.idTokenType)) continue;
        this.remoteStarts!.delete(key);
        Object.assign(event, { triggerReason: 'RemoteStart', remoteStartId: remote.remoteStartId, idToken: remote.idToken });
        break;
      }
    }
    if (this.offlineAt(Date.parse(timestampOf(entry)))) event.offline = true;
    // Nothing follows an Ended.
    if (entry.kind === 'stop') {
      const rest = this.numbering!.filter((n) => n !== tx);
      this.numbering = rest.length > 0 ? rest : undefined;
    }
    return { ...entry, event };
  }

  /** The numbering of the entry's transaction, started from the durable floor and the journal on its first event in this run. */
  private numberingOf(entry: EventEntry, pending: () => Iterable<JournalEntry>): Numbering | undefined {
    const known = this.numbering?.find((n) => n.localId === entry.localId);
    if (known) return known;
    const transactionId = entry.kind === 'start' ? String(transactionIdOf(entry.payload)) : transactionIdIn(entry.localId, pending());
    if (transactionId === undefined) return undefined;
    let numbered = -1;
    // Journaled by a build that did not number them: numbered when sent, from the floor on.
    let unnumbered = 0;
    for (const e of pending()) {
      if (e.localId !== entry.localId || !makesEvent(e)) continue;
      if (e.event) numbered = Math.max(numbered, e.event.seqNo);
      else unnumbered++;
    }
    const tx: Numbering = { localId: entry.localId, transactionId, next: Math.max(this.seqNos.floor(transactionId) + unnumbered, numbered + 1) };
    this.numbering = this.numbering ? this.numbering.concat(tx) : [tx];
    return tx;
  }

  private triggerReasonOf(entry: EventEntry): TriggerReasonEnumType {
    switch (entry.kind) {
      case 'start':
        return entry.cause ?? 'Authorized';
      case 'meter':
        return updatedBy(entry.payload.meterValue);
      case 'stop':
        return entry.endedBy !== undefined ? POINT_ENDED_BY[entry.endedBy] : ENDED_BY[entry.payload.reason ?? 'Local'];
      case 'update':
        return entry.cause;
    }
  }

  /**
   * The event's number and facts: journaled with it, or (a record journaled without them) fixed
   * now, the number taken written ahead. `confirmed` records the number used once the CSMS answered.
   */
  private factsOf(entry: EventEntry, transactionId: string): { event: JournaledEvent; durable?: Promise<void>; confirmed: () => Promise<void> } {
    const journaled = entry.event;
    if (journaled) {
      return {
        event: journaled,
        confirmed: () => (entry.kind === 'stop' ? this.seqNos.forget(transactionId) : this.seqNos.passed(transactionId, journaled.seqNo)),
      };
    }
    const { seqNo, durable } = this.seqNos.take(transactionId);
    const event: JournaledEvent = { seqNo, triggerReason: this.triggerReasonOf(entry) };
    if (entry.kind === 'start') {
      const remote = this.takeRemoteStart(entry.connectorId);
      if (remote !== undefined && sameToken(remote.idToken, entry.payload.idTag, entry.payload.idTokenType)) Object.assign(event, { triggerReason: entry.cause ?? 'RemoteStart', remoteStartId: remote.remoteStartId, idToken: remote.idToken });
    }
    if (this.offlineAt(Date.parse(timestampOf(entry)))) event.offline = true;
    return { event, durable, confirmed: () => (entry.kind === 'stop' ? this.seqNos.forget(transactionId) : Promise.resolve()) };
  }

  async started(entry: Entry<'start'>): Promise<V16.StartTransactionResponse & TokenAnswer> {
    const req = entry.payload;
    const id = transactionIdOf(req);
    const transactionId = String(id);
    const { event: facts, durable, confirmed } = this.factsOf(entry, transactionId);
    const event: TransactionEventRequest = {
      eventType: 'Started',
      timestamp: req.timestamp,
      triggerReason: facts.triggerReason as TriggerReasonEnumType,
      seqNo: facts.seqNo,
      ...(facts.offline && { offline: true }),
      transactionInfo: { transactionId, chargingState: entry.chargingState ?? 'Charging', ...(facts.remoteStartId !== undefined && { remoteStartId: facts.remoteStartId }) },
      evse: { id: req.connectorId, connectorId: 1 },
      // A remote start's own idToken (as the CSMS sent it); else the identifier with its kind; none
      // when begun at the plug-in before any authorization (TxStartPoint EVConnected).
      ...(facts.idToken !== undefined ? { idToken: facts.idToken as IdTokenType } : !entry.withoutIdToken && { idToken: idToken201(req.idTag, req.idTokenType) }),
      meterValue: [energy(req.meterStart, req.timestamp, 'Transaction.Begin')],
      ...(req.reservationId !== undefined && { reservationId: req.reservationId }),
    };
    // Queued now (its place among this EVSE's messages, DESIGN.md §11); a number taken now is sent once durable.
    const answer = await call201(this.link, 'TransactionEvent', event, durable);
    await confirmed();
    return { transactionId: id, idTagInfo: { status: idTagStatus16(answer.idTokenInfo?.status ?? 'Accepted') }, tokenInfo: answer.idTokenInfo ? tokenInfo(answer.idTokenInfo) : null };
  }

  async updated(entry: Entry<'meter'>, id: number): Promise<V16.MeterValuesResponse> {
    const meterValue = meterValues201(entry.payload.meterValue);
    if (!meterValue) return {};
    const transactionId = String(id);
    const { event: facts, durable, confirmed } = this.factsOf(entry, transactionId);
    await call201(this.link, 'TransactionEvent', {
      eventType: 'Updated',
      timestamp: timestampOf(entry),
      triggerReason: facts.triggerReason as TriggerReasonEnumType,
      seqNo: facts.seqNo,
      ...(facts.offline && { offline: true }),
      transactionInfo: { transactionId },
      evse: { id: entry.connectorId, connectorId: 1 },
      meterValue,
    }, durable);
    await confirmed();
    return {};
  }

  async changed(entry: Entry<'update'>, id: number): Promise<TokenAnswer | void> {
    const transactionId = String(id);
    const { event: facts, durable, confirmed } = this.factsOf(entry, transactionId);
    const answer = await call201(this.link, 'TransactionEvent', {
      eventType: 'Updated',
      timestamp: entry.timestamp,
      triggerReason: facts.triggerReason as TriggerReasonEnumType,
      seqNo: facts.seqNo,
      ...(facts.offline && { offline: true }),
      transactionInfo: {
        transactionId,
        ...(entry.chargingState !== undefined && { chargingState: entry.chargingState }),
        ...(facts.remoteStartId !== undefined && { remoteStartId: facts.remoteStartId }),
      },
      evse: { id: entry.connectorId, connectorId: 1 },
      // Authorized / StopAuthorized: the identifier that authorized the transaction (a remote start's
      // own idToken as sent), or ended its authorization.
      ...(facts.idToken !== undefined ? { idToken: facts.idToken as IdTokenType } : entry.idTag !== undefined && { idToken: idToken201(entry.idTag, entry.idTokenType) }),
      // ChargingRateChanged: the new limit in force, as the offered current.
      ...(entry.limitA !== undefined && { meterValue: [offered(entry.limitA, entry.timestamp)] }),
    }, durable);
    await confirmed();
    // The driver's authorization of the transaction: what the CSMS says of the idToken binds it (E06.FR.04).
    if (entry.cause === 'Authorized') return { tokenInfo: answer.idTokenInfo ? tokenInfo(answer.idTokenInfo) : null };
  }

  async ended(entry: Entry<'stop'>, id: number): Promise<V16.StopTransactionResponse & TokenAnswer> {
    const req = entry.payload;
    const transactionId = String(id);
    const reason: StopReason16 = req.reason ?? 'Local';
    const meterValue = [...(meterValues201(req.transactionData ?? []) ?? []), energy(req.meterStop, req.timestamp, 'Transaction.End')] as [MeterValueType, ...MeterValueType[]];
    const { event: facts, durable, confirmed } = this.factsOf(entry, transactionId);
    const answer = await call201(this.link, 'TransactionEvent', {
      eventType: 'Ended',
      timestamp: req.timestamp,
      triggerReason: facts.triggerReason as TriggerReasonEnumType,
      seqNo: facts.seqNo,
      ...(facts.offline && { offline: true }),
      transactionInfo: {
        transactionId,
        stoppedReason: entry.endedBy !== undefined ? POINT_STOPPED_REASON[entry.endedBy] : STOPPED_REASON[reason],
        ...(entry.chargingState !== undefined && { chargingState: entry.chargingState }),
      },
      ...(req.idTag !== undefined && { idToken: idToken201(req.idTag, req.idTokenType) }),
      meterValue,
    }, durable);
    await confirmed();
    return answer.idTokenInfo ? { idTagInfo: { status: idTagStatus16(answer.idTokenInfo.status) }, tokenInfo: tokenInfo(answer.idTokenInfo) } : { tokenInfo: null };
  }
}
