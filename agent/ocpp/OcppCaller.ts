/**
 * The narrow view of the OCPP link that senders of charger-initiated messages need: typed calls
 * and whether the CSMS has accepted this charger (only then may it send most requests).
 * `OcppLink` satisfies it; tests can provide a small fake.
 */
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
  started(entry: Entry<'start'>): Promise<StartTransactionResponse>;
  updated(entry: Entry<'meter'>, transactionId: number): Promise<MeterValuesResponse>;
  ended(entry: Entry<'stop'>, transactionId: number): Promise<StopTransactionResponse>;
  /** A charging state change ('update' entries are journaled only where this exists). */
  changed(entry: Entry<'update'>, transactionId: number): Promise<void>;
}

export interface OcppCaller {
  /** True after an Accepted BootNotification on the current connection. */
  readonly isAccepted: boolean;
  call<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>>;
  /**
   * The language the CSMS gave for the driver of `idTag` with its last Authorize answer (OCPP
   * 2.0.1 IdTokenInfo.language1, RFC 5646); absent where the protocol has none (1.6).
   */
  driverLanguage?(idTag: string): string | undefined;
  /** How this version numbers and sends the journaled transaction messages; absent: as journaled (1.6). */
  readonly journaled?: JournaledEvents;
}
