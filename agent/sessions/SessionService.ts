/**
 * Sessions of one charge point, whatever asks for them: a card at the reader, the CSMS (OCPP 1.6
 * today, 2.0.1 later), MQTT commands or the fleet control API. It owns who may start a session and
 * where, stops, and availability changes, so every way in follows the same rules:
 *
 * - no new session while the agent is stopping ({@link close}) or before it started;
 * - none that the transaction journal could not record (probed before the contactor can close);
 * - authorization: a card and an MQTT or API request always pass the card rules (local list,
 *   cache, Authorize.req); a CSMS remote start only with AuthorizeRemoteTxRequests;
 * - a reserved connector starts only for its idTag or a card of its parentIdTag group, and a card
 *   that could only start on a connector reserved for someone else is refused at once, without
 *   asking the CSMS; reservations, also of connector 0 (any connector): ./Reservations.ts;
 * - the connector: ./connectorChoice.ts.
 *
 * The connector machines decide the rest; this service only sends them events.
 */
import type { Logger } from 'pino';
import type { CardEvent, Clock } from '../../hal/index.js';
import type { AuthorizationResult } from '../auth/Authorizer.js';
import { cardTokenType, type IdTokenKind } from '../auth/idToken.js';
import type { ConnectorController } from '../charging/ConnectorController.js';
import type { StopReason } from '../ocpp16/vocabulary.js';
import type { ConnectorAvailability } from '../store/ConnectorAvailability.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import { chooseConnector, groupMatters, reservedForOthers, type Starter } from './connectorChoice.js';
import { Reservations, type ReservationRequest, type ReservationStatus } from './Reservations.js';

/** Where a request to start came from (a card comes through {@link SessionService.presentCard}). */
export type StartOrigin = 'card' | 'csms' | 'mqtt' | 'api';

export interface StartRequest {
  origin: StartOrigin;
  idTag: string;
  /**
   * The identifier's kind (../auth/idToken.ts): a remote start's own, the one an MQTT or API request
   * states (DEFAULT_REQUEST_TOKEN_TYPE when it states none). Absent: unknown (1.6 has none).
   */
  idTokenType?: IdTokenKind;
  /** A connector asked for by the requester; it must be usable (no other is chosen instead). */
  connectorId?: number;
  /**
   * Called with the connector chosen, just before the session is authorized on it (a TxProfile
   * that RemoteStartTransaction brought binds before the contactor can close).
   */
  prepare?: (connectorId: number) => void;
}

export type StartRefusal = 'stopping' | 'no-connector' | 'reserved' | 'journal' | 'not-authorized';

/** Why a start was refused, for the driver (display, MQTT) and the log. */
export interface Refusal {
  reason: StartRefusal;
  message: string;
}

export type StartResult =
  | { ok: true; connectorId: number; authorization?: AuthorizationResult }
  | { ok: false; reason: StartRefusal; message: string; authorization?: AuthorizationResult };

/** A start that passed the checks that need no authorization; {@link proceed} authorizes (if required) and starts. */
export interface Admission {
  ok: true;
  /** True when {@link proceed} authorizes the idTag first (it may ask the CSMS). */
  authorizes: boolean;
  proceed(): Promise<StartResult>;
}

export type StopResult = { ok: true; connectorId: number; transactionId?: number } | { ok: false; message: string };

export type AvailabilityStatus = 'Accepted' | 'Scheduled' | 'Rejected';

export interface SessionServiceOptions {
  connectors: readonly ConnectorController[];
  transactions: { connectorOfTransaction(transactionId: number): number | undefined; transactionIdOn(connectorId: number): number | undefined; startAnswered?(): Promise<void> | undefined };
  availability: ConnectorAvailability;
  config: OcppConfiguration;
  authorizer: { authorize(idTag: string, type?: IdTokenKind): Promise<AuthorizationResult> };
  /** Resolves true when the transaction journal takes writes (JournalHealth). */
  journal: { check(): Promise<boolean> };
  clock: Pick<Clock, 'now'>;
  log: Logger;
  /** A card was decided (not called while the agent is stopping); a card could not start a session. */
  events?: SessionEvents;
}

export interface SessionEvents {
  emit(event: 'card', card: CardEvent, result: AuthorizationResult): unknown;
  emit(event: 'cardRefused', card: CardEvent, refusal: Refusal): unknown;
}

