/**
 * The transaction journal: every transaction-related OCPP message (StartTransaction, transaction
 * MeterValues, StopTransaction) is appended here *before* it is sent and removed only after the
 * CSMS has confirmed it. The sender replays what is left, in order, after a reconnect or a restart.
 *
 * This file holds the contract and the in-memory implementation (used by fleets and tests, and
 * by the agent until a durable store is configured); `FileJournal.ts` is the durable one. A
 * durable implementation must make `append()` resolve only once the record is on stable storage,
 * and reject with a `JournalError` (JournalError.ts) when it cannot.
 */
import type { IdTagStatus } from '../ocpp16/vocabulary.js';
import type { MeterValuesRequest, StartTransactionRequest, StopTransactionRequest } from '../ocpp16/messages.js';
import type { IdTokenEnumType } from '../ocpp201/messages.js';

/**
 * The kind of the identifier that started (or stopped) a transaction (agent/auth/idToken.ts): the
 * shared services' one addition to the 1.6 messages they journal. Only a link that has kinds
 * (OCPP 2.0.1) is sent it; records written before it existed have none (a card, ISO14443).
 */
export interface TokenKindOf {
  idTokenType?: IdTokenEnumType;
}

/**
 * A transaction message as journaled. `localId` names the transaction on this charger, because the
 * CSMS's transactionId is only known once StartTransaction is confirmed (maybe much later, when
 * the charger was offline); the sender fills `transactionId` in at send time.
 */
export type JournalEntry =
  /**
   * `cause` CablePluggedIn: the plug-in completed the start (authorized first) or began it alone;
   * absent: the authorization did. `withoutIdToken`: begun at the plug-in before any authorization
   * (a start point only a 2.0.1 face sets, TxStartPoint EVConnected): `payload.idTag` is empty and
   * is not sent; an 'update' with cause Authorized names the identifier once one is authorized.
   * 1.6 never journals one (its StartTransaction needs an idTag).
   */
  | { kind: 'start'; localId: string; connectorId: number; payload: StartTransactionRequest & TokenKindOf; chargingState?: ChargingState; cause?: 'CablePluggedIn'; withoutIdToken?: true; event?: JournaledEvent }
  | { kind: 'meter'; localId: string; connectorId: number; payload: Omit<MeterValuesRequest, 'transactionId'>; event?: JournaledEvent }
  /**
   * `endedBy`: a reason only the transaction points of a 2.0.1 face bring about (`payload.reason` is
   * then Other): ConnectionTimeout (the cable or the authorization did not come within
   * ConnectionTimeOut), EnergyTransferEnded (the EV stopped drawing; `chargingState` what it does then).
   */
  | { kind: 'stop'; localId: string; connectorId: number; payload: Omit<StopTransactionRequest, 'transactionId'> & TokenKindOf; endedBy?: 'ConnectionTimeout' | 'EnergyTransferEnded'; chargingState?: ChargingState; event?: JournaledEvent }
  /**
   * What the connector does for the EV changed during the transaction (`chargingState`), and why
   * (`cause`). Journaled only for a version that reports it (OCPP 2.0.1 TransactionEvent Updated);
   * 1.6 tells it with StatusNotification alone.
   * ChargingRateChanged: the limit in force changed by more than LimitChangeSignificance
   * (`limitA`, A per phase, the new one); `chargingState` is absent then (it did not change).
   * Authorized: a transaction begun without an identifier is authorized by `idTag` (of kind
   * `idTokenType`); StopAuthorized: the session's card ended the authorization of a transaction that
   * outlasts it (its `idTag`).
   */
  | { kind: 'update'; localId: string; connectorId: number; timestamp: string; chargingState?: ChargingState; cause: ChargingStateCause; limitA?: number; idTag?: string; idTokenType?: IdTokenEnumType; event?: JournaledEvent }
  /**
   * OCA California Pricing ConnectorUnplugged (DataTransfer org.openchargealliance.costmsg): the
   * vehicle left after the transaction, so the CSMS can end an idle fee. Queued like the
   * transaction's own messages; `transactionId` when it was known at the unplug (else the
   * transaction's confirmed id, which its stop then keeps until this is delivered).
   */
  | { kind: 'unplugged'; localId: string; connectorId: number; transactionId?: number; timestamp: string }
  /**
   * The CSMS's answer to a start, so a restart can still address the transaction by its id.
   * `meterStart` (optional for records written before it existed) lets power-loss recovery end
   * the transaction with meterStop >= meterStart after the start record itself was acknowledged;
   * `idTag`, `idTagStatus` and `timestamp` (same) let it resume the transaction instead
   * (ResumeTransactionOnPowerLoss).
   */
  | {
      kind: 'started';
      localId: string;
      connectorId: number;
      transactionId: number;
      meterStart?: number;
      idTag?: string;
      /** The kind of `idTag`, where known. */
      idTokenType?: IdTokenEnumType;
      idTagStatus?: IdTagStatus;
      /** StartTransaction.timestamp. */
      timestamp?: string;
    };

