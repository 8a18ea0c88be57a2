/**
 * A card presented at the charge point's readers: it stops its own session, or it is authorized
 * and handed to the connector it is for. The connector machines decide the rest.
 */
import type { CardEvent, HalError, HalErrorCode, RfidReader } from '../hal/index.js';
import type { Agent } from './Agent.js';
import type { ConnectorController } from './charging/ConnectorController.js';
import type { StatusReporter } from './StatusReporter.js';

type Authorized = { type: 'AUTHORIZED'; idTag: string; parentIdTag?: string };

/** Card presented: stop own session, or authorize and hand it to the right connector. */
export async function presentCard(cp: Agent, card: CardEvent): Promise<void> {
  const { connectors } = cp;
  const idTag = card.uid.slice(0, 20);
  const owner = connectors.find((c) => c.stopsTransaction({ idTag }));
  if (owner) {
    // The idTag that started a transaction may always stop it, without asking the CSMS.
    cp.emit('card', card, { status: 'Accepted', source: 'cache' });
    owner.send({ type: 'AUTHORIZED', idTag });
    return;
  }
  const result = await cp.authorize(idTag);
  // The answer may come after stop() began ending transactions: start nothing new then.
  if (!cp.acceptsSessions) return;
  cp.emit('card', card, result);
  cp.log.info({ idTag, status: result.status, source: result.source }, 'card presented');
  if (result.status !== 'Accepted') return;
  const event: Authorized = { type: 'AUTHORIZED', idTag, ...(result.parentIdTag !== undefined && { parentIdTag: result.parentIdTag }) };
  // A card of the same group (parentIdTag) stops that group's session; otherwise it starts one.
  const stops = connectors.find((c) => c.stopsTransaction(event));
  // A session that could not be journaled must not start: find out before the contactor closes.
  if (!stops && !(await cp.checkJournal())) {
    cp.log.warn({ idTag }, 'card refused: the transaction journal cannot be written');
    return;
  }
  (stops ?? startTarget(connectors, event))?.send(event);
}

/**
 * Where an authorized card starts a session: on the connector reserved for it, else where a cable
 * is already waiting, else on a free one (never on a connector reserved for someone else).
 */
function startTarget(connectors: readonly ConnectorController[], event: Authorized): ConnectorController | undefined {
  return (
    connectors.find((c) => c.status === 'Reserved' && c.isReservedFor(event)) ??
    connectors.find((c) => c.status === 'Preparing' && !c.hasTransaction) ??
    connectors.find((c) => c.status === 'Available' || c.status === 'Finishing')
  );
}

/**
 * Listens to one card reader: its cards are presented to the charge point, its faults reported
 * on connectorId 0. Returns the function that stops listening.
 */
export function listenToReader(cp: Agent, reader: RfidReader, status: StatusReporter): () => void {
  const onCard = (card: CardEvent) => void presentCard(cp, card);
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