const refused = (reason: StartRefusal, message: string, authorization?: AuthorizationResult): StartResult => ({
  ok: false,
  reason,
  message,
  ...(authorization && { authorization }),
});
/** Who starts, as an authorization tells it: the group, and the connectors it is limited to. */
const starter = (idTag: string, idTokenType: IdTokenKind | undefined, a: AuthorizationResult): Starter => ({
  idTag,
  ...(idTokenType !== undefined && { idTokenType }),
  ...(a.parentIdTag !== undefined && { parentIdTag: a.parentIdTag }),
  ...(a.parentIdTagType !== undefined && { parentIdTagType: a.parentIdTagType }),
  ...(a.evseIds !== undefined && { evseIds: a.evseIds }),
});
const where = (connectorId: number | undefined) => (connectorId !== undefined ? `connector ${connectorId}` : 'any connector');

export class SessionService {
  private accepting = false;
  /** A staged firmware waits to reboot: every connector is held inoperative until then. */
  private heldForReboot = false;
  /** Made at the first ReserveNow (most chargers of a fleet never see one). */
  private held: Reservations | undefined;

  constructor(private readonly o: SessionServiceOptions) {}

  /** Sessions may start from now on (the agent started). */
  open(): void {
    this.accepting = true;
  }

  /** No new session may start (the agent is stopping), also none whose authorization is under way. */
  close(): void {
    this.accepting = false;
  }

  /**
   * A staged firmware waits for the running transactions to end before its reboot (OCPP 2.0.1
   * L01.FR.07): no new session starts, every connector not in use becomes Unavailable, and each one
   * whose transaction ends becomes so (its availability change is scheduled). Not persisted: the
   * reboot brings back the availability the operator chose; a ChangeAvailability meanwhile is kept
   * for then.
   */
  holdForReboot(): void {
    this.close();
    this.heldForReboot = true;
    for (const c of this.o.connectors) c.send({ type: 'SET_AVAILABILITY', operative: false });
  }

  /** The hold ends without a new process (a restart in place): sessions start again, each connector as the operator set it. */
  releaseHold(): void {
    if (!this.heldForReboot) return;
    this.heldForReboot = false;
    this.open();
    for (const c of this.o.connectors) c.send({ type: 'SET_AVAILABILITY', operative: this.o.availability.isOperative(c.connectorId) });
  }

  /** Whether {@link holdForReboot} holds the connectors. */
  get isHeldForReboot(): boolean {
    return this.heldForReboot;
  }

  /** False while closed: no new session may begin. */
  get acceptsSessions(): boolean {
    return this.accepting;
  }

  get connectors(): readonly ConnectorController[] {
    return this.o.connectors;
  }

  connector(connectorId: number): ConnectorController | undefined {
    return this.o.connectors.find((c) => c.connectorId === connectorId);
  }

  /** ReserveNow (connectorId 0: any connector; whether that is supported is the caller's to check). */
  reserve(req: ReservationRequest): ReservationStatus {
    return this.reservations.reserve(req);
  }

  /** CancelReservation. */
  cancelReservation(reservationId: number): 'Accepted' | 'Rejected' {
    return this.held?.cancel(reservationId) ?? 'Rejected';
  }

  /** A connector's status changed: a reservation of connector 0 may have to hold the last free one. */
  statusChanged(): void {
    this.held?.statusChanged();
  }

  private get reservations(): Reservations {
    return (this.held ??= new Reservations(this.o.connectors, this.o.clock, this.o.log));
  }

  /** Starts a session for a remote request: {@link admit}, then {@link Admission.proceed}. */
  async start(req: StartRequest): Promise<StartResult> {
    const admission = await this.admit(req);
    return admission.ok ? admission.proceed() : admission;
  }

  /**
   * The checks that need no authorization (agent not stopping, a usable connector, a writable
   * journal), in that order, so nothing is asked of the CSMS for a start that cannot happen.
   * A CSMS remote start answers from this and authorizes afterwards (AuthorizeRemoteTxRequests).
   */
  async admit(req: StartRequest, authorization?: AuthorizationResult): Promise<Admission | Extract<StartResult, { ok: false }>> {
    const { idTag, idTokenType, connectorId } = req;
    if (!this.accepting) return { ok: false, reason: 'stopping', message: 'the charger is stopping' };
    const who: Starter = authorization ? starter(idTag, idTokenType, authorization) : { idTag, ...(idTokenType !== undefined && { idTokenType }), groupUnknown: true };
    if (!chooseConnector(this.o.connectors, who, connectorId)) return { ok: false, ...this.unusable(who, connectorId), ...(authorization && { authorization: this.placed(who, connectorId, authorization) }) };
    // A session that could not be journaled must not start (disk full or read-only).
    if (!(await this.o.journal.check())) return { ok: false, reason: 'journal', message: 'the transaction journal cannot be written' };
    const authorizes = authorization === undefined && (req.origin !== 'csms' || this.o.config.getBool('AuthorizeRemoteTxRequests'));
    return { ok: true, authorizes, proceed: () => this.proceed(req, authorizes, authorization) };
  }

