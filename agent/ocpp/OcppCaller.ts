/**
 * The narrow view of the OCPP link that senders of charger-initiated messages need: typed calls
 * and whether the CSMS has accepted this charger (only then may it send most requests).
 * `OcppLink` satisfies it; tests can provide a small fake.
 */
import type { IdTagInfo } from '../auth/AuthorizationCache.js';
import type { IdTokenKind } from '../auth/idToken.js';
import type { MeterValuesResponse, Ocpp16Action, RequestOf, ResponseOf, StartTransactionResponse, StopTransactionResponse } from '../ocpp16/messages.js';
import type { JournalEntry } from '../store/TransactionJournal.js';

type Entry<K extends JournalEntry['kind']> = Extract<JournalEntry, { kind: K }>;

/**
 * A version whose transaction messages carry numbers and facts of their own (OCPP 2.0.1
 * TransactionEvent: seqNo, triggerReason, offline) fixes them when the message is journaled and
 * sends each journaled entry as it was fixed (TransactionSender). 1.6 has none: its messages are
 * the journaled payloads.
 */
export interface JournaledEvents {
  /**
   * The entry as it is to be journaled (numbered), called once per entry, synchronously, in the
   * order the entries are journaled. `pending()`: the entries journaled and not yet confirmed
   * (also those kept in memory while the journal fails), oldest first.
   */
  stamp(entry: JournalEntry, pending: () => Iterable<JournalEntry>): JournalEntry;
  started(entry: Entry<'start'>): Promise<StartTransactionResponse & TokenAnswer>;
  updated(entry: Entry<'meter'>, transactionId: number): Promise<MeterValuesResponse>;
  ended(entry: Entry<'stop'>, transactionId: number): Promise<StopTransactionResponse & TokenAnswer>;
  /**
   * A charging state change ('update' entries are journaled only where this exists); for an
   * authorization of the transaction (cause Authorized) the answer's idTokenInfo, as for a start.
   */
  changed(entry: Entry<'update'>, transactionId: number): Promise<TokenAnswer | void>;
}

/**
 * What a link with kinds (OCPP 2.0.1) adds to its StartTransaction / StopTransaction answers: the
 * whole idTokenInfo of the TransactionEvent answer (statuses 1.6 lacks, cacheExpiryDateTime, group,
 * EVSEs) for the cache, or null when the CSMS gave none (then the cache learns nothing from it).
 * Absent on a 1.6 link, whose idTagInfo is the one to learn.
 */
export interface TokenAnswer {
  tokenInfo?: IdTagInfo | null;
}

export interface OcppCaller {
  /** True after an Accepted BootNotification on the current connection. */
  readonly isAccepted: boolean;
  call<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>>;
  /**
   * True where identifiers have kinds on the wire (OCPP 2.0.1, ../auth/idToken.ts): the journaled
   * StartTransaction / StopTransaction keep their `idTokenType`, which a 1.6 link is not sent.
   */
  readonly tokenKinds?: boolean;
  /**
   * OCPP 2.0.1: Authorize of an identifier of a kind, answered with the whole idTokenInfo (statuses
   * 1.6 lacks, the group's kind, the EVSEs it is limited to) and the driver's language. Absent (1.6):
   * Authorize with the idTag alone. `language`: IdTokenInfo.language1 (RFC 5646), the driver's.
   */
  authorizeToken?(idTag: string, type: IdTokenKind | undefined): Promise<{ info: IdTagInfo; language?: string }>;
  /** How this version numbers and sends the journaled transaction messages; absent: as journaled (1.6). */
  readonly journaled?: JournaledEvents;
}
