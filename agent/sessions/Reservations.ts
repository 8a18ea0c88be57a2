/**
 * Reservations of one charge point (ReserveNow / CancelReservation, OCPP 1.6 §3.13 and §5.13; the
 * 2.0.1 face will ask the same). A reservation of one connector lives in that connector's machine
 * (Reserved status, expiry, used by its idTag or a card of its parentIdTag group). A reservation of
 * connector 0 reserves no connector in particular: it makes sure one stays free for its idTag, by
 * holding the last free connector (Reserved) whenever only one is left, and letting it go again as
 * soon as another is free. The driver may start on any usable connector; that start uses the
 * reservation (StartTransaction carries its id) and ends it.
 */
import type { Logger } from 'pino';
import type { ConnectorController } from '../charging/ConnectorController.js';
import type { IdTokenKind } from '../auth/idToken.js';
import { sameTag } from '../charging/connectorGuards.js';
import { chooseConnector, usable, type Starter } from './connectorChoice.js';

export interface ReservationRequest {
  reservationId: number;
  /** 0: any connector of the charger. */
  connectorId: number;
  idTag: string;
  /** The kind of `idTag` (OCPP 2.0.1 ReserveNow idToken.type; 1.6 has none): only that kind uses it. */
  idTokenType?: IdTokenKind;
  parentIdTag?: string;
  /** OCPP 2.0.1 groupIdToken.type: a card of that group's value and kind uses it. */
  parentIdTagType?: IdTokenKind;
  /** Clock epoch ms. */
  expiresAt: number;
}

export type ReservationStatus = 'Accepted' | 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable';

interface ChargerReservation extends Omit<ReservationRequest, 'connectorId'> {
  /** The connector held for it while it is the last free one. */
  holder: ConnectorController | undefined;
}

const matches = (r: ChargerReservation, who: Starter) => sameTag(who, r);

export class Reservations {
  /** The connector-0 reservation (at most one: a second finds the charger Occupied). */
  private anyConnector: ChargerReservation | undefined;

  constructor(
    private readonly connectors: readonly ConnectorController[],
    private readonly clock: { now(): number },
    private readonly log: Logger,
  ) {}

  reserve(req: ReservationRequest): ReservationStatus {
    const now = this.clock.now();
    // An expiry already past would reserve nothing: refuse it rather than Accept and ignore it.
    if (!(req.expiresAt > now)) return 'Rejected';
    if (req.connectorId === 0) return this.reserveAny(req, now);
    const connector = this.connectors.find((c) => c.connectorId === req.connectorId);
    if (!connector) return 'Rejected';
    // OCPP 1.6 §5.13: a ReserveNow with the id of the reservation held replaces it.
    const replaces = connector.status === 'Reserved' && connector.reservationId === req.reservationId;
    const refusal = replaces ? undefined : refusalOf([connector]);
    if (refusal) return refusal;
    this.hold(connector, req, now);
    return 'Accepted';
  }

  /** CancelReservation: Accepted when a reservation with this id is held here. */
  cancel(reservationId: number): 'Accepted' | 'Rejected' {
    const r = this.current();
    if (r?.reservationId === reservationId) {
      this.anyConnector = undefined;
      r.holder?.send({ type: 'CANCEL_RESERVATION', reservationId });
      return 'Accepted';
    }
    // Asked of the machines, which drop a reservation when it expires or is used.
    const connector = this.connectors.find((c) => c.reservationId === reservationId);
    if (!connector) return 'Rejected';
    connector.send({ type: 'CANCEL_RESERVATION', reservationId });
    return 'Accepted';
  }

  /**
   * Where the connector-0 reservation's driver starts: any connector usable for them (a waiting
   * cable first), the held one last. Undefined when `who` is not that driver (or there is none).
   * The reservation ends with this start: {@link startsOn} tells the machine its id.
   */
  claim(who: Starter, connectorId?: number): { connector: ConnectorController | undefined; reservationId: number } | undefined {
    const r = this.current();
    if (!r || !matches(r, who)) return undefined;
    const others = r.holder ? this.connectors.filter((c) => c !== r.holder) : this.connectors;
    const holder = r.holder && (connectorId === undefined || connectorId === r.holder.connectorId) && usable(r.holder, who) ? r.holder : undefined;
    return { connector: chooseConnector(others, who, connectorId) ?? holder, reservationId: r.reservationId };
  }

