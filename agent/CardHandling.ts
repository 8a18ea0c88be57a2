/**
 * The charge point's card readers: a card is presented to the session service (which stops its
 * session or starts one), a reader fault is reported on connectorId 0.
 */
import type { CardEvent, HalError, HalErrorCode, RfidReader } from '../hal/index.js';
import type { SessionService } from './sessions/SessionService.js';

/** Where a reader's faults are reported (the charge point's status, connectorId 0). */
export interface ReaderFaultSink {
  readerFault(reader: RfidReader, err: HalError): void;
  readerFaultCleared(reader: RfidReader, code: HalErrorCode): void;
}

/** Listens to one card reader. Returns the function that stops listening. */
export function listenToReader(reader: RfidReader, sessions: SessionService, status: ReaderFaultSink): () => void {
  const onCard = (card: CardEvent) => void sessions.presentCard(card);
  const onFault = (err: HalError) => status.readerFault(reader, err);
  const onCleared = (code: HalErrorCode) => status.readerFaultCleared(reader, code);
  reader.on('card', onCard);
  reader.on('fault', onFault);
  reader.on('faultCleared', onCleared);
  return () => {
    reader.off('card', onCard);
    reader.off('fault', onFault);
    reader.off('faultCleared', onCleared);
  };
}