  private async proceed(req: StartRequest, authorizes: boolean, known: AuthorizationResult | undefined): Promise<StartResult> {
    const { idTag, idTokenType, connectorId } = req;
    let authorization = known;
    if (authorizes) {
      // As if the idTag had been presented here: the card rules, and its parentIdTag for the session.
      authorization = await this.o.authorizer.authorize(idTag, idTokenType);
      if (authorization.status !== 'Accepted') return refused('not-authorized', `idTag not authorized (${authorization.status})`, authorization);
    } else if (authorization === undefined && groupMatters(this.o.connectors, idTag, idTokenType)) {
      // Authorization waived, but a reservation for a group may be this idTag's: learn its group.
      const group = await this.o.authorizer.authorize(idTag, idTokenType);
      if (group.status === 'Accepted' && group.parentIdTag !== undefined) authorization = { ...group, evseIds: undefined };
    }
    // Time has passed: the agent may be stopping and the connectors may have changed.
    if (!this.accepting) return refused('stopping', 'the charger is stopping', authorization);
    const parentIdTag = authorization?.parentIdTag;
    const parentIdTagType = authorization?.parentIdTagType;
    const who = authorization ? starter(idTag, idTokenType, authorization) : { idTag, ...(idTokenType !== undefined && { idTokenType }) };
    // The driver of a reservation of connector 0 starts on any usable connector.
    const claim = this.held?.claim(who, connectorId);
    const connector = claim ? claim.connector : chooseConnector(this.o.connectors, who, connectorId);
    if (!connector) {
      const { reason, message } = this.unusable(who, connectorId);
      return refused(reason, message, authorization && this.placed(who, connectorId, authorization));
    }
    if (claim) this.held!.startsOn(connector, claim.reservationId);
    // Only a card may later stop the session it starts; a remote start never stops one.
    const remote = req.origin !== 'card';
    req.prepare?.(connector.connectorId);
    connector.send({
      type: 'AUTHORIZED',
      idTag,
      ...(idTokenType !== undefined && { idTokenType }),
      ...(remote && { remote }),
      ...(parentIdTag !== undefined && { parentIdTag }),
      ...(parentIdTagType !== undefined && { parentIdTagType }),
      ...(claim && { reservationId: claim.reservationId }),
    });
    this.o.log.debug({ idTag, connector: connector.connectorId, origin: req.origin }, 'session authorized');
    return { ok: true, connectorId: connector.connectorId, ...(authorization && { authorization }) };
  }

  /**
   * A card presented at a reader: it stops its own session (without asking anyone) or its group's,
   * else it is authorized and starts one under the same rules as every other way in.
   */
  async presentCard(card: CardEvent): Promise<void> {
    const { connectors } = this.o;
    const idTag = card.uid.slice(0, 20);
    const idTokenType = cardTokenType(card.technology);
    const own = connectors.find((c) => c.stopsTransaction({ idTag, idTokenType }));
    if (own) {
      // The idTag that started a transaction may always stop it, without asking the CSMS.
      this.o.events?.emit('card', card, { status: 'Accepted', source: 'cache' });
      own.send({ type: 'AUTHORIZED', idTag, idTokenType });
      return;
    }
    // Every connector it could start on is reserved for someone else, and no session here has a
    // group it might stop: refused at once, without asking the CSMS who it is.
    const unknown: Starter = { idTag, idTokenType, groupUnknown: true };
    if (this.accepting && !chooseConnector(connectors, unknown) && !connectors.some((c) => c.sessionGroup !== undefined)) {
      const refusal = this.unusable(unknown);
      if (refusal.reason === 'reserved') return this.refuseCard(card, refusal);
    }
    const result = await this.o.authorizer.authorize(idTag, idTokenType);
    // The answer may come after the agent began stopping: start nothing new then.
    if (!this.accepting) return;
    this.o.events?.emit('card', card, result);
    this.o.log.info({ idTag, status: result.status, source: result.source }, 'card presented');
    if (result.status !== 'Accepted') return;
    const tagged = { idTag, idTokenType, ...(result.parentIdTag !== undefined && { parentIdTag: result.parentIdTag }), ...(result.parentIdTagType !== undefined && { parentIdTagType: result.parentIdTagType }) };
    const group = connectors.find((c) => c.stopsTransaction(tagged));
    if (group) {
      group.send({ type: 'AUTHORIZED', ...tagged });
      return;
    }
    const admission = await this.admit({ origin: 'card', idTag, idTokenType }, result);
    const started = admission.ok ? await admission.proceed() : admission;
    if (!started.ok) this.refuseCard(card, started);
  }