/**
 * What the connector does for the EV during a transaction (OCPP 2.0.1 ChargingStateEnumType):
 * Charging (energy flows), SuspendedEV (offered, the EV takes none), SuspendedEVSE (the charger
 * offers none: a limit, a fault, a refused idTag), EVConnected (connected, not yet offered), Idle
 * (no EV connected).
 */
export type ChargingState = 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

/**
 * Why the charging state changed: the EV was unplugged (EVCommunicationLost) or plugged in again
 * (CablePluggedIn) during the transaction, or anything else (ChargingStateChanged); or not the
 * state but the limit in force changed significantly (ChargingRateChanged).
 */
export type ChargingStateCause = 'ChargingStateChanged' | 'EVCommunicationLost' | 'CablePluggedIn' | 'ChargingRateChanged' | 'Authorized' | 'StopAuthorized';

/**
 * What makes a numbered transaction message (OCPP 2.0.1 TransactionEvent) the same message each
 * time it is sent: fixed when the entry is journaled, by the version that numbers its messages
 * (agent/ocpp/OcppCaller.ts, JournaledEvents), and durable with it, so a replay after a restart
 * sends exactly the event that was (maybe) sent before, under the same number, and numbers have
 * no gaps. 1.6 journals none.
 */
export interface JournaledEvent {
  seqNo: number;
  triggerReason: string;
  /** The event happened while the station had no accepted registration. */
  offline?: true;
  /** A Started owed to a remote start: its id and the remote start's own idToken (with its type). */
  remoteStartId?: number;
  idToken?: { idToken: string; type: string; additionalInfo?: unknown };
}

/** A journaled entry with its sequence number (`E`: another queue's entries, e.g. security events). */
export interface JournalRecord<E = JournalEntry> {
  /** Monotonic sequence number, the delivery order. */
  seq: number;
  entry: E;
}

export interface TransactionJournal<E = JournalEntry> {
  /** Stores an entry durably and returns its record. Rejects if it cannot be stored. */
  append(entry: E): Promise<JournalRecord<E>>;
  /**
   * Marks records as delivered (confirmed by the CSMS); they will not be replayed. Several
   * sequence numbers are acknowledged atomically: a crash leaves all of them pending or none
   * (a StopTransaction and its `started` record must not come apart). Unknown ones are ignored.
   * Rejects with a `JournalError` when the storage failed: the records still in `pending()`
   * are those whose acknowledgement is not durable (a failed compaction after a durable
   * acknowledgement rejects too, with the records gone from `pending()`).
   */
  ack(...seqs: number[]): Promise<void>;
  /** Records not yet acknowledged, in append order. */
  pending(): readonly JournalRecord<E>[];
  /**
   * Checks that the storage still takes a durable write (disk full, read-only, failing), without
   * adding a record. Journals that cannot fail this way (in memory) leave it out.
   */
  probe?(): Promise<void>;
  close(): Promise<void>;
}

/** Journal held in memory: survives reconnects, not restarts. */
export class MemoryJournal<E = JournalEntry> implements TransactionJournal<E> {
  private records: JournalRecord<E>[] = [];
  private nextSeq = 1;

  async append(entry: E): Promise<JournalRecord<E>> {
    const record = { seq: this.nextSeq++, entry };
    this.records.push(record);
    return record;
  }

  async ack(...seqs: number[]): Promise<void> {
    this.records = this.records.filter((r) => !seqs.includes(r.seq));
  }

  pending(): readonly JournalRecord<E>[] {
    return this.records;
  }

  async close(): Promise<void> {}
}