  /** A session starts on `connector` with the connector-0 reservation: it ends, and a connector held for it is let go. */
  startsOn(connector: ConnectorController, reservationId: number): void {
    const r = this.current();
    if (r?.reservationId !== reservationId) return;
    this.anyConnector = undefined;
    // The held connector itself: its machine uses (and drops) the reservation with the start.
    if (r.holder && r.holder !== connector) r.holder.send({ type: 'CANCEL_RESERVATION', reservationId });
  }

  /** After any connector's status changed: hold the last free connector for the connector-0 reservation, or let it go. */
  statusChanged(): void {
    const r = this.current();
    if (!r) return;
    const free = this.connectors.filter((c) => c.status === 'Available');
    if (r.holder === undefined && free.length === 1) {
      this.hold(free[0]!, r, this.clock.now());
      r.holder = free[0];
      this.log.info({ reservationId: r.reservationId, connector: r.holder!.connectorId }, 'the last free connector is held for the charger-wide reservation');
    } else if (r.holder !== undefined && free.length > 0) {
      // Another connector is free again: the held one may serve someone else.
      const { holder } = r;
      r.holder = undefined;
      holder.send({ type: 'CANCEL_RESERVATION', reservationId: r.reservationId });
    }
  }

  /** The connector-0 reservation while it is valid (it ends when used, cancelled or expired). */
  private current(): ChargerReservation | undefined {
    const r = this.anyConnector;
    if (!r) return undefined;
    // The held connector dropped it: used there (its machine ended it with the start) or expired.
    const dropped = r.holder !== undefined && r.holder.reservationId !== r.reservationId;
    if (dropped || r.expiresAt <= this.clock.now()) this.anyConnector = undefined;
    return this.anyConnector;
  }

  private reserveAny(req: ReservationRequest, now: number): ReservationStatus {
    const held = this.current();
    if (held && held.reservationId !== req.reservationId) return 'Occupied';
    if (held) {
      // Replaced (same id): the new terms apply to the connector held, if any.
      Object.assign(held, { idTag: req.idTag, idTokenType: req.idTokenType, parentIdTag: req.parentIdTag, parentIdTagType: req.parentIdTagType, expiresAt: req.expiresAt });
      if (held.holder) this.hold(held.holder, held, now);
      return 'Accepted';
    }
    const refusal = refusalOf(this.connectors);
    if (refusal) return refusal;
    const { connectorId: _any, ...terms } = req;
    this.anyConnector = { ...terms, holder: undefined };
    this.statusChanged();
    return 'Accepted';
  }

  private hold(connector: ConnectorController, r: Omit<ReservationRequest, 'connectorId'>, now: number): void {
    connector.send({
      type: 'RESERVE',
      reservationId: r.reservationId,
      idTag: r.idTag,
      ...(r.idTokenType !== undefined && { idTokenType: r.idTokenType }),
      expiresAt: r.expiresAt,
      now,
      ...(r.parentIdTag !== undefined && { parentIdTag: r.parentIdTag }),
      ...(r.parentIdTagType !== undefined && { parentIdTagType: r.parentIdTagType }),
    });
  }
}

/** Why none of `connectors` can take a reservation now (undefined: one is free). */
function refusalOf(connectors: readonly ConnectorController[]): Exclude<ReservationStatus, 'Accepted' | 'Rejected'> | undefined {
  if (connectors.some((c) => c.status === 'Available')) return undefined;
  if (connectors.every((c) => c.status === 'Faulted')) return 'Faulted';
  if (connectors.every((c) => c.status === 'Unavailable')) return 'Unavailable';
  return 'Occupied';
}