  private refuseCard(card: CardEvent, { reason, message }: Refusal): void {
    this.o.log.warn({ idTag: card.uid.slice(0, 20), reason }, `card refused: ${message}`);
    this.o.events?.emit('cardRefused', card, { reason, message });
  }

  /**
   * An authorization limited to some EVSEs (OCPP 2.0.1 idTokenInfo.evseId) that could have started
   * elsewhere: NotAtThisLocation (C-use cases: the token may not charge on the EVSE it was offered).
   */
  private placed(who: Starter, connectorId: number | undefined, authorization: AuthorizationResult): AuthorizationResult {
    if (who.evseIds === undefined) return authorization;
    const anywhere = { ...who, evseIds: undefined };
    return chooseConnector(this.o.connectors, anywhere, connectorId) ? { ...authorization, status: 'NotAtThisLocation' } : authorization;
  }

  /** Why no connector can take `who` (on `connectorId`, if given). */
  private unusable(who: Starter, connectorId?: number): Refusal {
    const reserved = reservedForOthers(this.o.connectors, who, connectorId);
    if (reserved) {
      return { reason: 'reserved', message: `connector ${reserved.connectorId} is reserved for another driver` };
    }
    if (who.evseIds !== undefined && chooseConnector(this.o.connectors, { ...who, evseIds: undefined }, connectorId)) {
      return { reason: 'not-authorized', message: `idTag not authorized on ${where(connectorId)} (NotAtThisLocation: only on ${who.evseIds.join(', ') || 'no connector'})` };
    }
    return { reason: 'no-connector', message: `no session can start on ${where(connectorId)}` };
  }

  /** RemoteStop (by the CSMS's transactionId). */
  stopTransaction(transactionId: number, reason: StopReason = 'Remote'): StopResult {
    const connectorId = this.o.transactions.connectorOfTransaction(transactionId);
    if (connectorId === undefined) return { ok: false, message: `no transaction ${transactionId} runs here` };
    this.connector(connectorId)?.send({ type: 'STOP', reason });
    return { ok: true, connectorId, transactionId };
  }

  /** Settles once a StartTransaction answer that has arrived is taken in (its transactionId known); undefined: none in flight. */
  startAnswered(): Promise<void> | undefined {
    return this.o.transactions.startAnswered?.();
  }

  /** Stops the session on one connector (MQTT stop_session, fleet control, UnlockConnector). */
  stopOn(connectorId: number, reason: StopReason): StopResult {
    const c = this.connector(connectorId);
    if (!c?.hasTransaction) return { ok: false, message: `no transaction on connector ${connectorId}` };
    const transactionId = this.o.transactions.transactionIdOn(connectorId);
    c.send({ type: 'STOP', reason });
    return { ok: true, connectorId, ...(transactionId !== undefined && { transactionId }) };
  }

  /** Stops every running session (reset, shutdown); returns how many were running. */
  stopAll(reason: StopReason): number {
    let stopped = 0;
    for (const c of this.o.connectors) {
      if (!c.hasTransaction) continue;
      c.send({ type: 'STOP', reason });
      stopped++;
    }
    return stopped;
  }

  /**
   * ChangeAvailability / MQTT set_availability (connectorId 0 = every connector): Scheduled when
   * going inoperative while a transaction runs (applied when it ends), Rejected for a connector
   * this charger does not have. `persisted` resolves once the choice is on disk.
   */
  changeAvailability(connectorId: number, operative: boolean): { status: AvailabilityStatus; persisted: Promise<void> } {
    const targets = connectorId === 0 ? this.o.connectors : this.o.connectors.filter((c) => c.connectorId === connectorId);
    if (targets.length === 0) return { status: 'Rejected', persisted: Promise.resolve() };
    let scheduled = false;
    const writes: Promise<void>[] = [];
    for (const c of targets) {
      if (!operative && c.hasTransaction) scheduled = true;
      c.send({ type: 'SET_AVAILABILITY', operative: operative && !this.heldForReboot });
      writes.push(this.o.availability.set(c.connectorId, operative));
    }
    return { status: scheduled ? 'Scheduled' : 'Accepted', persisted: Promise.all(writes).then(() => undefined) };
  }
}
