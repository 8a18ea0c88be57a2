/**
 * Reservations in OCPP 2.0.1 words (use cases H01–H04) over the session service's one reservation
 * keeper (agent/sessions/Reservations.ts) the 1.6 ReserveNow uses: the connector machine holds a
 * reservation of an EVSE (Reserved status, expiry, its idToken or group), a reservation without an
 * EVSE keeps one EVSE free for its driver. What 2.0.1 adds is told here: ReservationStatusUpdate
 * Expired when a reservation ran out unused (H01: the CSMS learns it was not kept), and the
 * refusal of a connectorType this charger cannot vouch for, and Removed when the EVSE it held became
 * Unavailable or Faulted (the machine drops the reservation then).
 *
 * Per charger: made on the first ReserveNow; one timer per reservation waiting for its expiry.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../../hal/index.js';
import type { ReserveNowRequest, ReserveNowResponse } from '../../ocpp201/messages.js';
import type { ChargePointControl } from '../v16/ChargePointControl.js';
import type { OcppLink } from '../OcppLink.js';
import { call201 } from './call201.js';
import { isLinkDown } from '../errors.js';

export interface Reservations201Parts {
  log: Logger;
  clock: Clock;
  control: Pick<ChargePointControl, 'reserveNow' | 'cancelReservation' | 'connectorCount' | 'config'>;
  link: Pick<OcppLink, 'call'>;
}

/** What the station learns of a transaction that started or stopped (the charger's `transaction` event). */
export interface TransactionNews {
  event: string;
  reservationId?: number;
}

interface Waiting {
  timer: TimerId;
  /** The EVSE it holds (0: any EVSE). */
  evseId: number;
}

export class Reservations201 {
  /** Reservations Accepted and neither used, cancelled nor expired yet, by id. */
  private readonly waiting = new Map<number, Waiting>();
  /** QueueAllMessages: updates that happened while the CSMS could not be reached, oldest first (made on the first). */
  private kept: { reservationId: number; reservationUpdateStatus: 'Expired' | 'Removed' }[] | undefined;

  constructor(private readonly p: Reservations201Parts) {}

  reserve(request: ReserveNowRequest): ReserveNowResponse {
    const { evseId } = request;
    if (evseId !== undefined && !(Number.isInteger(evseId) && evseId >= 1 && evseId <= this.p.control.connectorCount)) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
    // ReservationCtrlr.NonEvseSpecific (the 1.6 ReserveConnectorZeroSupported).
    if (evseId === undefined && !this.p.control.config.getBool('ReserveConnectorZeroSupported')) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: 'ReservationCtrlr.NonEvseSpecific is false' } };
    // The HAL does not tell which plug a connector has: a reservation for a type cannot be kept.
    if (request.connectorType !== undefined && request.connectorType !== 'Unknown') return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedParam', additionalInfo: 'the connector types of this station are not known' } };
    const expiresAt = Date.parse(request.expiryDateTime);
    if (Number.isNaN(expiresAt)) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: 'expiryDateTime is not a date-time' } };
    const status = this.p.control.reserveNow({
      reservationId: request.id,
      connectorId: evseId ?? 0,
      idTag: request.idToken.idToken,
      idTokenType: request.idToken.type,
      expiryDate: request.expiryDateTime,
      ...(request.groupIdToken && { parentIdTag: request.groupIdToken.idToken, parentIdTagType: request.groupIdToken.type }),
    });
    if (status === 'Accepted') this.watch(request.id, evseId ?? 0, expiresAt);
    return { status };
  }

  cancel(reservationId: number): 'Accepted' | 'Rejected' {
    const status = this.p.control.cancelReservation(reservationId);
    if (status === 'Accepted') this.forget(reservationId);
    return status;
  }

  /** A transaction started with a reservation: it was kept, nothing to tell. */
  transaction(event: TransactionNews): void {
    if (event.event === 'started' && event.reservationId !== undefined) this.forget(event.reservationId);
  }

  dispose(): void {
    for (const { timer } of this.waiting.values()) this.p.clock.clearTimeout(timer);
    this.waiting.clear();
  }

  /**
   * An EVSE's status changed: Unavailable or Faulted drops the reservation it held (the connector
   * machine does), which the CSMS learns as Removed.
   */
  statusChanged(change: { connectorId: number; status: string }): void {
    if (change.status !== 'Unavailable' && change.status !== 'Faulted') return;
    for (const [reservationId, w] of this.waiting) {
      if (w.evseId !== change.connectorId) continue;
      this.forget(reservationId);
      this.p.log.info({ reservationId, evse: change.connectorId, status: change.status }, 'reservation removed: its EVSE is no longer usable');
      void this.update(reservationId, 'Removed');
    }
  }

  private watch(reservationId: number, evseId: number, expiresAt: number): void {
    // A ReserveNow with the id of one held replaces it: the new expiry counts.
    this.forget(reservationId);
    const timer = this.p.clock.setTimeout(() => void this.expired(reservationId), Math.max(0, expiresAt - this.p.clock.now()));
    this.waiting.set(reservationId, { timer, evseId });
  }

  private forget(reservationId: number): void {
    const w = this.waiting.get(reservationId);
    if (!w) return;
    this.p.clock.clearTimeout(w.timer);
    this.waiting.delete(reservationId);
  }

  private async expired(reservationId: number): Promise<void> {
    if (!this.waiting.delete(reservationId)) return;
    this.p.log.info({ reservationId }, 'reservation expired unused');
    await this.update(reservationId, 'Expired');
  }

  /** Accepted again: the updates kept meanwhile (QueueAllMessages) go out, oldest first. */
  accepted(): void {
    const kept = this.kept;
    this.kept = undefined;
    for (const { reservationId, reservationUpdateStatus } of kept ?? []) void this.update(reservationId, reservationUpdateStatus);
  }

  /** Told now; while the CSMS cannot be reached lost, unless QueueAllMessages keeps it for the next accepted registration. */
  private async update(reservationId: number, reservationUpdateStatus: 'Expired' | 'Removed'): Promise<void> {
    try {
      await call201(this.p.link, 'ReservationStatusUpdate', { reservationId, reservationUpdateStatus });
    } catch (err) {
      if (isLinkDown(err) && this.p.control.config.getBool('QueueAllMessages')) {
        (this.kept ??= []).push({ reservationId, reservationUpdateStatus });
        return;
      }
      this.p.log.warn({ err, reservationId }, 'ReservationStatusUpdate not delivered');
    }
  }
}
